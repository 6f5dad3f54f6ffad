"""Past the official schedule, cn-5x8 still closes China's statutory holidays (by rule);
only the State Council's swaps of working days remain a guess, and results stay
provisional."""

from __future__ import annotations

import datetime as dt

import pytest
from holidays.countries.china import China
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.calendar import builtin_calendar
from baozhang.core.calendar_schedule import china_schedule
from baozhang.core.calendar_types import MAX_YEAR

CST = dt.timezone(dt.timedelta(hours=8))
FIRST_UNCOVERED = max(china_schedule().years) + 1


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2027, 1, 1), "New Year's Day"),
        (dt.date(2027, 2, 5), "Chinese New Year's Eve"),
        (dt.date(2027, 2, 8), "Spring Festival"),  # a Monday
        (dt.date(2027, 10, 1), "National Day"),
        (dt.date(2027, 10, 4), "National Day"),  # in lieu of Sunday 3 October
        (dt.date(2027, 10, 5), "National Day"),  # in lieu of Saturday 2 October
    ],
)
def test_statutory_holidays_of_2027_are_closed_and_provisional(day: dt.date, name: str) -> None:
    # Given the built-in calendar, whose official schedule ends before 2027
    cn = builtin_calendar("cn-5x8")
    assert FIRST_UNCOVERED <= 2027
    # When the day is asked for
    info = cn.day(day)
    # Then it is closed, named, said to be by rule, and provisional
    assert info.spans == ()
    assert name in info.reason and "by statutory rule" in info.reason
    assert info.provisional is True


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 21-25 and 28-31 December are nine; 1 January is New Year's Day; then Monday 4th.
        ("2026-12-20T09:00:00+08:00", 10, "2027-01-04T18:00:00+08:00"),
        # 29, 30 September; 1-5 October closed (National Day and days in lieu); 6, 7, 8.
        ("2027-09-28T09:00:00+08:00", 5, "2027-10-08T18:00:00+08:00"),
        # From Thursday 4 February the next working day: 5-10 February are closed (the
        # eve, the festival, days in lieu), so Thursday 11th.
        ("2027-02-04T09:00:00+08:00", 1, "2027-02-11T18:00:00+08:00"),
    ],
)
def test_working_days_skip_the_statutory_holidays(start: str, days: int, due: str) -> None:
    # Given cn-5x8 and a start near a holiday of a year past the schedule
    cn = builtin_calendar("cn-5x8")
    # When working days are added
    result = cn.add_working_days(dt.datetime.fromisoformat(start), days)
    # Then the holidays are not counted, and the result is still provisional
    assert result.at.isoformat() == due
    assert result.provisional is True


def test_a_plain_weekday_past_the_schedule_stays_open() -> None:
    # Given a Thursday with no statutory holiday in 2027
    info = builtin_calendar("cn-5x8").day(dt.date(2027, 3, 11))
    # Then it follows the weekly pattern, provisionally
    assert info.spans and info.provisional is True


@settings(max_examples=60, deadline=None)
@given(year=st.integers(FIRST_UNCOVERED, MAX_YEAR), pick=st.integers(0, 10_000))
def test_no_statutory_holiday_is_a_working_day_past_the_schedule(year: int, pick: int) -> None:
    # Given any statutory holiday (or day in lieu) of a year past the schedule
    statutory = sorted(China(years=year))  # type: ignore[no-untyped-call]
    holiday = statutory[pick % len(statutory)]
    cn = builtin_calendar("cn-5x8")
    # When the day is asked for, and one working day is added from the evening before
    info = cn.day(holiday)
    eve = dt.datetime.combine(holiday - dt.timedelta(days=1), dt.time(20), CST)
    due = cn.add_working_days(eve, 1)
    # Then the holiday is closed, never the day the working day ends on, and provisional
    assert info.spans == () and info.provisional is True
    assert due.at.date() != holiday
    assert due.provisional is True
    assert cn.add(eve, dt.timedelta(hours=1)).at.date() != holiday
