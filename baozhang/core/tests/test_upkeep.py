"""Maintenance plans' periods, time limits and the verdict of a measured value
(core/upkeep.py): tables and properties, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.calendar import builtin_calendar
from baozhang.core.upkeep import (
    PeriodKind,
    Requirement,
    RequirementKind,
    Verdict,
    due_at,
    judge,
    periods,
    warn_at,
)

SH = ZoneInfo("Asia/Shanghai")
UPS = Requirement(RequirementKind.RANGE, low=Decimal("13.2"), high=Decimal("13.8"))


@pytest.mark.parametrize(
    ("value", "verdict"),
    [
        (Decimal("13.2"), Verdict.PASS),
        (Decimal("13.5"), Verdict.PASS),
        (Decimal("13.8"), Verdict.PASS),
        (Decimal("13.81"), Verdict.FAIL),
        (Decimal("12.9"), Verdict.FAIL),
        (None, Verdict.MISSING),
    ],
)
def test_a_ups_battery_reading_against_13_2_to_13_8_volts(
    value: Decimal | None, verdict: Verdict
) -> None:
    assert judge(UPS, value) is verdict


def test_open_ranges_values_and_yes_no() -> None:
    at_least = Requirement(RequirementKind.RANGE, low=Decimal(18))
    assert judge(at_least, Decimal(100)) is Verdict.PASS
    assert judge(at_least, Decimal("17.9")) is Verdict.FAIL
    zero = Requirement(RequirementKind.VALUE, target=Decimal(0), tolerance=Decimal("0.5"))
    assert judge(zero, Decimal("-0.5")) is Verdict.PASS
    assert judge(zero, Decimal("0.6")) is Verdict.FAIL
    fans = Requirement(RequirementKind.YES_NO, expected_yes=True)
    assert judge(fans, True) is Verdict.PASS
    assert judge(fans, False) is Verdict.FAIL
    assert judge(fans, None) is Verdict.MISSING


def test_the_requirement_as_an_engineer_writes_it() -> None:
    assert UPS.text("V") == "13.2–13.8 V"
    assert Requirement(RequirementKind.RANGE, high=Decimal(70)).text("%") == "≤ 70 %"
    assert Requirement(RequirementKind.VALUE, target=Decimal("1.50")).text() == "= 1.5"
    assert Requirement(RequirementKind.YES_NO, expected_yes=False).text() == "no"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": RequirementKind.RANGE},
        {"kind": RequirementKind.RANGE, "low": Decimal(3), "high": Decimal(2)},
        {"kind": RequirementKind.VALUE},
        {"kind": RequirementKind.VALUE, "target": Decimal(1), "tolerance": Decimal(-1)},
        {"kind": RequirementKind.YES_NO},
    ],
)
def test_a_requirement_that_says_nothing_is_refused_in_both_languages(
    kwargs: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match=" / "):
        Requirement(**kwargs)


def test_a_value_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="number"):
        judge(UPS, True)
    with pytest.raises(ValueError, match="yes or no"):
        judge(Requirement(RequirementKind.YES_NO, expected_yes=True), Decimal(1))
    with pytest.raises(ValueError):
        judge(UPS, Decimal("NaN"))


@given(
    low=st.decimals(-1000, 1000, places=2),
    width=st.decimals(0, 1000, places=2),
    value=st.decimals(-3000, 3000, places=2),
)
def test_a_range_passes_exactly_the_values_between_its_bounds(
    low: Decimal, width: Decimal, value: Decimal
) -> None:
    req = Requirement(RequirementKind.RANGE, low=low, high=low + width)
    assert (judge(req, value) is Verdict.PASS) == (low <= value <= low + width)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_monthly_periods_include_the_running_month_and_those_starting_ahead() -> None:
    got = periods(PeriodKind.MONTHLY, d("2026-01-15"), d("2026-03-10"), d("2026-05-01"))
    assert got == [
        (d("2026-03-01"), d("2026-04-01")),
        (d("2026-04-01"), d("2026-05-01")),
        (d("2026-05-01"), d("2026-06-01")),
    ]


def test_quarters_years_weeks_and_every_n_days() -> None:
    assert periods("quarterly", d("2026-01-01"), d("2026-11-20"), d("2026-12-31")) == [
        (d("2026-10-01"), d("2027-01-01"))
    ]
    assert periods("yearly", d("2026-03-01"), d("2026-03-01"), d("2027-01-01")) == [
        (d("2026-01-01"), d("2027-01-01")),
        (d("2027-01-01"), d("2028-01-01")),
    ]
    # 2026-12-09 is a Wednesday: its week began on Monday the 7th.
    assert periods("weekly", d("2026-01-01"), d("2026-12-09"), d("2026-12-14"))[0] == (
        d("2026-12-07"),
        d("2026-12-14"),
    )
    assert periods("every_n_days", d("2026-01-01"), d("2026-01-20"), d("2026-01-31"), every=10) == [
        (d("2026-01-11"), d("2026-01-21")),
        (d("2026-01-21"), d("2026-01-31")),
        (d("2026-01-31"), d("2026-02-10")),
    ]


def test_nothing_before_the_plan_began() -> None:
    assert periods("daily", d("2026-06-10"), d("2026-06-01"), d("2026-06-11")) == [
        (d("2026-06-10"), d("2026-06-11")),
        (d("2026-06-11"), d("2026-06-12")),
    ]
    with pytest.raises(ValueError, match="every N days"):
        periods("every_n_days", d("2026-01-01"), d("2026-01-01"), d("2026-02-01"))


def test_on_a_business_calendar_daily_means_each_working_day() -> None:
    cal = builtin_calendar("cn-5x8")

    def working(day: dt.date) -> bool:
        return bool(cal.day(day).spans)

    # Friday 2026-12-04 to Tuesday 2026-12-08: Saturday and Sunday have no work order.
    got = periods("daily", d("2026-12-01"), d("2026-12-04"), d("2026-12-08"), working=working)
    assert [s for s, _ in got] == [d("2026-12-04"), d("2026-12-07"), d("2026-12-08")]
    every2 = periods(
        "every_n_days", d("2026-12-01"), d("2026-12-01"), d("2026-12-08"), every=2, working=working
    )
    # Working days 1,2,3,4,7,8 December: every second one starts a period.
    assert [s for s, _ in every2] == [d("2026-12-01"), d("2026-12-03"), d("2026-12-07")]


def test_time_limits_on_calendar_days_and_working_days() -> None:
    assert due_at(d("2026-12-01"), 10, SH) == dt.datetime(2026, 12, 11, tzinfo=SH)
    cal = builtin_calendar("cn-5x8")
    # A period starting on Friday 2026-12-04 with 2 working days: Friday counts, the
    # weekend does not, Monday's close is the limit.
    due = due_at(d("2026-12-04"), 2, SH, cal)
    assert due.astimezone(SH).date() == d("2026-12-07")  # Friday counted, then Monday
    with pytest.raises(ValueError, match="at least 1"):
        due_at(d("2026-12-01"), 0, SH)


def test_a_warning_comes_before_the_time_limit_but_not_before_the_period() -> None:
    start = dt.datetime(2026, 12, 1, tzinfo=SH)
    due = dt.datetime(2026, 12, 11, tzinfo=SH)
    assert warn_at(due, start, 24) == dt.datetime(2026, 12, 10, tzinfo=SH)
    assert warn_at(due, start, 24 * 30) == start
