"""Durations as people say them, in English and Chinese (issue 18 §2): never PT2H, 10wd or
"every 86400 s" on a page; and how much of a period a new monitor has watched."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.core.calendar_iso import parse_spoken_duration
from baozhang.core.calendar_types import WorkingDays
from baozhang.core.intervals import Interval
from baozhang.core.observation import is_provisional, watched_time
from baozhang.core.sla_text import every_text, spoken_duration, spoken_limit

T = dt.timedelta


@pytest.mark.parametrize(
    ("td", "en", "zh"),
    [
        (T(hours=2), "2 hours", "2 小时"),
        (T(hours=1), "1 hour", "1 小时"),
        (T(seconds=40), "40 seconds", "40 秒"),
        (T(minutes=1, seconds=30), "1 minute 30 seconds", "1 分钟 30 秒"),
        (T(days=29, hours=23, minutes=10), "29 days 23 hours", "29 天 23 小时"),
        (T(days=30) - T(seconds=40), "30 days", "30 天"),
        (T(hours=1, minutes=59, seconds=40), "2 hours", "2 小时"),
        (T(days=1, minutes=5), "1 day", "1 天"),
        (T(0), "0 minutes", "0 分钟"),
        (T(milliseconds=500), "0 seconds", "0 秒"),
        (-T(minutes=5), "-5 minutes", "-5 分钟"),
    ],
)
def test_a_duration_reads_as_people_say_it_with_two_units_at_most(
    td: dt.timedelta, en: str, zh: str
) -> None:
    assert spoken_duration(td) == (en, zh)


def test_an_exact_duration_keeps_every_unit() -> None:
    assert spoken_duration(T(days=1, minutes=5, seconds=3), units=0) == (
        "1 day 5 minutes 3 seconds",
        "1 天 5 分钟 3 秒",
    )


def test_working_days_and_business_time_limits_read_in_words() -> None:
    assert spoken_limit(WorkingDays(10)) == ("10 working days", "10 个工作日")
    assert spoken_limit(WorkingDays(1)) == ("1 working day", "1 个工作日")
    assert spoken_limit(T(hours=4, minutes=30)) == ("4 hours 30 minutes", "4 小时 30 分钟")
    assert spoken_limit(T(hours=24)) == ("1 day", "1 天")


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (86400, "daily", "每天"),
        (3600, "hourly", "每小时"),
        (604800, "weekly", "每周"),
        (60, "every minute", "每分钟"),
        (300, "every 5 minutes", "每 5 分钟"),
        (172800, "every 2 days", "每 2 天"),
        (90, "every 1 minute 30 seconds", "每 1 分钟 30 秒"),
    ],
)
def test_how_often_reads_as_people_say_it(seconds: int, en: str, zh: str) -> None:
    assert every_text(T(seconds=seconds)) == (en, zh)


def test_a_monitor_watched_for_a_minute_of_thirty_days_is_provisional() -> None:
    end = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    start = end - T(days=30)
    unseen = Interval(start, end - T(minutes=1), "not_observed", "no data yet")
    watched = watched_time(start, end, [unseen])
    assert watched == T(minutes=1)
    assert is_provisional(watched, end - start)


def test_maintenance_counts_as_watched_and_a_tenth_of_the_period_is_enough() -> None:
    end = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    start = end - T(days=30)
    excluded = [
        Interval(start, end - T(days=3), "not_observed+announced_maintenance", ""),
        Interval(end - T(hours=2), end - T(hours=1), "announced_maintenance", ""),
    ]
    watched = watched_time(start, end, excluded)
    assert watched == T(days=3)
    assert not is_provisional(watched, end - start)
    assert is_provisional(watched - T(seconds=1), end - start)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4h30m", T(hours=4, minutes=30)),
        ("4 hours 30 minutes", T(hours=4, minutes=30)),
        ("4 小时 30 分钟", T(hours=4, minutes=30)),
        ("1 day 2 h", T(days=1, hours=2)),
        ("PT4H30M", T(hours=4, minutes=30)),
        ("10 working days", WorkingDays(10)),
        ("10 个工作日", WorkingDays(10)),
        ("10wd", WorkingDays(10)),
    ],
)
def test_a_duration_is_read_as_people_type_it(typed: str, expected: object) -> None:
    assert parse_spoken_duration(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "4 parsecs", "4h 4h", "10 working days 2 h"])
def test_anything_else_is_refused_in_both_languages(typed: str) -> None:
    with pytest.raises(ValueError, match="时长无效"):
        parse_spoken_duration(typed)
