"""Does a duty roster keep the staffing promise (D7)? No Django, no I/O, no clock.

A :class:`Promise` says which hours must be covered (a :class:`Calendar`: ``24x7``, or
``cn-5x8`` plus duty on every legal rest day), how many people must be on duty at any
covered moment, how many during the day shift (``09:00-18:00`` local by default), and how
many seats and staff the operator keeps. :func:`check_roster` takes the planned shifts of
a window and returns every way the roster falls short: coverage gaps (with how many people
are missing), day shifts under the minimum, rest days with nobody on duty, seat and staff
shortfalls, people booked on two shifts at once and seats given to two people at once.

The requirement at a moment t (local time of the calendar's zone):

- the day of t has working spans and t lies in one of them: ``min_on_duty``; if t also lies
  in the day-shift hours: ``max(min_on_duty, min_day_shift)``;
- the day of t has no working spans (a weekend or a legal holiday: a rest day), the promise
  includes duty on rest days and t lies in the day-shift hours: 1;
- otherwise 0.

A person on two overlapping shifts counts once. The check sweeps over the edges of shifts
and requirements: work is proportional to the number of shifts and days (plus a sort),
never to the length of the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from baozhang.core.calendar import Calendar, Span

__all__ = [
    "CoverageGap",
    "DayShiftShortfall",
    "DoubleBooking",
    "GapKind",
    "PlannedShift",
    "Promise",
    "RosterReport",
    "SeatClash",
    "Shortfall",
    "check_roster",
]

_DAY_MINUTES = 24 * 60
DAY_SHIFT = Span(9 * 60, 18 * 60)


class GapKind(StrEnum):
    """Which part of the promise a gap breaks."""

    COVERED_HOURS = "covered_hours"  # fewer than min_on_duty in the covered hours
    DAY_SHIFT = "day_shift"  # fewer than the day-shift minimum in day-shift hours
    REST_DAY = "rest_day"  # nobody on duty in the day-shift hours of a rest day


def _aware(t: object, what: str) -> dt.datetime:
    if not isinstance(t, dt.datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(
            f"{what} {t!r} must be an aware datetime (with a UTC offset) / "
            f"{what} {t!r} 必须是带时区偏移的时间"
        )
    return t.astimezone(dt.UTC)


def _count(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"{what} must be a whole number of at least 0, got {value!r} / "
            f"{what} 须为不小于 0 的整数，实际为 {value!r}"
        )
    return value


@dataclass(frozen=True)
class Promise:
    """The staffing promise. Defaults are those of D7: 3 seats, 5 staff, 2 on every day
    shift (09:00-18:00), someone on duty at every covered moment and on every rest day.

    Raises ValueError for a negative count or an empty day shift.
    """

    calendar: Calendar
    duty_on_rest_days: bool = True
    min_on_duty: int = 1
    min_day_shift: int = 2
    day_shift: Span = DAY_SHIFT
    min_seats: int = 3
    min_staff: int = 5

    def __post_init__(self) -> None:
        for name in ("min_on_duty", "min_day_shift", "min_seats", "min_staff"):
            _count(getattr(self, name), name)
        start, end = self.day_shift
        if not 0 <= start < end <= _DAY_MINUTES:
            raise ValueError(
                f"day shift {self.day_shift} must be a non-empty span within 00:00-24:00 / "
                f"白班时段 {self.day_shift} 须为 00:00-24:00 之内的非空时段"
            )
        object.__setattr__(self, "day_shift", Span(start, end))


@dataclass(frozen=True, order=True)
class PlannedShift:
    """One person on duty from ``start`` (included) to ``end`` (excluded), at ``seat``
    (``""`` for none: on call, on site). ``person`` and ``seat`` are ids chosen by the
    caller. Times are kept in UTC. Raises ValueError for naive times or ``end <= start``."""

    start: dt.datetime
    end: dt.datetime
    person: str
    seat: str = ""
    ref: str = field(default="", compare=False)  # the caller's id of the shift

    def __post_init__(self) -> None:
        start = _aware(self.start, "shift start")
        end = _aware(self.end, "shift end")
        if not start < end:
            raise ValueError(
                f"shift of {self.person!r} must end after it starts "
                f"({start.isoformat()} – {end.isoformat()}) / "
                f"{self.person!r} 的班次结束时间须晚于开始时间"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)


@dataclass(frozen=True)
class CoverageGap:
    """From ``start`` to ``end`` only ``on_duty`` people are on duty where ``required``
    are promised; ``missing = required - on_duty``. ``day`` is the local date whose
    requirement it is."""

    start: dt.datetime
    end: dt.datetime
    kind: GapKind
    required: int
    on_duty: int
    day: dt.date

    @property
    def missing(self) -> int:
        return self.required - self.on_duty


@dataclass(frozen=True)
class DayShiftShortfall:
    """On ``day`` the day shift had at times only ``fewest`` people (``required`` promised)."""

    day: dt.date
    fewest: int
    required: int


@dataclass(frozen=True)
class Shortfall:
    """``have`` seats or staff where ``required`` are promised; ``missing`` may be 0."""

    have: int
    required: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.have)


@dataclass(frozen=True)
class DoubleBooking:
    """``person`` is on two shifts at once from ``start`` to ``end``."""

    person: str
    first: PlannedShift
    second: PlannedShift
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class SeatClash:
    """``seat`` is given to two different people at once from ``start`` to ``end``."""

    seat: str
    first: PlannedShift
    second: PlannedShift
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class RosterReport:
    """Everything :func:`check_roster` found; ``ok`` when nothing falls short."""

    start: dt.datetime
    end: dt.datetime
    gaps: tuple[CoverageGap, ...]
    day_shift_shortfalls: tuple[DayShiftShortfall, ...]
    rest_days_without_duty: tuple[dt.date, ...]
    seats: Shortfall
    staff: Shortfall
    double_bookings: tuple[DoubleBooking, ...]
    seat_clashes: tuple[SeatClash, ...]

    @property
    def ok(self) -> bool:
        return not (
            self.gaps
            or self.day_shift_shortfalls
            or self.rest_days_without_duty
            or self.seats.missing
            or self.staff.missing
            or self.double_bookings
            or self.seat_clashes
        )


@dataclass(frozen=True)
class _Need:
    start: dt.datetime
    end: dt.datetime
    required: int
    kind: GapKind
    day: dt.date


def _at(day: dt.date, minute: int, cal: Calendar) -> dt.datetime:
    if minute >= _DAY_MINUTES:
        day, minute = day + dt.timedelta(days=1), minute - _DAY_MINUTES
    local = dt.datetime(day.year, day.month, day.day, tzinfo=cal.tz) + dt.timedelta(minutes=minute)
    return local.astimezone(dt.UTC)


def _needs(promise: Promise, start: dt.datetime, end: dt.datetime) -> list[_Need]:
    """The requirement as disjoint pieces, sorted, clipped to [start, end)."""
    cal = promise.calendar
    first = start.astimezone(cal.tz).date()
    last = end.astimezone(cal.tz).date()
    d0, d1 = promise.day_shift
    both = max(promise.min_on_duty, promise.min_day_shift)
    out: list[_Need] = []
    prev_end = start
    for info in cal.days(first, last):
        pieces: list[tuple[int, int, int, GapKind]] = []
        if info.spans:
            for s, e in info.spans:
                cuts = sorted({s, e, *(c for c in (d0, d1) if s < c < e)})
                for a, b in pairwise(cuts):
                    in_day = d0 <= a and b <= d1
                    if in_day:
                        pieces.append((a, b, both, GapKind.DAY_SHIFT))
                    else:
                        pieces.append((a, b, promise.min_on_duty, GapKind.COVERED_HOURS))
        elif promise.duty_on_rest_days:
            pieces.append((d0, d1, 1, GapKind.REST_DAY))
        for a, b, required, kind in pieces:
            # A piece edge inside a daylight-saving gap can map before the previous one.
            s_at = max(_at(info.date, a, cal), prev_end)
            e_at = min(_at(info.date, b, cal), end)
            if s_at < e_at:
                out.append(_Need(s_at, e_at, required, kind, info.date))
                prev_end = e_at
    return out


def _overlaps(
    shifts: Sequence[PlannedShift], key: str
) -> list[tuple[str, PlannedShift, PlannedShift, dt.datetime, dt.datetime]]:
    """Every pair of shifts with the same ``key`` ("person" or "seat") that overlap."""
    groups: dict[str, list[PlannedShift]] = {}
    for s in shifts:
        k = getattr(s, key)
        if k:
            groups.setdefault(k, []).append(s)
    found: list[tuple[str, PlannedShift, PlannedShift, dt.datetime, dt.datetime]] = []
    for k, items in groups.items():
        items.sort()
        active: list[PlannedShift] = []
        for s in items:
            active = [a for a in active if a.end > s.start]
            for a in active:
                if key == "seat" and a.person == s.person:
                    continue  # one person twice on a seat is a double booking, not a clash
                found.append((k, a, s, s.start, min(a.end, s.end)))
            active.append(s)
    found.sort(key=lambda f: (f[3], f[0]))
    return found


def check_roster(
    promise: Promise,
    shifts: Iterable[PlannedShift],
    start: dt.datetime,
    end: dt.datetime,
    *,
    seats: Collection[str] | None = None,
    staff: Collection[str] | None = None,
) -> RosterReport:
    """Check ``shifts`` against ``promise`` over ``[start, end)``.

    ``seats`` are the operator's usable seats and ``staff`` the people who count as service
    staff; when left out they are the distinct seats and people of the shifts that overlap
    the window. Shifts outside the window are ignored; double bookings and seat clashes are
    reported among the shifts that overlap the window. Gaps that touch and have the same kind,
    requirement and headcount are joined; a gap never crosses a local midnight.

    Raises ValueError for naive times or ``end <= start``.
    """
    start = _aware(start, "window start")
    end = _aware(end, "window end")
    if not start < end:
        raise ValueError(
            f"window start {start.isoformat()} must be before its end {end.isoformat()} / "
            f"窗口开始 {start.isoformat()} 必须早于结束 {end.isoformat()}"
        )
    inside = [s for s in shifts if s.start < end and s.end > start]
    needs = _needs(promise, start, end)

    # Edges: (time, order, …). Shift ends (-1) sort before starts (+1) at the same moment,
    # but the headcount is read only after every edge at a moment is applied.
    edges: list[tuple[dt.datetime, int, str]] = []
    for s in inside:
        edges.append((max(s.start, start), 1, s.person))
        edges.append((min(s.end, end), -1, s.person))
    edges.sort(key=lambda e: (e[0], e[1]))

    times = sorted(
        {start, end, *(e[0] for e in edges), *(n.start for n in needs)} | {n.end for n in needs}
    )
    count: dict[str, int] = {}
    on_duty = 0
    ei = 0
    ni = 0
    gaps: list[CoverageGap] = []
    fewest: dict[dt.date, int] = {}
    rest_seen: dict[dt.date, int] = {}
    for t, t_next in pairwise(times):
        while ei < len(edges) and edges[ei][0] <= t:
            _t, delta, person = edges[ei]
            before = count.get(person, 0)
            count[person] = before + delta
            if before == 0 and delta > 0:
                on_duty += 1
            elif before == 1 and delta < 0:
                on_duty -= 1
            ei += 1
        while ni < len(needs) and needs[ni].end <= t:
            ni += 1
        need = needs[ni] if ni < len(needs) and needs[ni].start <= t else None
        if need is None:
            continue
        if need.kind == GapKind.DAY_SHIFT:
            fewest[need.day] = min(fewest.get(need.day, on_duty), on_duty)
        elif need.kind == GapKind.REST_DAY:
            rest_seen[need.day] = max(rest_seen.get(need.day, 0), on_duty)
        if on_duty >= need.required:
            continue
        last = gaps[-1] if gaps else None
        if (
            last is not None
            and last.end == t
            and last.day == need.day
            and (last.kind, last.required, last.on_duty) == (need.kind, need.required, on_duty)
        ):
            gaps[-1] = CoverageGap(last.start, t_next, last.kind, last.required, on_duty, need.day)
        else:
            gaps.append(CoverageGap(t, t_next, need.kind, need.required, on_duty, need.day))

    seat_ids = set(seats) if seats is not None else {s.seat for s in inside if s.seat}
    staff_ids = set(staff) if staff is not None else {s.person for s in inside}
    return RosterReport(
        start=start,
        end=end,
        gaps=tuple(gaps),
        day_shift_shortfalls=tuple(
            DayShiftShortfall(day, n, promise.min_day_shift)
            for day, n in sorted(fewest.items())
            if n < promise.min_day_shift
        ),
        rest_days_without_duty=tuple(sorted(d for d, n in rest_seen.items() if n == 0)),
        seats=Shortfall(len(seat_ids), promise.min_seats),
        staff=Shortfall(len(staff_ids), promise.min_staff),
        double_bookings=tuple(
            DoubleBooking(k, a, b, s, e) for k, a, b, s, e in _overlaps(inside, "person")
        ),
        seat_clashes=tuple(SeatClash(k, a, b, s, e) for k, a, b, s, e in _overlaps(inside, "seat")),
    )
