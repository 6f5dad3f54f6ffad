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
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from baozhang.core.calendar import Calendar
from baozhang.core.intervals import Interval, business_total, clip, merge, subtract, total

__all__ = ["FleetFigures", "UnitFigures", "fleet", "reporting_gaps", "unit_figures"]

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


def unit_figures(
    *,
    start: dt.datetime,
    end: dt.datetime,
    outages: Iterable[Interval],
    exclusions: Iterable[Interval] = (),
    calendar: Calendar | None = None,
) -> UnitFigures:
    """A unit's availability over ``[start, end)`` from its outage records and the
    announced maintenance that excludes time; ``calendar`` None means 7x24 (wall time),
    else only the calendar's business time is required. Overlapping records count once;
    an outage inside maintenance does not count. Raises ValueError for a naive, empty or
    reversed period."""
    _window(start, end)
    period = (Interval(start, end),)
    excluded = merge(clip(exclusions, start, end))
    down = merge(clip(outages, start, end))
    counted = subtract(down, excluded)
    if calendar is not None:
        counted = tuple(i for i in counted if calendar.between(i.start, i.end).duration > _ZERO)
        excluded_time = business_total(excluded, calendar).duration
    else:
        excluded_time = total(excluded)
    required = _length(period, calendar)
    outage_time = _length(counted, calendar)
    # Parts of one outage split by a window are one outage.
    # ``down`` is disjoint and sorted: the outage a piece came from is the last one that
    # starts at or before it.
    starts = [d.start for d in down]
    parents = {bisect_right(starts, piece.start) - 1 for piece in counted}
    return UnitFigures(
        start=start,
        end=end,
        required_time=required,
        excluded=excluded,
        excluded_time=excluded_time,
        outage=merge(counted),
        outage_time=outage_time,
        outage_count=len(parents),
        percent=_percent(required - excluded_time - outage_time, required - excluded_time),
    )


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
