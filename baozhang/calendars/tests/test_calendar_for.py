"""Given operator calendars, calendar_for builds the core calendar: national schedule,
own dates, imported schedules; cached until something changes."""

from __future__ import annotations

import datetime as dt

from baozhang.calendars import services
from baozhang.calendars.selectors import all_calendars, calendar_for
from baozhang.core.calendar import WorkingDays, builtin_calendar

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Wednesday 30 September 2026, 16:00: 1-7 October are closed, Saturday 10 October works.
RECEIVED = dt.datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)


def test_cn_based_calendar_with_an_extra_closure_gives_later_deadlines(calendar_factory):
    cal = calendar_factory(key="gold")
    services.set_date(None, cal, date=dt.date(2026, 10, 12), kind="closed", reason="Move")

    ours = calendar_for("gold").add(RECEIVED, WorkingDays(10))
    theirs = builtin_calendar("cn-5x8").add(RECEIVED, WorkingDays(10))

    assert theirs.at == dt.datetime(2026, 10, 20, 18, 0, tzinfo=SHANGHAI)
    assert ours.at == dt.datetime(2026, 10, 21, 18, 0, tzinfo=SHANGHAI)
    assert not ours.provisional
    # The make-up Saturday comes from the national schedule; the closure from us.
    assert calendar_for("gold").day(dt.date(2026, 10, 10)).spans
    assert calendar_for("gold").day(dt.date(2026, 10, 12)).reason == "Move"


def test_an_opened_date_adds_working_time(calendar_factory):
    cal = calendar_factory(key="gold", workday_spans="10:00-14:00")
    services.set_date(None, cal, date=dt.date(2026, 10, 3), kind="opened", reason="Launch")
    start = dt.datetime(2026, 10, 2, 12, 0, tzinfo=SHANGHAI)
    assert calendar_for("gold").add(start, dt.timedelta(hours=2)).at == dt.datetime(
        2026, 10, 3, 12, 0, tzinfo=SHANGHAI
    )


def test_the_built_calendar_is_cached_until_a_change(
    calendar_factory, django_assert_max_num_queries
):
    cal = calendar_factory(key="gold")
    first = calendar_for("gold")
    with django_assert_max_num_queries(2):
        assert calendar_for("gold") is first
    services.update_calendar(None, cal, saturday="09:00-12:00")
    rebuilt = calendar_for("gold")
    assert rebuilt is not first
    assert rebuilt.day(dt.date(2026, 9, 5)).spans  # a Saturday


def test_an_imported_schedule_for_a_future_year_removes_the_provisional_flag(calendar_factory):
    calendar_factory(key="gold")
    start = dt.datetime(2027, 2, 4, 17, 0, tzinfo=SHANGHAI)  # a Thursday
    before = calendar_for("gold").add(start, dt.timedelta(hours=2))
    assert before.provisional
    # Spring Festival and its days in lieu are known by rule (5-10 February); the notice's
    # extra days off (11-12) and make-up Saturday are not.
    assert before.at == dt.datetime(2027, 2, 11, 10, 0, tzinfo=SHANGHAI)

    services.import_schedule(
        None,
        country="CN",
        name="2027 notice",
        text="year 2027\n2027-02-05..2027-02-12 休 春节\n2027-02-13 班 春节调休",
    )

    after = calendar_for("gold").add(start, dt.timedelta(hours=2))
    assert not after.provisional
    assert after.at == dt.datetime(2027, 2, 13, 10, 0, tzinfo=SHANGHAI)  # make-up Saturday
    # The built-in follows the operator's import too.
    assert not calendar_for("cn-5x8").add(start, dt.timedelta(hours=2)).provisional
    assert builtin_calendar("cn-5x8").add(start, dt.timedelta(hours=2)).provisional


def test_another_countrys_holidays_close_the_day(calendar_factory):
    calendar_factory(key="berlin", base_schedule="DE", time_zone="Europe/Berlin")
    unity_day = calendar_for("berlin").day(dt.date(2026, 10, 3))
    assert unity_day.spans == ()
    assert "Einheit" in unity_day.reason or "Unity" in unity_day.reason
    assert calendar_for("berlin").day(dt.date(2026, 10, 5)).spans  # an ordinary Monday


def test_all_calendars_lists_built_ins_and_ours(calendar_factory):
    calendar_factory(key="gold")
    calendars = all_calendars()
    assert list(calendars) == ["24x7", "cn-5x8", "gold"]
    assert calendars["gold"].name == "gold"
    assert "silver" not in calendars
