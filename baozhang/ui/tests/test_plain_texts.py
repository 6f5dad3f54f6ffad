"""The one helper pages use for durations and times (baozhang/ui/plain.py), in the
reader's language and zone: the API's ISO forms never reach a page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone, translation

from baozhang.core.calendar_types import WorkingDays
from baozhang.ui import plain


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", ("2 小时", "10 个工作日", "每天", "每 5 分钟")),
        ("en", ("2 hours", "10 working days", "daily", "every 5 minutes")),
    ],
)
def test_durations_follow_the_readers_language(language, expected):
    with translation.override(language):
        assert plain.duration("PT2H") == expected[0]
        assert plain.duration("10wd") == expected[1]
        assert plain.every(86400) == expected[2]
        assert plain.every(dt.timedelta(minutes=5)) == expected[3]
        assert plain.limit(WorkingDays(10)) == expected[1]


def test_a_timedelta_shows_two_units_unless_exact():
    td = dt.timedelta(days=29, hours=23, minutes=9, seconds=20)
    with translation.override("en"):
        assert plain.duration(td) == "29 days 23 hours"
        assert plain.duration(td, exact=True) == "29 days 23 hours 9 minutes 20 seconds"
    with translation.override("zh-hans"):
        assert plain.duration(td) == "29 天 23 小时"
        assert plain.duration(dt.timedelta(days=30) - dt.timedelta(seconds=40)) == "30 天"


def test_moments_show_in_the_readers_zone_never_as_utc_iso():
    with timezone.override("Asia/Shanghai"):
        assert plain.moment("2026-12-21T10:00:00+00:00") == "2026-12-21 18:00"
        assert plain.moment("2026-12-01T04:10:41.829Z") == "2026-12-01 12:10"
        assert plain.moment(dt.datetime(2026, 12, 21, 10, tzinfo=dt.UTC)) == "2026-12-21 18:00"
    with timezone.override("Europe/London"):
        assert plain.moment("2026-12-21T10:00:00+00:00") == "2026-12-21 10:00"
    assert plain.moment("not a time") == "not a time"


def test_stored_values_read_in_words_and_local_times():
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        assert plain.shown_value("2026-12-21T16:00:00+00:00") == "2026-12-22 00:00"
        assert plain.shown_value("PT24H") == "1 day"
        assert plain.shown_value("7wd") == "7 working days"
        assert plain.shown_value([3, 2]) == "3, 2"
        assert plain.shown_value("PT 2 hours typed by someone") == "PT 2 hours typed by someone"
        assert plain.shown_value(None) == ""


def test_the_plain_template_library_gives_the_same_words():
    template = engines["django"].from_string(
        "{% load plain %}{{ d|duration }}|{{ s|every }}|{{ t|moment }}|{{ v|shown }}"
    )
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        out = template.render(
            {"d": "PT2H", "s": 86400, "t": "2026-12-21T10:00:00+00:00", "v": "10wd"}
        )
    assert out == "2 小时|每天|2026-12-21 18:00|10 个工作日"


def test_a_calendars_answer_stays_in_the_calendars_zone():
    template = engines["django"].from_string("{% load plain %}{{ t|moment_own_zone }}")
    with timezone.override("Europe/London"):
        out = template.render({"t": "2026-10-20T18:00:00+08:00"})
    assert out == "2026-10-20 18:00 (+08:00)"


def test_a_stored_summary_shows_its_times_in_the_readers_zone():
    summary = "Roster gap: 1 of 2 missing 2026-12-21T10:00:00+00:00 – 2026-12-21T16:00:00+00:00"
    with timezone.override("Asia/Shanghai"):
        shown = plain.moments_in(summary)
    assert shown == "Roster gap: 1 of 2 missing 2026-12-21 18:00 – 2026-12-22 00:00"
