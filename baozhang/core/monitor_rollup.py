"""Monitoring data that grows with outages, not with time. No Django, no I/O, no clock.

Three things are kept per monitor (DESIGN.md, "Monitoring data"):

- *state intervals*, one per up/down/maintenance/unknown spell, built from the
  transitions of :mod:`baozhang.core.monitor_state` by :func:`state_intervals`;
- *rollups*, one per storage period (an hour, a day): how many collection periods ran,
  failed, were missed or were excluded, and a latency histogram (:func:`rollup`).
  Rollups merge (:meth:`Rollup.merge`), so a month is the merge of its days;
- and from them, :func:`availability` over any window (work proportional to the number of
  outages and exclusions, never to the number of checks) and the data-collection
  integrity rate of Q4(2) (:func:`integrity`):
  完好率 = (total periods − abnormal periods) / total periods × 100 %.

A *period* is one collection cycle of a monitor (its interval); an abnormal period is one
whose check failed or did not run. Maintenance and other exclusions are taken out of both
counts and reported as excluded, never hidden. Percentages are Decimals.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from itertools import pairwise

from baozhang.core.intervals import Interval, clip, merge, subtract, total
from baozhang.core.monitor_state import CheckResult, MonitorStatus, Transition
from baozhang.core.sla_text import ExclusionKind, bilingual, duration_text

__all__ = [
    "LATENCY_BOUNDS_MS",
    "Availability",
    "Integrity",
    "LatencyHistogram",
    "Rollup",
    "availability",
    "integrity",
    "merge_rollups",
    "rollup",
    "state_intervals",
]

_ZERO = dt.timedelta(0)
_HUNDRED = Decimal(100)
_SHOWN = Decimal("0.001")

#: Upper bounds (inclusive, milliseconds) of the latency buckets; one more bucket holds
#: everything slower. Fixed, so that any two histograms merge by adding counts.
LATENCY_BOUNDS_MS: tuple[int, ...] = (
    5,
    10,
    25,
    50,
    100,
    250,
    500,
    1_000,
    2_500,
    5_000,
    10_000,
    30_000,
)
_BUCKETS = len(LATENCY_BOUNDS_MS) + 1


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(bilingual(en, zh))


def _check_time(t: object, what: str) -> dt.datetime:
    if not isinstance(t, dt.datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise _bad(
            f"{what} {t!r} must be an aware datetime (with a UTC offset)",
            f"{what} {t!r} 必须是带时区偏移的时间",
        )
    return t.astimezone(dt.UTC)


def _check_count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(
            f"{what} {value!r} must be a whole number of at least 0",
            f"{what} {value!r} 必须是不小于 0 的整数",
        )
    return value


def _check_window(start: object, end: object) -> tuple[dt.datetime, dt.datetime]:
    lo = _check_time(start, "window start")
    hi = _check_time(end, "window end")
    if not lo < hi:
        raise _bad(
            f"window end {hi.isoformat()} must be after its start {lo.isoformat()}",
            f"窗口结束 {hi.isoformat()} 必须晚于开始 {lo.isoformat()}",
        )
    return lo, hi


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) * _HUNDRED / Decimal(whole)


def _shown(percent: Decimal | None) -> str:
    # Rounded down, so 99.9996 % never shows as 100.000 %.
    return "—" if percent is None else f"{percent.quantize(_SHOWN, rounding=ROUND_DOWN)} %"


def _micro(td: dt.timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds


# -- latency histogram ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatencyHistogram:
    """Counts of latencies per bucket of :data:`LATENCY_BOUNDS_MS` (plus one overflow
    bucket). Merging adds counts, so it is associative and commutative."""

    counts: tuple[int, ...] = (0,) * _BUCKETS

    def __post_init__(self) -> None:
        counts = tuple(self.counts)
        if len(counts) != _BUCKETS:
            raise _bad(
                f"latency histogram has {len(counts)} buckets, expected {_BUCKETS}",
                f"延迟直方图有 {len(counts)} 个桶，应为 {_BUCKETS} 个",
            )
        for c in counts:
            _check_count(c, "latency bucket count")
        object.__setattr__(self, "counts", counts)

    @classmethod
    def of(cls, latencies_ms: Iterable[float]) -> LatencyHistogram:
        """The histogram of ``latencies_ms`` (each ≥ 0)."""
        counts = [0] * _BUCKETS
        for ms in latencies_ms:
            if not ms >= 0:
                raise _bad(
                    f"latency {ms!r} ms must be a non-negative number",
                    f"延迟 {ms!r} 毫秒必须是非负数",
                )
            counts[_bucket(ms)] += 1
        return cls(tuple(counts))

    @property
    def total(self) -> int:
        """How many latencies were counted."""
        return sum(self.counts)

    def merge(self, other: LatencyHistogram) -> LatencyHistogram:
        """Both histograms together."""
        return LatencyHistogram(
            tuple(a + b for a, b in zip(self.counts, other.counts, strict=True))
        )

    def percentile(self, q: float) -> float | None:
        """An upper estimate of the ``q``-th percentile (0 < q ≤ 100) in milliseconds: the
        upper bound of the bucket holding that rank, ``inf`` if it is the overflow bucket,
        None for an empty histogram. Raises ValueError for ``q`` outside (0, 100].
        """
        if not 0 < q <= 100:
            raise _bad(
                f"percentile {q!r} must be above 0 and at most 100",
                f"百分位 {q!r} 必须大于 0 且不超过 100",
            )
        n = self.total
        if n == 0:
            return None
        # Nearest rank: the smallest r with r ≥ q % of n.
        rank = max(1, int((Decimal(str(q)) * n / _HUNDRED).to_integral_value(ROUND_CEILING)))
        seen = 0
        for i, c in enumerate(self.counts):
            seen += c
            if seen >= rank:
                return float(LATENCY_BOUNDS_MS[i]) if i < len(LATENCY_BOUNDS_MS) else float("inf")
        return float("inf")  # pragma: no cover - seen reaches n ≥ rank


def _bucket(ms: float) -> int:
    # The first bound at or above ``ms``: bounds are inclusive upper limits.
    return bisect_left(LATENCY_BOUNDS_MS, ms)


# -- rollups ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rollup:
    """Collection periods of one monitor in ``[period_start, period_end)``.

    ``checks``: periods whose check ran; ``failures``: those among them that failed;
    ``missed``: periods with no check at all; ``excluded``: periods inside an exclusion
    (maintenance …), counted in none of the others. ``latency``: the latencies of the
    checks counted. Raises ValueError for negative counts, more failures than checks,
    or an empty or naive span.
    """

    period_start: dt.datetime
    period_end: dt.datetime
    checks: int
    failures: int
    missed: int
    excluded: int = 0
    latency: LatencyHistogram = LatencyHistogram()

    def __post_init__(self) -> None:
        lo, hi = _check_window(self.period_start, self.period_end)
        object.__setattr__(self, "period_start", lo)
        object.__setattr__(self, "period_end", hi)
        for name in ("checks", "failures", "missed", "excluded"):
            _check_count(getattr(self, name), f"rollup {name}")
        if self.failures > self.checks:
            raise _bad(
                f"rollup failures {self.failures} exceed its checks {self.checks}",
                f"汇总的失败数 {self.failures} 超过检测数 {self.checks}",
            )

    @property
    def periods(self) -> int:
        """Periods counted in the integrity rate: ``checks + missed`` (not excluded)."""
        return self.checks + self.missed

    @property
    def abnormal(self) -> int:
        """Periods whose check failed or did not run: ``failures + missed``."""
        return self.failures + self.missed

    def merge(self, other: Rollup) -> Rollup:
        """Both rollups as one, spanning from the earlier start to the later end. Counts
        and histograms add up, so merging is associative and commutative."""
        return Rollup(
            min(self.period_start, other.period_start),
            max(self.period_end, other.period_end),
            self.checks + other.checks,
            self.failures + other.failures,
            self.missed + other.missed,
            self.excluded + other.excluded,
            self.latency.merge(other.latency),
        )


def merge_rollups(rollups: Iterable[Rollup]) -> Rollup:
    """All ``rollups`` merged into one. Raises ValueError for none."""
    items = list(rollups)
    if not items:
        raise _bad("no rollups to merge", "没有可合并的汇总")
    out = items[0]
    for item in items[1:]:
        out = out.merge(item)
    return out


def rollup(
    results: Iterable[CheckResult],
    *,
    start: dt.datetime,
    end: dt.datetime,
    interval: dt.timedelta,
    exclusions: Iterable[Interval] = (),
) -> Rollup:
    """The rollup of one monitor's ``results`` over ``[start, end)``.

    The window is cut into collection periods of ``interval`` starting at ``start`` (the
    last one may be shorter; align ``start`` and ``end`` to the interval so that rollups
    of neighbouring windows add up). A result belongs to the period its ``at`` falls in;
    results outside the window are ignored. A period with no result is missed; one with
    a result is a check, failed if any of its results failed (a retry that succeeds does
    not undo a failed check). A period that overlaps any of ``exclusions`` at all is
    excluded and counted in nothing else. Pass the results of the regions that should
    count (all of them, or one). Raises ValueError for a non-positive interval or a bad
    window.
    """
    lo, hi = _check_window(start, end)
    if not isinstance(interval, dt.timedelta) or interval <= _ZERO:
        raise _bad(
            f"collection interval {interval!r} must be a positive duration",
            f"采集周期 {interval!r} 必须是正的时长",
        )
    n = -(-(hi - lo) // interval)
    excluded: set[int] = set()
    for ex in merge(clip(exclusions, lo, hi)):
        first = (ex.start - lo) // interval
        last = min(n, -(-(ex.end - lo) // interval))
        excluded.update(range(first, last))
    outcome: dict[int, bool] = {}
    latencies: list[float] = []
    for result in results:
        if not lo <= result.at < hi:
            continue
        slot = (result.at - lo) // interval
        if slot in excluded:
            continue
        outcome[slot] = outcome.get(slot, True) and result.ok
        if result.latency_ms is not None:
            latencies.append(result.latency_ms)
    checks = len(outcome)
    failures = sum(1 for ok in outcome.values() if not ok)
    return Rollup(
        lo,
        hi,
        checks,
        failures,
        n - len(excluded) - checks,
        len(excluded),
        LatencyHistogram.of(latencies),
    )


@dataclass(frozen=True, slots=True)
class Integrity:
    """The data-collection integrity rate (完好率) of Q4(2) and what it is made of.

    ``percent`` = (periods − abnormal) / periods × 100, exact; None when no period
    counts (everything excluded). ``excluded`` periods are in neither count.
    """

    periods: int
    abnormal: int
    excluded: int
    percent: Decimal | None

    @property
    def text(self) -> str:
        """``"integrity 98.958 % (1,425 of 1,440 periods normal, 0 excluded) / 完好率 …"``,
        the percentage rounded down to 0.001."""
        good = self.periods - self.abnormal
        pct = _shown(self.percent)
        return bilingual(
            f"integrity {pct} ({good:,} of {self.periods:,} periods normal, "
            f"{self.excluded:,} excluded)",
            f"完好率 {pct}（{self.periods:,} 个周期中 {good:,} 个正常，{self.excluded:,} 个不计）",
        )


def integrity(summary: Rollup) -> Integrity:
    """The 完好率 of ``summary`` (merge rollups first for a longer window)."""
    return Integrity(
        summary.periods,
        summary.abnormal,
        summary.excluded,
        _percent(summary.periods - summary.abnormal, summary.periods),
    )


# -- state intervals and availability ---------------------------------------------------


def state_intervals(
    transitions: Sequence[Transition],
    *,
    start: dt.datetime,
    end: dt.datetime,
    initial: MonitorStatus | None = None,
) -> tuple[Interval, ...]:
    """The state spells inside ``[start, end)``, as intervals whose ``kind`` is the state
    (``"up"``, ``"down"``, ``"maintenance"``, ``"unknown"``) and whose ``reason`` is the
    reason of the transition that began it.

    ``transitions`` must be in time order, each leaving the state the previous one
    entered. Before the first transition the state is ``initial`` (by default the first
    transition's ``from_``; ``unknown`` without transitions). Spells of zero length are
    dropped. Callers that store only what grows with outages keep the non-``up`` ones.
    Raises ValueError for transitions out of order or that do not chain.
    """
    lo, hi = _check_window(start, end)
    items = list(transitions)
    for a, b in pairwise(items):
        if b.at < a.at or b.from_ != a.to:
            raise _bad(
                f"transition {b.from_}→{b.to} at {b.at.isoformat()} does not follow "
                f"{a.from_}→{a.to} at {a.at.isoformat()}",
                f"状态变化 {b.from_}→{b.to}（{b.at.isoformat()}）不能接在 "
                f"{a.from_}→{a.to}（{a.at.isoformat()}）之后",
            )
    first = initial if initial is not None else (items[0].from_ if items else None)
    kind = first if first is not None else MonitorStatus.UNKNOWN
    spells: list[Interval] = []
    pos, reason = min(lo, items[0].at) if items else lo, ""
    for tr in items:
        if tr.at > pos:
            spells.append(Interval(pos, tr.at, str(kind), reason))
        pos, kind, reason = max(pos, tr.at), tr.to, tr.reason
    if hi > pos:
        spells.append(Interval(pos, hi, str(kind), reason))
    return clip(spells, lo, hi)


@dataclass(frozen=True, slots=True)
class Availability:
    """Availability over ``[start, end)``.

    ``excluded``: the exclusions inside the window, merged (maintenance, time with no
    state known as ``not_observed``, exemption clauses), with their total
    ``excluded_time``. ``downtime``: down time outside them; ``outages``: how many down
    spells have some time outside them. ``percent`` = (window − excluded − downtime) /
    (window − excluded) × 100, exact; None when everything is excluded.
    """

    start: dt.datetime
    end: dt.datetime
    downtime: dt.timedelta
    outages: int
    excluded: tuple[Interval, ...]
    excluded_time: dt.timedelta
    percent: Decimal | None

    @property
    def text(self) -> str:
        """``"availability 99.930 %, 2 outages, 30 min excluded / 可用率 …"``, rounded
        down to 0.001 %."""
        pct = _shown(self.percent)
        den, dzh = duration_text(self.downtime)
        xen, xzh = duration_text(self.excluded_time)
        return bilingual(
            f"availability {pct}, {self.outages} outages ({den}), {xen} excluded",
            f"可用率 {pct}，故障 {self.outages} 次（{dzh}），不计 {xzh}",
        )


_DOWN = str(MonitorStatus.DOWN)
_AS_EXCLUSION = {
    str(MonitorStatus.MAINTENANCE): str(MonitorStatus.MAINTENANCE),
    str(MonitorStatus.UNKNOWN): str(ExclusionKind.NOT_OBSERVED),
}


def availability(
    intervals: Iterable[Interval],
    *,
    start: dt.datetime,
    end: dt.datetime,
    exclusions: Iterable[Interval] = (),
) -> Availability:
    """Availability over ``[start, end)`` from state intervals (:func:`state_intervals`).

    Intervals of kind ``down`` are downtime; ``maintenance`` and ``unknown`` (shown as
    ``not_observed``) are excluded, as are ``exclusions`` (exemption clauses …, kinds
    kept); ``up`` and other kinds are ignored, so passing only the non-``up`` intervals
    is enough and the work grows with outages, not with checks. Downtime inside an
    exclusion does not count. Raises ValueError for an empty, reversed or naive window.
    """
    lo, hi = _check_window(start, end)
    down: list[Interval] = []
    excl = list(exclusions)
    for item in intervals:
        if item.kind == _DOWN:
            down.append(item)
        elif item.kind in _AS_EXCLUSION:
            excl.append(Interval(item.start, item.end, _AS_EXCLUSION[item.kind], item.reason))
    cover = merge(clip(excl, lo, hi))
    spells = merge(clip(down, lo, hi))
    counted = subtract(spells, cover)
    starts = [s.start for s in spells]
    outages = len({bisect_right(starts, piece.start) for piece in counted})
    downtime = total(counted)
    excluded_time = total(cover)
    observed = _micro(hi - lo - excluded_time)
    return Availability(
        lo,
        hi,
        downtime,
        outages,
        cover,
        excluded_time,
        _percent(observed - _micro(downtime), observed),
    )


def pooled_availability(figures: Iterable[Availability]) -> float | None:
    """The availability of several monitors (or windows) as one fraction (0–1): the time
    they were observed (each window less its excluded time) less their downtime, over the
    time they were observed. None when nothing was observed (the quality report's
    availability over time, quality/charts.py)."""
    observed = 0
    down = 0
    for a in figures:
        observed += _micro(a.end - a.start - a.excluded_time)
        down += _micro(a.downtime)
    if observed <= 0:
        return None
    return max(observed - down, 0) / observed
