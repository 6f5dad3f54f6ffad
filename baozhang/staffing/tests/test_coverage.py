"""The D7 promise against a realistic roster: no gaps; one person fewer, the exact gap;
the periodic check warns once of each gap ahead."""

from __future__ import annotations

import datetime as dt

from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.staffing import services
from baozhang.staffing.models import CoveragePromise, Shift
from baozhang.staffing.selectors import coverage_report, get_promise
from baozhang.staffing.tasks import warn_of_gaps

from .conftest import MONDAY, at

WEEK = (at(MONDAY, "00:00"), at(MONDAY, "00:00", 7))
BEFORE = at(MONDAY, "00:00", -1)


def test_the_default_promise_is_d7(db) -> None:  # type: ignore[no-untyped-def]
    promise = get_promise()
    assert (promise.calendar_key, promise.min_on_duty, promise.min_day_shift) == ("24x7", 1, 2)
    assert (promise.min_seats, promise.min_staff, promise.duty_on_rest_days) == (3, 5, True)
    assert (promise.day_shift_start, promise.day_shift_end) == (dt.time(9), dt.time(18))


def test_two_on_each_day_shift_and_one_at_night_keep_the_d7_promise(roster) -> None:  # type: ignore[no-untyped-def]
    roster()
    report = coverage_report(*WEEK, BEFORE).report
    assert report.gaps == ()
    assert (report.seats.have, report.staff.have) == (3, 5)
    assert report.ok


def test_one_person_fewer_on_wednesday_shows_the_exact_gap(personas, roster, staff) -> None:  # type: ignore[no-untyped-def]
    roster()
    wednesday = MONDAY + dt.timedelta(days=2)
    gone = Shift.objects.get(person=staff[1], start=at(wednesday, "09:00"))
    services.remove_shift(personas.director, gone)

    coverage = coverage_report(*WEEK, BEFORE)
    (gap,) = coverage.report.gaps
    assert (gap.start, gap.end) == (at(wednesday, "09:00"), at(wednesday, "18:00"))
    assert (gap.kind, gap.required, gap.on_duty, gap.missing) == ("day_shift", 2, 1, 1)
    assert [(s.day, s.fewest) for s in coverage.report.day_shift_shortfalls] == [(wednesday, 1)]
    assert coverage.upcoming_gaps == (gap,)
    assert coverage_report(*WEEK, at(wednesday, "18:00")).upcoming_gaps == ()


def test_5x8_with_rest_day_duty_lists_the_national_day_holiday(personas, staff) -> None:  # type: ignore[no-untyped-def]
    services.update_promise(personas.director, calendar_key="cn-5x8")
    sep30 = dt.date(2026, 9, 30)
    for person in staff[:2]:
        services.add_shift(
            personas.director, person=person, start=at(sep30, "09:00"), end=at(sep30, "18:00")
        )
    report = coverage_report(at(sep30, "00:00"), at(sep30, "00:00", 2), BEFORE).report
    assert report.rest_days_without_duty == (dt.date(2026, 10, 1),)
    assert [(g.kind, g.start, g.end) for g in report.gaps] == [
        ("rest_day", at(sep30, "09:00", 1), at(sep30, "18:00", 1))
    ]


def test_the_periodic_check_warns_once_of_each_gap_ahead(personas, roster, staff) -> None:  # type: ignore[no-untyped-def]
    now = at(MONDAY, "08:00")
    roster(MONDAY, 16)
    wednesday = MONDAY + dt.timedelta(days=2)
    services.remove_shift(
        personas.director, Shift.objects.get(person=staff[1], start=at(wednesday, "09:00"))
    )
    assert warn_of_gaps(now) == 1
    (event,) = Event.objects.filter(kind=services.GAP_FOUND)
    assert event.after["start"].startswith("2026-09-16T01:00:00")  # 09:00 +08:00 in UTC
    assert event.after["on_duty"] == 1 and event.after["required"] == 2
    zh, en = reads(event)
    assert zh.startswith("排班缺口：缺 1 人（需 2 人），2026-09-16 09:00")
    assert en.startswith("roster gap: 1 of 2 missing, 2026-09-16 09:00")
    # The next run, an hour later or after a restart, does not warn again.
    assert warn_of_gaps(now + dt.timedelta(hours=1)) == 0
    assert Event.objects.filter(kind=services.GAP_FOUND).count() == 1
    # A new gap is warned of; a gap already past is not.
    services.remove_shift(
        personas.director, Shift.objects.get(person=staff[0], start=at(MONDAY, "09:00"))
    )
    assert warn_of_gaps(at(MONDAY, "19:00")) == 0
    assert CoveragePromise.objects.count() == 0  # the check never writes the promise


def test_the_check_is_registered_as_a_periodic_job() -> None:
    from baozhang.jobs.registry import periodic_jobs

    (job,) = [j for j in periodic_jobs() if j.name == "staffing.warn_of_gaps"]
    assert job.func is warn_of_gaps and job.every_seconds == 600
