"""The low-usage period of a change and the drills of an emergency plan (core/changes.py):
tables and a property, no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.changes import DrillState, covers, drill_due_on, drill_state, within_low_usage

SH = ZoneInfo("Asia/Shanghai")
NIGHT = (dt.time(0), dt.time(6))
LATE = (dt.time(22), dt.time(6))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize(
    "start,end,period,inside",
    [
        (at(3, 1), at(3, 3), NIGHT, True),
        (at(3, 0), at(3, 6), NIGHT, True),
        (at(3, 5), at(3, 7), NIGHT, False),  # runs past six
        (at(2, 23), at(3, 1), NIGHT, False),  # begins before midnight
        (at(3, 14), at(3, 15), NIGHT, False),
        (at(2, 23), at(3, 2), LATE, True),  # a period across midnight
        (at(3, 1), at(3, 5), LATE, True),  # its second half, begun the day before
        (at(2, 21), at(2, 23), LATE, False),
        (at(2, 23), at(3, 23), LATE, False),  # through a whole day
        (at(3, 14), at(3, 15), (dt.time(3), dt.time(3)), True),  # the whole day
    ],
)
def test_a_stretch_of_work_is_inside_the_low_usage_period_or_not(
    start: dt.datetime, end: dt.datetime, period: tuple[dt.time, dt.time], inside: bool
) -> None:
    assert within_low_usage(start, end, *period, SH) is inside


def test_the_low_usage_period_is_read_in_its_own_time_zone() -> None:
    # 18:00 UTC is 02:00 in Shanghai the next day: inside there, not in UTC
    start = dt.datetime(2026, 10, 2, 18, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=2)
    assert within_low_usage(start, end, *NIGHT, SH)
    assert not within_low_usage(start, end, *NIGHT, ZoneInfo("UTC"))


def test_naive_or_reversed_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        within_low_usage(dt.datetime(2026, 10, 3, 1), at(3, 2), *NIGHT, SH)  # noqa: DTZ001
    with pytest.raises(ValueError, match="after the start"):
        within_low_usage(at(3, 2), at(3, 1), *NIGHT, SH)


@given(
    st.integers(min_value=0, max_value=23 * 60),
    st.integers(min_value=1, max_value=24 * 60),
)
def test_work_longer_than_the_period_is_never_inside(offset: int, minutes: int) -> None:
    start = at(3, 0) + dt.timedelta(minutes=offset)
    end = start + dt.timedelta(minutes=minutes)
    inside = within_low_usage(start, end, *NIGHT, SH)
    if minutes > 6 * 60:
        assert not inside
    assert inside == (end <= at(3, 6) or (start >= at(4, 0) and end <= at(4, 6)))


def test_a_window_covers_the_work_it_contains() -> None:
    assert covers(at(3, 0), at(3, 6), at(3, 1), at(3, 2))
    assert covers(at(3, 0), at(3, 6), at(3, 0), at(3, 6))
    assert not covers(at(3, 1), at(3, 6), at(3, 0), at(3, 2))
    assert not covers(at(3, 0), at(3, 2), at(3, 1), at(3, 3))


TODAY = dt.date(2026, 10, 15)


@pytest.mark.parametrize(
    "last,scheduled,state",
    [
        (None, None, DrillState.NONE_YET),
        (dt.date(2025, 10, 1), None, DrillState.OVERDUE),  # 365 days passed on 2026-10-01
        (dt.date(2025, 11, 1), None, DrillState.DUE),  # due 2026-11-01, within 30 days
        (dt.date(2026, 3, 1), None, DrillState.OK),
        (dt.date(2026, 3, 1), dt.date(2026, 12, 20), DrillState.SCHEDULED),
        (dt.date(2026, 3, 1), dt.date(2026, 10, 10), DrillState.OVERDUE),  # scheduled, missed
        (None, dt.date(2026, 10, 20), DrillState.DUE),
    ],
)
def test_a_plans_drill_is_overdue_due_scheduled_or_not_needed_yet(
    last: dt.date | None, scheduled: dt.date | None, state: DrillState
) -> None:
    assert drill_state(last, scheduled, 365, TODAY) is state


def test_a_drill_is_due_by_the_earlier_of_the_schedule_and_the_interval() -> None:
    assert drill_due_on(dt.date(2026, 1, 1), dt.date(2027, 6, 1), 365) == dt.date(2027, 1, 1)
    assert drill_due_on(None, None, 365) is None
    with pytest.raises(ValueError, match="at least 1 day"):
        drill_due_on(None, None, 0)
