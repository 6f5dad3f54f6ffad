from __future__ import annotations

import datetime as dt

import pytest

from baozhang.core.calendar import Calendar
from baozhang.core.calendar_country import country_name, national_schedule, supported_countries
from baozhang.core.calendar_schedule import china_schedule

WORK = "09:00-12:00,13:00-18:00"


def test_china_is_the_state_council_schedule() -> None:
    assert national_schedule("CN") is china_schedule()


def test_germany_closes_its_public_holidays_for_covered_years() -> None:
    schedule = national_schedule("DE")
    assert 1991 in schedule.years and 2100 in schedule.years and 1990 not in schedule.years
    assert dt.date(2026, 10, 3) in schedule.holidays  # Tag der Deutschen Einheit
    assert dt.date(2026, 10, 5) not in schedule.holidays


def test_a_calendar_on_another_country_is_not_provisional_in_covered_years() -> None:
    berlin = Calendar(
        "berlin", "Europe/Berlin", [WORK] * 5 + ["", ""], schedule=national_schedule("DE")
    )
    start = dt.datetime(2026, 10, 2, 17, 0, tzinfo=dt.UTC)  # Friday 19:00 in Berlin
    result = berlin.add(start, dt.timedelta(hours=1))
    # Saturday 3 October is closed anyway; Monday 5 October opens at 09:00.
    assert result.at == dt.datetime(2026, 10, 5, 10, 0, tzinfo=berlin.tz)
    assert not result.provisional
    assert berlin.day(dt.date(1985, 1, 2)).provisional


def test_make_up_days_are_taken_where_holidays_knows_them() -> None:
    schedule = national_schedule("RU")
    assert dt.date(2024, 4, 27) in schedule.workdays  # a Saturday worked in Russia


def test_names_and_unknown_codes() -> None:
    assert country_name("US") == "United States"
    assert supported_countries()["DE"] == "Germany"
    with pytest.raises(ValueError, match="unknown country 'XX'"):
        national_schedule("XX")
