"""The share of a period's intervals that had a successful report (S3: a backup every
2 days): a table of cases and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.frequency import interval_share

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_a_backup_every_two_days_for_a_30_day_month_is_15_of_15() -> None:
    beats = [T0 + k * 2 * DAY + dt.timedelta(hours=3) for k in range(15)]
    got = interval_share(T0, T0 + 30 * DAY, 2 * DAY, beats, now=T0 + 31 * DAY)
    assert (got.covered, got.judged, got.share) == (15, 15, Decimal("100.00"))


def test_one_missing_backup_lowers_the_share_and_names_its_interval() -> None:
    beats = [T0 + k * 2 * DAY + dt.timedelta(hours=3) for k in range(15) if k != 4]
    got = interval_share(T0, T0 + 30 * DAY, 2 * DAY, beats, now=T0 + 31 * DAY)
    assert (got.covered, got.judged, got.share) == (14, 15, Decimal("93.33"))
    assert got.missed == ((T0 + 8 * DAY, T0 + 10 * DAY),)


def test_the_running_interval_counts_only_once_covered() -> None:
    now = T0 + 3 * DAY  # second interval runs, no backup in it yet
    got = interval_share(T0, T0 + 30 * DAY, 2 * DAY, [T0 + dt.timedelta(hours=1)], now=now)
    assert (got.covered, got.judged) == (1, 1)
    got = interval_share(T0, T0 + 30 * DAY, 2 * DAY, [T0 + 2 * DAY + dt.timedelta(hours=1)], now)
    assert (got.covered, got.judged, got.share) == (1, 2, Decimal("50.00"))
    assert interval_share(T0, T0 + DAY, 2 * DAY, [], now=T0).share is None


def test_bad_input_is_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match="必须带时区"):
        interval_share(T0.replace(tzinfo=None), T0 + DAY, DAY, [], now=T0)
    with pytest.raises(ValueError, match="must end after"):
        interval_share(T0, T0, DAY, [], now=T0)
    with pytest.raises(ValueError, match="positive"):
        interval_share(T0, T0 + DAY, dt.timedelta(0), [], now=T0)


@given(st.lists(st.integers(min_value=0, max_value=30 * 24 - 1), max_size=40))
def test_covered_never_exceeds_judged_and_missed_plus_covered_is_judged(hours: list[int]) -> None:
    beats = [T0 + dt.timedelta(hours=h) for h in hours]
    got = interval_share(T0, T0 + 30 * DAY, 2 * DAY, beats, now=T0 + 40 * DAY)
    assert got.judged == 15
    assert got.covered + len(got.missed) == got.judged
    assert got.covered == len({h // 48 for h in hours})
