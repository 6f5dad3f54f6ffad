"""Availability of equipment and lines from records (Q4(3), Q4(4), the inspections' 设备完好率
and 线路可用率). No Django, no I/O, no clock.

One unit (a server, a line, the network-management software …) over a period:

- its **required time** is the period on its required running time: all of it for 7x24,
  or the business time of a calendar;
- **excluded** is the announced maintenance inside the required time, shown, not counted;
- its **outage** is the union of what the records say it was down (its monitors' down
  spells, the faults recorded against it) inside the required time and outside the
  exclusions;
- **availability** = (required − excluded − outage) / (required − excluded) × 100 %, the
  same rule as a monitor's availability (core.monitor_rollup.availability) and the
  agreements: 线路可用率 for a line, the unit's share of 设备完好率 for equipment.

A fleet of units (a kind, a room, a customer's equipment): 设备完好率 as the share of the
required time that was intact (time-weighted) and as the count of units intact for the
whole period over the total.

Gaps in a stream of reports (:func:`reporting_gaps`) are how a probe region that stopped
reporting shows: an interruption of the network-management software (Q4(4)), not an
outage of the targets it watches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter
from typing import TypeVar

from baozhang.core.calendar import Calendar
from baozhang.core.intervals import Interval, _merged, business_total, clip, merge, total

__all__ = [
    "FleetFigures",
    "UnitFigures",
    "fleet",
    "record_intervals",
    "reporting_gaps",
    "required_time",
    "unit_figures",
]

K = TypeVar("K")
_ORDER = attrgetter("start", "end", "kind", "reason")  # Interval's order, as core.intervals

_ZERO = dt.timedelta(0)
_HUNDRED = Decimal(100)


def _micro(td: dt.timedelta) -> int:
    return (td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds


def _percent(part: dt.timedelta, whole: dt.timedelta) -> Decimal | None:
    w = _micro(whole)
    return None if w <= 0 else Decimal(_micro(part)) * _HUNDRED / Decimal(w)


def _window(start: dt.datetime, end: dt.datetime) -> None:
    for t, what in ((start, "start"), (end, "end")):
        if not isinstance(t, dt.datetime) or t.utcoffset() is None:
            raise ValueError(
                f"period {what} {t!r} must be an aware datetime / 统计期{what} {t!r} 必须带时区"
            )
    if not start < end:
        raise ValueError(
            f"period end {end.isoformat()} must be after its start {start.isoformat()} / "
            f"统计期结束 {end.isoformat()} 必须晚于开始 {start.isoformat()}"
        )


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """One unit's availability over ``[start, end)`` (see the module's docstring).

    ``outage`` and ``excluded`` are the merged intervals behind the figures (the records
    a reader drills down to); ``outage_count`` counts the separate outages that took
    some required time. ``percent`` is None when no required time is left."""

    start: dt.datetime
    end: dt.datetime
    required_time: dt.timedelta
    excluded: tuple[Interval, ...]
    excluded_time: dt.timedelta
    outage: tuple[Interval, ...]
    outage_time: dt.timedelta
    outage_count: int
    percent: Decimal | None

    @property
    def counted_time(self) -> dt.timedelta:
        """Required time less the exclusions: the denominator."""
        return self.required_time - self.excluded_time

    @property
    def intact(self) -> bool:
        """No outage in its required time over the whole period."""
        return self.outage_time == _ZERO


def _length(items: Iterable[Interval], calendar: Calendar | None) -> dt.timedelta:
    if calendar is None:
        return total(items)
    return business_total(items, calendar).duration


def _wall(merged: tuple[Interval, ...]) -> dt.timedelta:
    """Wall-clock length of a merged set: ``total`` without merging it again."""
    return sum((i.end - i.start for i in merged), _ZERO)


def _clipped_union(
    intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """``merge(clip(intervals, start, end))`` in one sort and one pass: the same
    intervals (an untouched one is kept as it is, a group of overlapping ones is merged
    as :func:`merge` merges it), without checking again what clip and merge would each
    check — a unit's outages are figured for each of ten thousand units."""
    items = list(intervals)
    if not set(map(type, items)) <= {Interval}:
        return merge(clip(items, start, end))  # says what is wrong, as it always did
    lo, hi = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    parts = [
        i if lo <= i.start and i.end <= hi else i._with(max(i.start, lo), min(i.end, hi))
        for i in items
        if i.start < hi and i.end > lo
    ]
    parts.sort(key=_ORDER)
    # Runs of overlapping or touching parts, ``parts[first:index]``, each sorted as merge
    # sorts: merged as merge merges one (core.intervals._merged), a lone part kept.
    out: list[Interval] = []
    first = 0
    group_end: dt.datetime | None = None
    for index, part in enumerate(parts):
        if group_end is not None and part.start <= group_end:
            if part.end > group_end:
                group_end = part.end
            continue
        if group_end is not None:
            out.append(
                parts[first] if index - first == 1 else _merged(parts[first:index], group_end)
            )
        first, group_end = index, part.end
    if group_end is not None:
        out.append(parts[first] if len(parts) - first == 1 else _merged(parts[first:], group_end))
    return tuple(out)


@lru_cache(maxsize=1024)
def _excluded(
    windows: tuple[Interval, ...], start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """:func:`_clipped_union` of a unit's announced windows, remembered: the same few
    windows exclude time from thousands of units over one period. Intervals are
    immutable and stored in UTC, so equal windows give equal (UTC) results."""
    return _clipped_union(windows, start, end)


def _minus(down: tuple[Interval, ...], cover: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """``subtract(down, cover)`` for two merged sets (disjoint, sorted, as
    :func:`_clipped_union` gives them), in one sweep over both."""
    if not cover:
        return down
    return tuple(_pieces(down, cover)[0])


def _pieces(
    down: tuple[Interval, ...], cover: tuple[Interval, ...]
) -> tuple[list[Interval], list[int]]:
    """:func:`_minus` with, for each piece, the index in ``down`` of the outage it came
    from (parts of one outage split by a window are one outage)."""
    out: list[Interval] = []
    parents: list[int] = []
    j, n = 0, len(cover)
    for index, item in enumerate(down):
        pos = item.start
        while j < n and cover[j].end <= pos:
            j += 1  # wholly before this outage, so before every later one too
        k = j
        while k < n and cover[k].start < item.end:
            c = cover[k]
            if c.start > pos:
                out.append(item._with(pos, c.start))
                parents.append(index)
            pos = max(pos, c.end)
            if pos >= item.end:
                break
            k += 1
        if pos == item.start:
            out.append(item)
            parents.append(index)
        elif pos < item.end:
            out.append(item._with(pos, item.end))
            parents.append(index)
    return out, parents


def unit_figures(
    *,
    start: dt.datetime,
    end: dt.datetime,
    outages: Iterable[Interval],
    exclusions: Iterable[Interval] = (),
    calendar: Calendar | None = None,
    required_time: dt.timedelta | None = None,
) -> UnitFigures:
    """A unit's availability over ``[start, end)`` from its outage records and the
    announced maintenance that excludes time; ``calendar`` None means 7x24 (wall time),
    else only the calendar's business time is required. Overlapping records count once;
    an outage inside maintenance does not count. Raises ValueError for a naive, empty or
    reversed period. ``required_time``, if given, must be :func:`required_time` of the
    same period and calendar (computed once for many units)."""
    _window(start, end)
    windows = tuple(exclusions)
    if set(map(type, windows)) <= {Interval}:
        excluded = _excluded(windows, start, end)
    else:
        excluded = _clipped_union(windows, start, end)  # says what is wrong
    down = _clipped_union(outages, start, end)
    if excluded:
        pieces, parents = _pieces(down, excluded)
        counted = tuple(pieces)
    else:
        counted, parents = down, list(range(len(down)))
    # ``excluded`` and ``counted`` are merged already (disjoint, sorted, never touching), so
    # their length is the sum of their parts' lengths: what ``total`` and
    # ``business_total`` give after merging them again, without the merge.
    if calendar is not None:
        between = calendar.between
        kept: list[Interval] = []
        kept_parents: list[int] = []
        outage_time = _ZERO
        for piece, parent in zip(counted, parents, strict=True):
            part = between(piece.start, piece.end).duration
            if part > _ZERO:  # a piece wholly outside business time is no outage
                kept.append(piece)
                kept_parents.append(parent)
                outage_time += part
        counted, parents = tuple(kept), kept_parents
        excluded_time = sum((between(i.start, i.end).duration for i in excluded), _ZERO)
    else:
        outage_time = _wall(counted)
        excluded_time = _wall(excluded)
    # The required time of the period on the calendar, when the caller figures many units
    # over one period: the same for every unit on that calendar.
    required = (
        _length((Interval(start, end),), calendar) if required_time is None else required_time
    )
    return UnitFigures(
        start=start,
        end=end,
        required_time=required,
        excluded=excluded,
        excluded_time=excluded_time,
        # ``counted`` is already disjoint, sorted and never touching (the merged outages
        # less the merged exclusions): merging it again changed nothing.
        outage=tuple(counted),
        outage_time=outage_time,
        # Parts of one outage split by a window are one outage.
        outage_count=len(set(parents)),
        percent=_percent(required - excluded_time - outage_time, required - excluded_time),
    )


def required_time(start: dt.datetime, end: dt.datetime, calendar: Calendar | None) -> dt.timedelta:
    """The required running time of ``[start, end)``: all of it for 7x24 (``calendar``
    None), else the calendar's business time in it."""
    _window(start, end)
    return _length((Interval(start, end),), calendar)


@dataclass(frozen=True, slots=True)
class FleetFigures:
    """设备完好率 of several units: ``time_percent`` the share of their counted required
    time that was intact; ``unit_percent`` the units intact for the whole period over all
    units. Both None for no units (or no counted time)."""

    units: int
    intact_units: int
    required_time: dt.timedelta
    excluded_time: dt.timedelta
    outage_time: dt.timedelta
    outage_count: int
    time_percent: Decimal | None
    unit_percent: Decimal | None


def record_intervals(
    rows: Iterable[tuple[K, dt.datetime | float, dt.datetime | float, str, str]],
) -> dict[K, list[Interval]]:
    """Records read from a database — (key, start, end, kind, reason), the moments as
    aware datetimes or as seconds since the epoch (UTC) — grouped by key as intervals,
    for :func:`unit_figures`. Rows whose end is not after their start are left out.

    The rows come from the platform's own tables (aware, typed), so each interval is
    built without :class:`Interval`'s checks of its arguments: over a year of ten
    thousand assets those checks, with the parsing of the moments, were most of the
    time. The moments are normalised to UTC here, as the checks would."""
    out: dict[K, list[Interval]] = {}
    new = object.__new__
    # The slots' own setters: what ``object.__setattr__`` does past the frozen class.
    set_start, set_end, set_kind, set_reason = (
        getattr(Interval, name).__set__ for name in ("start", "end", "kind", "reason")
    )
    from_epoch = dt.datetime.fromtimestamp
    utc = dt.UTC
    for key, s, e, kind, reason in rows:
        if s.__class__ is float or isinstance(s, float | int):
            s = from_epoch(s, utc)
        elif s.tzinfo is not utc:
            s = s.astimezone(utc)
        if e.__class__ is float or isinstance(e, float | int):
            e = from_epoch(e, utc)
        elif e.tzinfo is not utc:
            e = e.astimezone(utc)
        if not s < e:
            continue
        item = new(Interval)
        set_start(item, s)
        set_end(item, e)
        set_kind(item, kind)
        set_reason(item, reason)
        found = out.get(key)
        if found is None:
            out[key] = [item]
        else:
            found.append(item)
    return out


def fleet(units: Iterable[UnitFigures]) -> FleetFigures:
    items = list(units)
    required = sum((u.required_time for u in items), _ZERO)
    excluded = sum((u.excluded_time for u in items), _ZERO)
    outage = sum((u.outage_time for u in items), _ZERO)
    intact = sum(u.intact for u in items)
    return FleetFigures(
        units=len(items),
        intact_units=intact,
        required_time=required,
        excluded_time=excluded,
        outage_time=outage,
        outage_count=sum(u.outage_count for u in items),
        time_percent=_percent(required - excluded - outage, required - excluded),
        unit_percent=None if not items else Decimal(intact) * _HUNDRED / Decimal(len(items)),
    )


def reporting_gaps(
    times: Iterable[dt.datetime],
    *,
    start: dt.datetime,
    end: dt.datetime,
    tolerance: dt.timedelta,
    since: dt.datetime | None = None,
    reason: str = "",
) -> tuple[Interval, ...]:
    """The spans of ``[start, end)`` in which a source that should report at least every
    ``tolerance`` sent nothing: from ``tolerance`` after a report (or after ``start``, or
    ``since`` when it began later) to the next report (or ``end``). ``times`` are the
    moments of its reports, in any order. Kind ``"interruption"``."""
    _window(start, end)
    if tolerance <= _ZERO:
        raise ValueError(f"tolerance {tolerance} must be positive / 容忍间隔 {tolerance} 必须为正")
    begin = max(start, since) if since is not None else start
    marks = sorted(t for t in times if begin <= t < end)
    gaps: list[Interval] = []
    last = begin
    for t in [*marks, end]:
        if t - last > tolerance:
            gaps.append(Interval(last + tolerance, t, "interruption", reason))
        last = max(last, t)
    return tuple(gaps)
