"""Table tests for business calendars: cn-5x8 holidays, make-up days, span ends, fallback."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baozhang.core.calendar import Calendar, WorkingDays, builtin_calendar, parse_spans
from baozhang.core.calendar_schedule import china_schedule, parse_schedule

CST = dt.timezone(dt.timedelta(hours=8))
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def cn() -> Calendar:
    return builtin_calendar("cn-5x8")


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # Complaint on the eve of National Day, 10 working days: Oct 1-7 are off, Sat Oct 10
        # is a make-up working day, so day 10 is Tue Oct 20.
        ("2026-09-30T16:00:00+08:00", WorkingDays(10), "2026-10-20T18:00:00+08:00"),
        # The start's own day never counts, even before opening time.
        ("2026-09-30T08:00:00+08:00", WorkingDays(1), "2026-10-08T18:00:00+08:00"),
        # From a Saturday: Monday is working day 1.
        ("2026-09-19T10:00:00+08:00", WorkingDays(1), "2026-09-20T18:00:00+08:00"),
        ("2026-09-26T10:00:00+08:00", WorkingDays(1), "2026-09-28T18:00:00+08:00"),
        # A deadline at the end of the morning span is 12:00, not 13:00.
        ("2026-09-30T10:00:00+08:00", 2 * H, "2026-09-30T12:00:00+08:00"),
        ("2026-09-30T09:00:00+08:00", 3 * H, "2026-09-30T12:00:00+08:00"),
        # ... and one minute more goes to the afternoon.
        ("2026-09-30T09:00:00+08:00", 3 * H + dt.timedelta(minutes=1), "2026-09-30T13:01:00+08:00"),
        # End of day is 18:00, not next morning.
        ("2026-09-30T16:00:00+08:00", 2 * H, "2026-09-30T18:00:00+08:00"),
        # Across the holiday: 2h left on Sep 30, then Thu Oct 8.
        ("2026-09-30T16:00:00+08:00", 3 * H, "2026-10-08T10:00:00+08:00"),
        # Sun Sep 20 2026 is a make-up working day (调休上班).
        ("2026-09-19T17:00:00+08:00", 2 * H, "2026-09-20T11:00:00+08:00"),
        # Spring Festival 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 at work.
        ("2026-02-13T17:00:00+08:00", 2 * H, "2026-02-14T10:00:00+08:00"),
        ("2026-02-14T17:00:00+08:00", 2 * H, "2026-02-24T10:00:00+08:00"),
        # Start given in UTC; the answer comes back in Asia/Shanghai.
        ("2026-09-30T02:00:00+00:00", 2 * H, "2026-09-30T12:00:00+08:00"),
        # Zero duration is the start itself, even when closed.
        ("2026-10-01T03:00:00+08:00", dt.timedelta(0), "2026-10-01T03:00:00+08:00"),
        # Microseconds are kept.
        ("2026-09-30T09:00:00.000001+08:00", H, "2026-09-30T10:00:00.000001+08:00"),
        # 2025 National Day + Mid-Autumn: Oct 1-8 off, Sun Sep 28 and Sat Oct 11 at work.
        ("2025-09-30T17:00:00+08:00", 2 * H, "2025-10-09T10:00:00+08:00"),
        ("2025-09-27T12:00:00+08:00", H, "2025-09-28T10:00:00+08:00"),
        ("2025-09-30T12:00:00+08:00", WorkingDays(3), "2025-10-11T18:00:00+08:00"),
    ],
)
def test_cn_5x8_add(
    cn: Calendar, start: str, duration: dt.timedelta | WorkingDays, expected: str
) -> None:
    result = cn.add(at(start), duration)
    assert result.at.isoformat() == expected
    assert result.at.tzinfo == SHANGHAI
    assert result.provisional is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2026-09-30T10:00:00+08:00", "2026-10-09T10:00:00+08:00", 16 * H),
        ("2026-09-30T12:00:00+08:00", "2026-09-30T13:00:00+08:00", dt.timedelta(0)),
        ("2026-10-01T00:00:00+08:00", "2026-10-07T23:59:59+08:00", dt.timedelta(0)),
        ("2026-09-19T00:00:00+08:00", "2026-09-21T00:00:00+08:00", 8 * H),
        ("2026-10-09T10:00:00+08:00", "2026-09-30T10:00:00+08:00", -16 * H),
    ],
)
def test_cn_5x8_between(cn: Calendar, a: str, b: str, expected: dt.timedelta) -> None:
    assert cn.between(at(a), at(b)).duration == expected


def test_is_open_and_next_open(cn: Calendar) -> None:
    assert cn.is_open(at("2026-09-30T09:00:00+08:00"))
    assert not cn.is_open(at("2026-09-30T12:00:00+08:00"))  # the end is not open
    assert not cn.is_open(at("2026-10-06T10:00:00+08:00"))  # day off in lieu
    assert cn.is_open(at("2026-10-10T10:00:00+08:00"))  # make-up Saturday
    assert cn.next_open(at("2026-09-30T12:30:00+08:00")).at.isoformat() == (
        "2026-09-30T13:00:00+08:00"
    )
    assert cn.next_open(at("2026-09-30T18:00:00+08:00")).at.isoformat() == (
        "2026-10-08T09:00:00+08:00"
    )
    assert cn.next_open(at("2026-09-30T10:00:00+08:00")).at.isoformat() == (
        "2026-09-30T10:00:00+08:00"
    )


def test_day_reasons(cn: Calendar) -> None:
    national_day = cn.day(dt.date(2026, 10, 1))
    assert national_day.spans == ()
    assert "国庆节" in national_day.reason and "National Day" in national_day.reason
    makeup = cn.day(dt.date(2026, 10, 10))
    assert [str(s) for s in makeup.spans] == ["09:00-12:00", "13:00-18:00"]
    assert "调休" in makeup.reason


def test_past_the_holiday_data_is_provisional(cn: Calendar) -> None:
    last = max(china_schedule().years)
    first_uncovered = dt.datetime(last + 1, 1, 4, 10, tzinfo=CST)
    # Late in the last covered year, staying inside it: not provisional.
    inside = cn.add(dt.datetime(last, 12, 30, 10, tzinfo=CST), H)
    assert inside.provisional is False
    # Crossing into the uncovered year: provisional, and Monday-Friday is used.
    crossing = cn.add(dt.datetime(last, 12, 31, 17, tzinfo=CST), 2 * H)
    assert crossing.provisional is True
    result = cn.add(first_uncovered, H)
    assert result.provisional is True
    assert cn.between(first_uncovered, result.at).provisional is True
    assert cn.add_working_days(first_uncovered, 1).provisional is True
    assert cn.day(first_uncovered.date()).provisional is True


SCHEDULE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知 (test data, not the real notice)
year 2027
2027-01-01 holiday 元旦 / New Year's Day
2027-02-05..2027-02-12 休 春节 / Spring Festival
2027-02-13 班 春节调休 / Spring Festival make-up day
"""


def test_imported_schedule_ends_the_fallback(cn: Calendar) -> None:
    schedule = parse_schedule(SCHEDULE_2027, name="cn-2027")
    merged = cn.with_schedule(schedule)
    assert not merged.day(dt.date(2027, 2, 8)).spans  # Monday in the Spring Festival
    assert merged.day(dt.date(2027, 2, 13)).spans  # make-up Saturday
    result = merged.add(at("2027-02-04T17:00:00+08:00"), 2 * H)
    assert result.at.isoformat() == "2027-02-13T10:00:00+08:00"
    assert result.provisional is False
    # The original calendar is unchanged (calendars are immutable values).
    # Thursday 11 February: past the statutory days (known by rule), only the notice closes it.
    assert cn.day(dt.date(2027, 2, 11)).spans
    assert not merged.day(dt.date(2027, 2, 11)).spans
    assert cn.add(at("2027-02-04T17:00:00+08:00"), 2 * H).provisional is True
    # The package's own years keep their data.
    assert merged.add(at("2026-09-30T16:00:00+08:00"), WorkingDays(10)).at == at(
        "2026-10-20T18:00:00+08:00"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-01-01 holiday\n", "no 'year YYYY' line"),
        ("year 2027\n2027-02-30 holiday\n", "line 2: bad date '2027-02-30'"),
        ("year 2027\n2027-02-01 vacation\n", "line 2: bad kind 'vacation'"),
        ("year 2027\n2027-02-03..2027-02-01 off\n", "line 2: bad date range"),
        ("year 2027\n2027-02-01 off\n2027-02-01 work\n", "line 3: date 2027-02-01 is listed"),
        ("year 2027\n2030-02-01 off\n", "outside the declared years"),
        ("year twenty\n", "line 1: bad year line"),
    ],
)
def test_schedule_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as excinfo:
        parse_schedule(text)
    assert " / " in str(excinfo.value)  # both languages on the one line


def test_24x7() -> None:
    always = builtin_calendar("24x7")
    start = at("2026-10-01T03:00:00+08:00")
    assert always.add(start, 48 * H).at == start + 48 * H
    assert always.add_working_days(start, 1).at.isoformat() == "2026-10-03T00:00:00+08:00"
    assert always.between(start, start + 5 * H).duration == 5 * H
    assert always.add(start, H).provisional is False


def test_berlin_dst_days() -> None:
    berlin = Calendar("berlin-24x7", "Europe/Berlin", ["00:00-24:00"] * 7)
    spring = dt.datetime(2026, 3, 29, tzinfo=ZoneInfo("Europe/Berlin"))
    autumn = dt.datetime(2026, 10, 25, tzinfo=ZoneInfo("Europe/Berlin"))
    assert berlin.between(spring, spring + dt.timedelta(days=1)).duration == 23 * H
    assert berlin.between(autumn, autumn + dt.timedelta(days=1)).duration == 25 * H
    # 09:00 + 1h on the spring day is 10:00 local, 2h of absolute time after midnight+7.
    office = Calendar("berlin-office", "Europe/Berlin", ["09:00-17:00"] * 5 + ["", ""])
    friday = dt.datetime(2026, 3, 27, 16, tzinfo=ZoneInfo("Europe/Berlin"))
    assert office.add(friday, 2 * H).at.isoformat() == "2026-03-30T10:00:00+02:00"


def test_validation() -> None:
    cn = builtin_calendar("cn-5x8")
    with pytest.raises(ValueError, match="aware datetime"):
        cn.add(dt.datetime(2026, 9, 30, 10), H)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="must not be negative"):
        cn.add(at("2026-09-30T10:00:00+08:00"), -H)
    with pytest.raises(ValueError, match="at least 1"):
        cn.add_working_days(at("2026-09-30T10:00:00+08:00"), 0)
    with pytest.raises(ValueError, match="outside the supported years"):
        cn.add(at("1960-01-01T10:00:00+08:00"), H)
    with pytest.raises(ValueError, match="bad span"):
        parse_spans("12:00-09:00")
    with pytest.raises(ValueError, match="bad time"):
        parse_spans("09:00-25:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        Calendar("x", "Mars/Olympus", [""] * 7)
    with pytest.raises(ValueError, match="not enough working time"):
        Calendar("never", "UTC", [""] * 7).add(at("2026-01-01T00:00:00+00:00"), H)
    with pytest.raises(KeyError, match="unknown calendar"):
        builtin_calendar("nope")


def test_cn_working_days_match_chinesecalendar(cn: Calendar) -> None:
    """The two maintained packages agree on every day they both cover (2006-2026).

    They differ on one date before that: 2005-12-31 (a Saturday) is a working day in
    ``holidays`` and a rest day in ``chinesecalendar``.
    """
    chinese_calendar = pytest.importorskip("chinese_calendar")
    last = min(max(china_schedule().years), 2026)
    day = dt.date(2006, 1, 1)
    disagreements = []
    while day <= dt.date(last, 12, 31):
        if bool(cn.day(day).spans) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += dt.timedelta(days=1)
    assert disagreements == []


def test_tables_extend_both_ways() -> None:
    cal = Calendar("fresh", "Asia/Shanghai", ["09:00-18:00"] * 5 + ["", ""])
    late = cal.add(at("2090-06-01T09:00:00+08:00"), 9 * H)
    early = cal.add(at("1995-06-01T09:00:00+08:00"), 9 * H)
    assert late.at.isoformat() == "2090-06-01T18:00:00+08:00"
    assert early.at.isoformat() == "1995-06-01T18:00:00+08:00"
    # A duration longer than the first table forces forward extension.
    long = cal.add(at("2026-01-05T09:00:00+08:00"), dt.timedelta(hours=9 * 5 * 52 * 10))
    assert long.at.year in (2035, 2036)
