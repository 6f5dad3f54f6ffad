"""The up/down decision of a monitor as a pure state machine. No Django, no I/O, no clock.

Each check result goes through :func:`step`, which returns the next :class:`MonitorState`
and, only when the monitor's state changes, a :class:`Transition`. Only transitions touch
incidents and notifications; everything else is bookkeeping.

The rules (a :class:`MonitorPolicy` sets the numbers):

- a region counts as down after ``retries`` consecutive failed checks, and as up once its
  last check succeeded (a region that has failed fewer times is still undecided);
- only regions whose last result is *fresh* (no older than ``freshness`` before the
  newest result seen) take part, so a silent region drops out instead of voting forever;
- the monitor is down when at least ``quorum`` of the fresh regions say down, so one
  region's bad network raises no alarm; it is up again when fewer than ``quorum`` do;
- during maintenance the state is ``maintenance`` and no down transition is emitted;
  results are still recorded, and on leaving maintenance the real state is re-evaluated;
- results older than the freshness window, and out-of-order results (not newer than their
  region's last result), are ignored: the state comes back unchanged.

"Now" is never read: :func:`step` uses the newest result time seen, and
:func:`reevaluate` takes ``now`` for ticks that carry no result (a maintenance window
starting, a region falling silent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from baozhang.core.bilingual import one_language
from baozhang.core.sla_text import bilingual, duration_text

__all__ = [
    "CheckResult",
    "Message",
    "MonitorPolicy",
    "MonitorState",
    "MonitorStatus",
    "RegionState",
    "Transition",
    "initial_state",
    "reevaluate",
    "step",
]


class MonitorStatus(StrEnum):
    """What a monitor is judged to be. ``unknown`` until a decisive result."""

    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"
    MAINTENANCE = "maintenance"


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(bilingual(en, zh))


def _check_time(t: object, what: str) -> dt.datetime:
    if type(t) is dt.datetime and t.tzinfo is dt.UTC:
        return t  # already aware UTC: the common case, thousands a second
    if not isinstance(t, dt.datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise _bad(
            f"{what} {t!r} must be an aware datetime (with a UTC offset)",
            f"{what} {t!r} 必须是带时区偏移的时间",
        )
    return t.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class MonitorPolicy:
    """How a monitor decides it is down.

    ``retries``: consecutive failed checks after which a region counts as down (≥ 1; with
    1 the first failure counts). ``quorum``: how many of the regions with fresh results
    must say down (≥ 1, the k of "k of n"). ``freshness``: how long a region's last result
    keeps its vote (> 0). Raises ValueError otherwise.
    """

    retries: int = 1
    quorum: int = 1
    freshness: dt.timedelta = dt.timedelta(minutes=5)

    def __post_init__(self) -> None:
        for name, value in (("retries", self.retries), ("quorum", self.quorum)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _bad(
                    f"monitor policy {name} {value!r} must be a whole number of at least 1",
                    f"监控策略 {name} {value!r} 必须是不小于 1 的整数",
                )
        if not isinstance(self.freshness, dt.timedelta) or self.freshness <= dt.timedelta(0):
            raise _bad(
                f"monitor policy freshness {self.freshness!r} must be a positive duration",
                f"监控策略 freshness {self.freshness!r} 必须是正的时长",
            )


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check made from one region: at ``at``, success or not, how long it took.

    ``at`` is stored in UTC. ``latency_ms`` is None when the check got no answer at all
    (a timeout, a refused connection). ``error`` says what went wrong, empty when ``ok``.
    Raises ValueError for an empty region, a naive time or a negative latency.
    """

    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None = None
    error: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.region, str) or not self.region:
            raise _bad(
                f"check result region {self.region!r} must be a non-empty name",
                f"检测结果的区域 {self.region!r} 必须是非空名称",
            )
        object.__setattr__(self, "at", _check_time(self.at, "check result time"))
        if not isinstance(self.ok, bool):
            raise _bad(
                f"check result ok {self.ok!r} must be True or False",
                f"检测结果 ok {self.ok!r} 必须是 True 或 False",
            )
        lat = self.latency_ms
        if lat is not None and (
            isinstance(lat, bool) or not isinstance(lat, int | float) or not 0 <= lat < 1e12
        ):
            raise _bad(
                f"check result latency {lat!r} ms must be a non-negative number or None",
                f"检测结果延迟 {lat!r} 毫秒必须是非负数或 None",
            )


@dataclass(frozen=True, slots=True)
class RegionState:
    """What one region has said: its consecutive failures and its last result."""

    region: str
    failures: int
    last: CheckResult

    def is_down(self, policy: MonitorPolicy) -> bool:
        """True once ``failures`` reaches the policy's ``retries``."""
        return self.failures >= policy.retries


@dataclass(frozen=True, slots=True)
class MonitorState:
    """A monitor's judged ``state`` since ``since`` (None before any change), the newest
    result time seen (``as_of``) and each region's state, sorted by region name."""

    state: MonitorStatus = MonitorStatus.UNKNOWN
    since: dt.datetime | None = None
    as_of: dt.datetime | None = None
    regions: tuple[RegionState, ...] = ()

    def region(self, name: str) -> RegionState | None:
        """The state of region ``name``, or None if it never reported."""
        for item in self.regions:
            if item.region == name:
                return item
        return None


# Why, as a message of the catalogue: its English msgid (``"%(down)s of %(fresh)s regions
# down (%(names)s)"``) and its parameters, plain values, a message again, or ``errors``: the
# probes' error texts as they came. monitoring/judging.py says it in each reader's language.
Message = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Transition:
    """The monitor went ``from_`` one state ``to`` another at ``at``; ``reason`` says why
    in both languages (``"2 of 3 regions down … / 3 个区域中 2 个判定故障 …"``) for the
    columns that keep it, ``message`` says it as a message to be read in one."""

    from_: MonitorStatus
    to: MonitorStatus
    at: dt.datetime
    reason: str
    message: Message | None = field(default=None, compare=False)


def initial_state() -> MonitorState:
    """A monitor that has never been checked: ``unknown``, no regions."""
    return MonitorState()


def step(
    state: MonitorState, result: CheckResult, policy: MonitorPolicy, *, in_maintenance: bool
) -> tuple[MonitorState, Transition | None]:
    """The state after ``result``, and the transition if the judged state changed.

    A result older than ``policy.freshness`` before the newest result seen, or not newer
    than its region's last result, is ignored: ``(state, None)`` comes back unchanged.
    ``in_maintenance`` says whether the monitor is inside a maintenance window at
    ``result.at``. A transition's ``at`` is the result's time, but never before the
    current state's ``since`` (a late result cannot rewrite the past).
    """
    as_of = state.as_of
    if as_of is not None and result.at < as_of - policy.freshness:
        return state, None
    previous = state.region(result.region)
    if previous is not None and result.at <= previous.last.at:
        return state, None
    failures = 0 if result.ok else (previous.failures if previous else 0) + 1
    updated = RegionState(result.region, failures, result)
    if previous is not None:  # same place: the regions stay sorted by name
        regions = tuple(updated if r is previous else r for r in state.regions)
    else:
        regions = tuple(sorted([*state.regions, updated], key=_region_name))
    now = result.at if as_of is None else max(as_of, result.at)
    recorded = MonitorState(state.state, state.since, now, regions)
    return _judge(recorded, policy, result.at, in_maintenance)


def _region_name(r: RegionState) -> str:
    return r.region


def reevaluate(
    state: MonitorState, policy: MonitorPolicy, *, now: dt.datetime, in_maintenance: bool
) -> tuple[MonitorState, Transition | None]:
    """The state judged again at ``now`` without a new result: for a maintenance window
    that starts or ends, or a region that fell silent (its vote goes stale).

    ``now`` earlier than the newest result seen is treated as that result's time.
    """
    now = _check_time(now, "now")
    as_of = now if state.as_of is None else max(state.as_of, now)
    recorded = MonitorState(state.state, state.since, as_of, state.regions)
    return _judge(recorded, policy, now, in_maintenance)


def _judge(
    state: MonitorState,
    policy: MonitorPolicy,
    at: dt.datetime,
    in_maintenance: bool,
) -> tuple[MonitorState, Transition | None]:
    if in_maintenance:
        new = MonitorStatus.MAINTENANCE
    else:
        new, fresh, down = _verdict(state, policy)
    if new == state.state:
        return state, None  # the reason is only written for a change
    message: Message
    if in_maintenance:
        en, zh, message = "maintenance window", "维护窗口", ("maintenance window", {})
    else:
        en, zh, message = _reason(new, fresh, down, policy)
    if state.since is not None:
        at = max(at, state.since)
    if state.state == MonitorStatus.MAINTENANCE:
        en, zh = f"maintenance ended; {en}", f"维护结束；{zh}"
        message = ("maintenance ended; %(reason)s", {"reason": message})
    nxt = MonitorState(new, at, state.as_of, state.regions)
    return nxt, Transition(state.state, new, at, bilingual(en, zh), message)


def _verdict(
    state: MonitorState, policy: MonitorPolicy
) -> tuple[MonitorStatus, list[RegionState], list[RegionState]]:
    """The state the fresh regions vote for, with the fresh regions and those of them
    that say down."""
    assert state.as_of is not None  # set by both callers before judging
    horizon = state.as_of - policy.freshness
    fresh = [r for r in state.regions if r.last.at >= horizon]
    if not fresh:
        return MonitorStatus.UNKNOWN, fresh, []
    down = [r for r in fresh if r.is_down(policy)]
    if len(down) >= policy.quorum:
        return MonitorStatus.DOWN, fresh, down
    if state.state != MonitorStatus.UNKNOWN or any(r.last.ok for r in fresh):
        # Regions still failing fewer than `retries` times are undecided: they neither
        # hold a monitor down nor keep it unknown once it has been judged.
        return MonitorStatus.UP, fresh, down
    return MonitorStatus.UNKNOWN, fresh, down


def _reason(
    verdict: MonitorStatus,
    fresh: list[RegionState],
    down: list[RegionState],
    policy: MonitorPolicy,
) -> tuple[str, str, Message]:
    """Why :func:`_verdict` said ``verdict``: in English, in Chinese, and as a message. A
    probe's error written in both languages (``"no ping within 90 s / 90 秒内未收到心跳"``)
    goes into each half in that half's language."""
    if not fresh:
        en, zh = duration_text(policy.freshness)
        return (
            f"no region reported within {en}",
            f"{zh}内没有区域报告结果",
            ("no region reported within %(duration)s", {"duration": bilingual(en, zh)}),
        )
    counts = {"down": len(down), "fresh": len(fresh)}
    counts_en = f"{len(down)} of {len(fresh)} regions down"
    counts_zh = f"{len(fresh)} 个区域中 {len(down)} 个判定故障"
    if verdict == MonitorStatus.DOWN:
        names = ", ".join(r.region for r in down)
        errors = list(dict.fromkeys(r.last.error for r in down if r.last.error))
        errors_en = "; ".join(one_language(e, "en") for e in errors)
        errors_zh = "; ".join(one_language(e, "zh-hans") for e in errors)
        params: dict[str, Any] = {**counts, "names": names}
        if errors:
            params["errors"] = errors
            msgid = "%(down)s of %(fresh)s regions down (%(names)s): %(errors)s"
        else:
            msgid = "%(down)s of %(fresh)s regions down (%(names)s)"
        return (
            f"{counts_en} ({names})" + (f": {errors_en}" if errors else ""),
            f"{counts_zh}（{names}）" + (f"：{errors_zh}" if errors else ""),
            (msgid, params),
        )
    if verdict == MonitorStatus.UP:
        return (
            f"{counts_en}, fewer than {policy.quorum}",
            f"{counts_zh}，少于 {policy.quorum} 个",
            (
                "%(down)s of %(fresh)s regions down, fewer than %(quorum)s",
                {**counts, "quorum": policy.quorum},
            ),
        )
    return "no decisive result yet", "尚无确定的检测结果", ("no decisive result yet", {})
