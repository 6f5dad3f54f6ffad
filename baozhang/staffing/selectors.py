"""Read queries for the roster, and the coverage check of a window (core.roster)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.calendars.selectors import calendar_for
from baozhang.core.calendar import Span
from baozhang.core.roster import CoverageGap, PlannedShift, Promise, RosterReport, check_roster
from baozhang.staffing.models import CoveragePromise, Seat, Shift

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

# A window longer than this is refused (a year of shifts is a report, not a check).
MAX_WINDOW = dt.timedelta(days=92)
# "Gaps listed before they happen": how far ahead the page and the warnings look.
LOOKAHEAD_DAYS = 14


def require_staff(user: User | AnonymousUser) -> None:
    """Raise Http404 unless the user is operator staff: the roster is not customers'
    business, and a customer's people should not learn that the pages exist."""
    if not is_operator_staff(user):
        raise Http404


def get_promise() -> CoveragePromise:
    """The promise row, or an unsaved one with D7's defaults if none was saved yet."""
    return CoveragePromise.objects.filter(pk=1).first() or CoveragePromise(pk=1)


def core_promise(row: CoveragePromise) -> Promise:
    def minutes(t: dt.time) -> int:
        return t.hour * 60 + t.minute

    end = minutes(row.day_shift_end) or 24 * 60  # 00:00 as an end means midnight
    return Promise(
        calendar_for(row.calendar_key),
        duty_on_rest_days=row.duty_on_rest_days,
        min_on_duty=row.min_on_duty,
        min_day_shift=row.min_day_shift,
        day_shift=Span(minutes(row.day_shift_start), end),
        min_seats=row.min_seats,
        min_staff=row.min_staff,
    )


def promise_time_zone() -> ZoneInfo:
    """The time zone of the promised hours' calendar: weeks and days are local to it."""
    try:
        return calendar_for(get_promise().calendar_key).tz
    except KeyError:
        return ZoneInfo("Asia/Shanghai")


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz)


def visible_seats(user: User | AnonymousUser) -> QuerySet[Seat]:
    qs = Seat.objects.all()
    return qs if is_operator_staff(user) else qs.none()


def visible_shifts(user: User | AnonymousUser) -> QuerySet[Shift]:
    qs = Shift.objects.select_related("person", "seat")
    return qs if is_operator_staff(user) else qs.none()


def shifts_between(start: dt.datetime, end: dt.datetime) -> QuerySet[Shift]:
    """Shifts that overlap [start, end), in order of start."""
    return Shift.objects.select_related("person", "seat").filter(start__lt=end, end__gt=start)


def planned(shift: Shift) -> PlannedShift:
    return PlannedShift(
        shift.start,
        shift.end,
        str(shift.person_id),
        str(shift.seat_id) if shift.seat_id else "",
        ref=str(shift.pk),
    )


@dataclass(frozen=True)
class CoverageReport:
    """The core report of a window with the names to show it, and ``now`` to tell the
    gaps still ahead (or under way) from those past."""

    report: RosterReport
    now: dt.datetime
    promise: CoveragePromise
    people: dict[str, str]
    seats: dict[str, str]

    @property
    def upcoming_gaps(self) -> tuple[CoverageGap, ...]:
        return tuple(g for g in self.report.gaps if g.end > self.now)

    def is_current(self, gap: CoverageGap) -> bool:
        return gap.start <= self.now < gap.end


def coverage_report(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> CoverageReport:
    """Check the roster over [start, end) against the saved promise.

    Seats are the active seats; staff are the distinct people rostered in the window.
    Raises ValueError for a window longer than 92 days or one that ends before it starts,
    and KeyError if the promise names a calendar that no longer exists.
    """
    if end - start > MAX_WINDOW:
        raise ValueError(
            f"window {start.isoformat()} – {end.isoformat()} is longer than 92 days / "
            f"窗口超过 92 天"
        )
    row = get_promise()
    shifts = list(shifts_between(start, end))
    active = {
        str(pk): name for pk, name in Seat.objects.filter(is_active=True).values_list("pk", "name")
    }
    report = check_roster(
        core_promise(row), [planned(s) for s in shifts], start, end, seats=list(active)
    )
    people = {str(s.person_id): s.person.get_full_name() or s.person.get_username() for s in shifts}
    seat_names = {**{str(s.seat_id): s.seat.name for s in shifts if s.seat}, **active}
    return CoverageReport(report, now, row, people, seat_names)


def lookahead(now: dt.datetime, days: int = LOOKAHEAD_DAYS) -> tuple[dt.datetime, dt.datetime]:
    """From the local midnight of today to the local midnight ``days + 1`` days later.

    Both ends are stable within a day, so a gap has the same start and end from one check
    to the next (gaps never cross a local midnight), which keeps warnings once-only."""
    tz = promise_time_zone()
    today = now.astimezone(tz).date()
    return local_midnight(today, tz), local_midnight(today + dt.timedelta(days=days + 1), tz)


def upcoming_report(now: dt.datetime) -> CoverageReport:
    start, end = lookahead(now)
    return coverage_report(start, end, now)


@dataclass(frozen=True)
class WeekCell:
    day: dt.date
    shifts: list[dict[str, Any]]


def week_grid(monday: dt.date) -> tuple[list[dt.date], list[tuple[Any, list[WeekCell]]]]:
    """People × days for the week from ``monday`` (local dates in the promise's zone):
    each shift shows on the day it starts, with its local times."""
    tz = promise_time_zone()
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    lo, hi = local_midnight(monday, tz), local_midnight(monday + dt.timedelta(days=7), tz)
    rows: dict[int, tuple[Any, dict[dt.date, list[dict[str, Any]]]]] = {}
    for s in Shift.objects.select_related("person", "seat").filter(start__gte=lo, start__lt=hi):
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        _person, cells = rows.setdefault(s.person_id, (s.person, {d: [] for d in days}))
        cells[start.date()].append(
            {
                "shift": s,
                "start": start,
                "end": end,
                "next_day": (end.date() - start.date()).days,
            }
        )
    ordered = sorted(rows.values(), key=lambda r: r[0].get_username())
    return days, [(person, [WeekCell(d, cells[d]) for d in days]) for person, cells in ordered]
