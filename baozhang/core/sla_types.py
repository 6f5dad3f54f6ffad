"""Value types of SLA evaluation: what is promised, over which period, from which data,
and the verdict. Split from sla.py to keep modules small; import them from
``baozhang.core.sla``.

Every type validates its fields when built and raises ValueError with a bilingual message
naming the field, the value and what would be accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from baozhang.core.calendar import WorkingDays
from baozhang.core.intervals import Interval
from baozhang.core.sla_text import bilingual

__all__ = [
    "Aggregate",
    "ClockSample",
    "CountSample",
    "PenaltyTier",
    "Period",
    "TargetData",
    "TargetKind",
    "TargetSpec",
    "Unit",
    "Verdict",
]

_ZERO = dt.timedelta(0)
_HUNDRED = Decimal(100)


class TargetKind(StrEnum):
    """The kinds of target of S3: time-based, count-based and frequency-based."""

    AVAILABILITY = "availability"
    MAX_DOWNTIME = "max_downtime"
    SUPPORT_HOURS = "support_hours"
    RESPONSE_TIME = "response_time"
    MIN_COUNT = "min_count"
    MAX_GAP = "max_gap"
    FREQUENCY_SHARE = "frequency_share"


class Unit(StrEnum):
    """Unit of a verdict's ``figure`` and ``objective``."""

    PERCENT = "percent"
    SECONDS = "seconds"
    COUNT = "count"


class Aggregate(StrEnum):
    """For ``min_count``: judge the peak (``max``) or the lowest sample (``min``)."""

    MAX = "max"
    MIN = "min"


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(bilingual(en, zh))


def check_time(t: object, what: str) -> dt.datetime:
    """``t`` in UTC; ValueError unless it is an aware datetime."""
    if not isinstance(t, dt.datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise _bad(
            f"{what} {t!r} must be an aware datetime (with a UTC offset)",
            f"{what} {t!r} 必须是带时区偏移的时间",
        )
    return t.astimezone(dt.UTC)


def check_decimal(
    value: object, what: str, lo: Decimal | None = None, hi: Decimal | None = None
) -> Decimal:
    """``value`` as a finite Decimal within ``[lo, hi]``; ints are accepted, floats and
    strings are not (a float cannot hold 99.9 exactly)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _bad(
            f"{what} {value!r} must be a Decimal (or int), not {type(value).__name__}",
            f"{what} {value!r} 必须是 Decimal（或整数），而不是 {type(value).__name__}",
        )
    d = Decimal(value)
    if not d.is_finite() or (lo is not None and d < lo) or (hi is not None and d > hi):
        rng = f"{lo if lo is not None else '-∞'}..{hi if hi is not None else '∞'}"
        raise _bad(f"{what} {value} must be within {rng}", f"{what} {value} 须在 {rng} 之内")
    return d


def _check_intervals(items: object, what: str) -> tuple[Interval, ...]:
    if isinstance(items, Interval) or not isinstance(items, Sequence | tuple | list):
        raise _bad(
            f"{what} must be a sequence of Interval, got {items!r}",
            f"{what} 必须是 Interval 的序列，实际为 {items!r}",
        )
    for item in items:
        if not isinstance(item, Interval):
            raise _bad(
                f"{what} must hold Interval values, got {item!r}",
                f"{what} 只能包含 Interval，实际为 {item!r}",
            )
    return tuple(items)


@dataclass(frozen=True, slots=True)
class PenaltyTier:
    """A penalty clause (惩罚条款): a figure strictly ``below`` this percentage earns
    ``credit_percent`` of the period fee. Both are percentages in 0..100."""

    below: Decimal
    credit_percent: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "below", check_decimal(self.below, "tier threshold", Decimal(0), _HUNDRED)
        )
        object.__setattr__(
            self,
            "credit_percent",
            check_decimal(self.credit_percent, "tier credit percent", Decimal(0), _HUNDRED),
        )


_PERCENT_KINDS = frozenset(
    {TargetKind.AVAILABILITY, TargetKind.RESPONSE_TIME, TargetKind.FREQUENCY_SHARE}
)
_TIME_OBJECTIVE_KINDS = frozenset(
    {
        TargetKind.MAX_DOWNTIME,
        TargetKind.MAX_GAP,
        TargetKind.SUPPORT_HOURS,
        TargetKind.FREQUENCY_SHARE,
    }
)
_POSITIVE_TIME_KINDS = frozenset({TargetKind.MAX_GAP, TargetKind.FREQUENCY_SHARE})


@dataclass(frozen=True)
class TargetSpec:
    """One agreement target.

    ``objective`` by kind:

    - ``availability``: percent in (0, 100], Decimal (e.g. ``Decimal("99.9")``);
    - ``response_time``: required share of clocks within their limit, percent in (0, 100];
      None means 100;
    - ``min_count``: the count to reach, Decimal or int >= 0;
    - ``max_downtime``: the most downtime allowed per period, timedelta >= 0;
    - ``support_hours``: uncovered service time allowed, timedelta >= 0; None means none;
    - ``max_gap``: the longest allowed gap between heartbeats, timedelta > 0.
    - ``frequency_share``: the interval that must each hold a heartbeat (a backup every 2
      days: 48 h), timedelta > 0; the figure is the share of the period's intervals that
      did (core/frequency.py), met at 100 %, tiers apply to it.

    ``limits`` (``response_time`` only, required there) maps each priority to its limit in
    business time (timedelta > 0) or :class:`WorkingDays`. ``aggregate`` (``min_count``)
    says whether the peak or the lowest sample must reach the objective. ``tiers``
    (``availability`` and ``response_time`` only) are penalty tiers on the percentage;
    their credits must not fall as the threshold falls. ``flat_credit`` is the credit
    percent of a missed target that reaches no tier. ``name`` labels the evidence.
    """

    kind: TargetKind
    objective: Decimal | int | dt.timedelta | None = None
    limits: Mapping[str, dt.timedelta | WorkingDays] = field(default_factory=dict)
    aggregate: Aggregate = Aggregate.MAX
    tiers: Sequence[PenaltyTier] = ()
    flat_credit: Decimal = Decimal(0)
    name: str = ""

    def __post_init__(self) -> None:
        try:
            kind = TargetKind(self.kind)
            aggregate = Aggregate(self.aggregate)
        except ValueError:
            kinds = ", ".join(TargetKind)
            raise _bad(
                f"unknown target kind {self.kind!r} or aggregate {self.aggregate!r} "
                f"(kinds: {kinds}; aggregates: max, min)",
                f"未知的指标类型 {self.kind!r} 或聚合方式 {self.aggregate!r}"
                f"（类型：{kinds}；聚合：max、min）",
            ) from None
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "aggregate", aggregate)
        set_(self, "objective", self._objective(kind))
        set_(self, "limits", self._limits(kind))
        tiers = tuple(self.tiers)
        for tier in tiers:
            if not isinstance(tier, PenaltyTier):
                raise _bad(
                    f"tier {tier!r} must be a PenaltyTier", f"惩罚档 {tier!r} 必须是 PenaltyTier"
                )
        if tiers and kind not in _PERCENT_KINDS:
            raise _bad(
                f"penalty tiers apply to availability and response_time only, not {kind}; "
                f"use flat_credit",
                f"惩罚档仅适用于 availability 与 response_time，不适用于 {kind}；请用 flat_credit",
            )
        ordered = sorted(tiers, key=lambda t: t.below, reverse=True)
        for higher, lower in pairwise(ordered):
            if higher.below == lower.below or lower.credit_percent < higher.credit_percent:
                raise _bad(
                    f"tier below {lower.below} % must give at least the credit of the tier "
                    f"below {higher.below} %, and thresholds must differ",
                    f"低于 {lower.below}% 的惩罚档赔偿不得少于低于 {higher.below}% 的惩罚档，"
                    f"且阈值不能重复",
                )
        set_(self, "tiers", tuple(ordered))
        set_(
            self,
            "flat_credit",
            check_decimal(self.flat_credit, "flat credit percent", Decimal(0), _HUNDRED),
        )
        if not isinstance(self.name, str):
            raise _bad(
                f"target name {self.name!r} must be a string",
                f"指标名称 {self.name!r} 必须是字符串",
            )

    def _objective(self, kind: TargetKind) -> Decimal | dt.timedelta:
        obj = self.objective
        if obj is None and kind is TargetKind.RESPONSE_TIME:
            return _HUNDRED
        if obj is None and kind is TargetKind.SUPPORT_HOURS:
            return _ZERO
        if kind in _TIME_OBJECTIVE_KINDS:
            if (
                not isinstance(obj, dt.timedelta)
                or obj < _ZERO
                or (kind in _POSITIVE_TIME_KINDS and obj == _ZERO)
            ):
                least = "> 0" if kind in _POSITIVE_TIME_KINDS else ">= 0"
                raise _bad(
                    f"objective {obj!r} of a {kind} target must be a timedelta {least}",
                    f"{kind} 指标的目标值 {obj!r} 必须是 {least} 的 timedelta",
                )
            return obj
        if kind is TargetKind.MIN_COUNT:
            return check_decimal(obj, "min_count objective", Decimal(0))
        d = check_decimal(obj, f"{kind} objective (percent)", Decimal(0), _HUNDRED)
        if d == 0:
            raise _bad(f"{kind} objective must be above 0 %", f"{kind} 目标值必须大于 0%")
        return d

    def _limits(self, kind: TargetKind) -> Mapping[str, dt.timedelta | WorkingDays]:
        if not isinstance(self.limits, Mapping):
            raise _bad(
                f"limits {self.limits!r} must map priority → timedelta or WorkingDays",
                f"时限 {self.limits!r} 必须是 优先级 → timedelta 或 WorkingDays 的映射",
            )
        limits = dict(self.limits)
        if kind is TargetKind.RESPONSE_TIME and not limits:
            raise _bad(
                "a response_time target needs a limit per priority (limits={'P1': …})",
                "response_time 指标须为每个优先级给出时限（limits={'P1': …}）",
            )
        if kind is not TargetKind.RESPONSE_TIME and limits:
            raise _bad(
                f"limits apply to response_time targets only, not {kind}",
                f"时限仅适用于 response_time 指标，不适用于 {kind}",
            )
        for priority, limit in limits.items():
            ok = (isinstance(limit, dt.timedelta) and limit > _ZERO) or (
                isinstance(limit, WorkingDays) and isinstance(limit.days, int) and limit.days >= 1
            )
            if not isinstance(priority, str) or not ok:
                raise _bad(
                    f"limit {limit!r} for priority {priority!r} must be a timedelta > 0 or "
                    f"WorkingDays(n >= 1), keyed by a string",
                    f"优先级 {priority!r} 的时限 {limit!r} 必须是大于 0 的 timedelta 或 "
                    f"WorkingDays(n >= 1)，键为字符串",
                )
        return MappingProxyType(limits)


@dataclass(frozen=True, slots=True)
class Period:
    """A measuring period ``[start, end)``, stored in UTC; ``label`` names it
    (``"2026-10"``). Raises ValueError unless both are aware and ``start < end``."""

    start: dt.datetime
    end: dt.datetime
    label: str = ""

    def __post_init__(self) -> None:
        start = check_time(self.start, "period start")
        end = check_time(self.end, "period end")
        if not start < end:
            raise _bad(
                f"period start {start.isoformat()} must be before its end {end.isoformat()}",
                f"周期开始 {start.isoformat()} 必须早于结束 {end.isoformat()}",
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)


@dataclass(frozen=True, slots=True)
class ClockSample:
    """One SLA clock of one ticket (first response, update or resolution).

    ``stopped_at`` is None while the clock runs. ``paused`` are the spells it waited (for
    the customer …); they may overlap and may reach outside the clock's run. Raises
    ValueError for naive times or a stop before the start.
    """

    item_id: str
    priority: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None = None
    paused: Sequence[Interval] = ()

    def __post_init__(self) -> None:
        start = check_time(self.started_at, f"clock {self.item_id!r} start")
        object.__setattr__(self, "started_at", start)
        if self.stopped_at is not None:
            stop = check_time(self.stopped_at, f"clock {self.item_id!r} stop")
            if stop < start:
                raise _bad(
                    f"clock {self.item_id!r} stops at {stop.isoformat()}, before it starts "
                    f"at {start.isoformat()}",
                    f"计时 {self.item_id!r} 的停止时间 {stop.isoformat()} 早于开始时间 "
                    f"{start.isoformat()}",
                )
            object.__setattr__(self, "stopped_at", stop)
        object.__setattr__(
            self, "paused", _check_intervals(self.paused, f"pauses of clock {self.item_id!r}")
        )


@dataclass(frozen=True, slots=True)
class CountSample:
    """A measured count (concurrent users …) at ``at``; ``value`` Decimal or int."""

    at: dt.datetime
    value: Decimal | int

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", check_time(self.at, "count sample time"))
        object.__setattr__(self, "value", check_decimal(self.value, "count sample value"))


@dataclass(frozen=True)
class TargetData:
    """The plain facts a target is judged on; each kind reads its own fields.

    - ``downtime`` (availability, max_downtime): outage intervals; may overlap.
    - ``exclusions`` (all kinds): exempted time (免责), each with its kind and reason; it is
      removed from the measured time, the downtime, uncovered time, clock time and gaps,
      and count samples inside it are ignored.
    - ``observed`` (availability, max_downtime, support_hours): when the data source was
      watching; None means all the time. Time not observed is excluded as
      ``not_observed`` and shown like any exclusion.
    - ``uncovered`` (support_hours): times the desk was not staffed.
    - ``clocks`` (response_time), ``counts`` (min_count), ``heartbeats`` and
      ``last_heartbeat_before`` (max_gap).
    """

    downtime: Sequence[Interval] = ()
    exclusions: Sequence[Interval] = ()
    observed: Sequence[Interval] | None = None
    uncovered: Sequence[Interval] = ()
    clocks: Sequence[ClockSample] = ()
    counts: Sequence[CountSample] = ()
    heartbeats: Sequence[dt.datetime] = ()
    last_heartbeat_before: dt.datetime | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "downtime", _check_intervals(self.downtime, "downtime"))
        set_(self, "exclusions", _check_intervals(self.exclusions, "exclusions"))
        set_(self, "uncovered", _check_intervals(self.uncovered, "uncovered"))
        if self.observed is not None:
            set_(self, "observed", _check_intervals(self.observed, "observed"))
        for name, cls in (("clocks", ClockSample), ("counts", CountSample)):
            items = tuple(getattr(self, name))
            for item in items:
                if not isinstance(item, cls):
                    raise _bad(
                        f"{name} must hold {cls.__name__} values, got {item!r}",
                        f"{name} 只能包含 {cls.__name__}，实际为 {item!r}",
                    )
            set_(self, name, items)
        set_(
            self,
            "heartbeats",
            tuple(sorted(check_time(h, "heartbeat") for h in self.heartbeats)),
        )
        if self.last_heartbeat_before is not None:
            set_(
                self,
                "last_heartbeat_before",
                check_time(self.last_heartbeat_before, "last heartbeat before the period"),
            )


@dataclass(frozen=True)
class Verdict:
    """The judgement of one target over one period, as seen at ``now``.

    - ``met``: True / False, or None when the target could not be measured (no data, no
      service time in the period, the period not started); ``reason`` then says why.
      Otherwise ``reason`` is the headline (figure vs objective) in both languages.
    - ``figure`` and ``objective`` in ``unit``: percent (availability, response_time),
      seconds (max_downtime, support_hours, max_gap) or count (min_count). Percentages
      are rounded down to 4 decimals (never shown better than they are; ``met`` uses the
      exact value). ``figure`` is None when ``met`` is None and nothing was measured.
    - ``measured``: the period's business time on the calendar up to ``now``, minus the
      excluded time; ``excluded``: the exclusions that fell in it (clipped), each with
      kind and reason; ``excluded_time``: their union's business time.
    - ``count``: outages (availability, max_downtime), uncovered spells (support_hours),
      missed clocks (response_time), gaps over the limit (max_gap); 0 for min_count.
    - ``credit_percent`` of ``fee`` and ``credit_amount`` (to the cent, half up).
    - ``provisional``: a calendar fell back to Monday-Friday for a year without holiday
      data. ``final``: the period has ended at ``now``; an interim verdict says what
      would hold if the period ended now.
    - ``evidence``: short bilingual lines a reviewer reads.
    """

    kind: TargetKind
    name: str
    met: bool | None
    reason: str
    figure: Decimal | None
    unit: Unit
    objective: Decimal
    measured: dt.timedelta
    excluded: tuple[Interval, ...]
    excluded_time: dt.timedelta
    count: int
    credit_percent: Decimal
    credit_amount: Decimal
    fee: Decimal
    provisional: bool
    final: bool
    evidence: tuple[str, ...]
