"""Properties of calendar arithmetic, and a cross-check against a minute-by-minute oracle.

The oracle knows nothing of interval tables: it walks UTC minutes, converts each to local
time and asks the raw rules (weekday spans, closed and opened dates; for China, the
*other* package, chinesecalendar) whether that minute is working time.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.calendar import Calendar, builtin_calendar
from baozhang.core.calendar_timer import Pause, Timer

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
MINUTE = dt.timedelta(minutes=1)

# Berlin office: lunch break, an early Friday, a Saturday morning, spans touching the DST
# hours (00:00-01:00 and 03:00-...), one closed and one extra date around each change.
BERLIN_WEEK = [
    "00:00-01:00,08:00-12:00,13:00-17:00",
    "08:00-12:00,13:00-17:00",
    "08:00-12:00,13:00-17:00",
    "08:00-12:00,13:00-17:00",
    "08:00-14:00",
    "09:00-13:00",
    "01:00-02:00,03:00-05:00,22:00-24:00",
]
BERLIN_CLOSED = {dt.date(2026, 3, 30): "closed", dt.date(2026, 10, 26): "closed"}
BERLIN_OPENED = {dt.date(2026, 3, 28): "open", dt.date(2026, 10, 24): "open"}


def berlin_calendar() -> Calendar:
    return Calendar(
        "berlin",
        BERLIN,
        BERLIN_WEEK,
        closed=BERLIN_CLOSED,
        opened=BERLIN_OPENED,
        workday_spans="08:00-12:00,13:00-17:00",
    )


def _spans(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        a, b = part.split("-")
        out.append((int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])))
    return out


def berlin_rule(local: dt.datetime) -> bool:
    day = local.date()
    if day in BERLIN_CLOSED:
        return False
    spans = (
        _spans("08:00-12:00,13:00-17:00")
        if day in BERLIN_OPENED
        else _spans(BERLIN_WEEK[day.weekday()])
    )
    minute = local.hour * 60 + local.minute
    return any(a <= minute < b for a, b in spans)


@functools.cache
def china_workday(day: dt.date) -> bool:
    import chinese_calendar  # type: ignore[import-untyped]

    return bool(chinese_calendar.is_workday(day))


def china_rule(local: dt.datetime) -> bool:
    if not china_workday(local.date()):
        return False
    minute = local.hour * 60 + local.minute
    return 9 * 60 <= minute < 12 * 60 or 13 * 60 <= minute < 18 * 60


def oracle_add(
    rule: Callable[[dt.datetime], bool], tz: ZoneInfo, start: dt.datetime, minutes: int
) -> dt.datetime:
    t = start.astimezone(dt.UTC)
    while True:
        if rule(t.astimezone(tz)):
            minutes -= 1
            if minutes == 0:
                return t + MINUTE
        t += MINUTE


def oracle_between(
    rule: Callable[[dt.datetime], bool], tz: ZoneInfo, a: dt.datetime, b: dt.datetime
) -> dt.timedelta:
    t, end, n = a.astimezone(dt.UTC), b.astimezone(dt.UTC), 0
    while t < end:
        n += rule(t.astimezone(tz))
        t += MINUTE
    return n * MINUTE


CASES = [
    ("cn-5x8", SHANGHAI, dt.datetime(2025, 1, 1, tzinfo=SHANGHAI), 2 * 365, china_rule),
    # Around both 2026 DST changes in Berlin (Mar 29, Oct 25).
    ("berlin", BERLIN, dt.datetime(2026, 3, 20, tzinfo=BERLIN), 20, berlin_rule),
    ("berlin", BERLIN, dt.datetime(2026, 10, 16, tzinfo=BERLIN), 20, berlin_rule),
]


@pytest.mark.parametrize(("name", "tz", "base", "days", "rule"), CASES)
def test_against_minute_oracle(
    name: str,
    tz: ZoneInfo,
    base: dt.datetime,
    days: int,
    rule: Callable[[dt.datetime], bool],
) -> None:
    pytest.importorskip("chinese_calendar")
    cal = builtin_calendar(name) if name == "cn-5x8" else berlin_calendar()
    rnd = random.Random(f"{name}{base}")
    for _ in range(25):
        start = base.astimezone(dt.UTC) + rnd.randrange(days * 24 * 60) * MINUTE
        minutes = rnd.choice([1, 59, 60, 179, 180, 181, 480, rnd.randrange(1, 3000)])
        expected = oracle_add(rule, tz, start, minutes)
        got = cal.add(start, minutes * MINUTE)
        assert got.at == expected, (start, minutes)
        assert got.at.utcoffset() == expected.astimezone(tz).utcoffset()
        end = start + rnd.randrange(0, 4 * 24 * 60) * MINUTE
        assert cal.between(start, end).duration == oracle_between(rule, tz, start, end)


CN = builtin_calendar("cn-5x8")
BERLIN_CAL = berlin_calendar()

calendars = st.sampled_from([CN, BERLIN_CAL])
moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=dt.datetime(2027, 6, 30),  # noqa: DTZ001
    timezones=st.sampled_from([SHANGHAI, BERLIN, dt.UTC]),
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=400))
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(calendars, moments, durations)
def test_between_inverts_add(cal: Calendar, start: dt.datetime, d: dt.timedelta) -> None:
    end = cal.add(start, d)
    assert end.at >= start
    assert cal.between(start, end.at).duration == d
    if d:
        # The deadline is the end of working time: the moment just before it is open.
        assert cal.is_open(end.at - dt.timedelta(microseconds=1))


@FAST
@given(calendars, moments, durations, durations)
def test_add_is_monotonic_in_duration(
    cal: Calendar, start: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    assert cal.add(start, d1).at <= cal.add(start, d2).at


@FAST
@given(calendars, moments, moments, durations)
def test_add_is_monotonic_in_start(
    cal: Calendar, a: dt.datetime, b: dt.datetime, d: dt.timedelta
) -> None:
    a, b = min(a, b), max(a, b)
    assert cal.add(a, d).at <= cal.add(b, d).at


@FAST
@given(calendars, moments, moments, moments)
def test_between_adds_up(cal: Calendar, a: dt.datetime, b: dt.datetime, c: dt.datetime) -> None:
    assert cal.between(a, b).duration + cal.between(b, c).duration == (cal.between(a, c).duration)


@FAST
@given(
    calendars,
    moments,
    st.lists(st.timedeltas(dt.timedelta(0), dt.timedelta(days=5)), min_size=1, max_size=7),
)
def test_pauses_add_up(cal: Calendar, start: dt.datetime, steps: list[dt.timedelta]) -> None:
    """used + business time in pauses == business time from start to now."""
    marks = [start]
    for step in steps:
        marks.append(marks[-1] + step)
    now = marks[-1]
    pause_marks = marks[1:-1]
    pauses = tuple(
        Pause(pause_marks[k], pause_marks[k + 1] if k + 1 < len(pause_marks) else None)
        for k in range(0, len(pause_marks), 2)
    )
    timer = Timer(start, dt.timedelta(hours=30), pauses)
    state = timer.state(cal, now)
    paused = sum((cal.between(p.at, p.until or now).duration for p in pauses), dt.timedelta(0))
    assert state.used + paused == cal.between(start, now).duration
    assert state.left == dt.timedelta(hours=30) - state.used
    assert state.paused == (pauses != () and pauses[-1].until is None)
    if state.deadline is None:
        assert state.paused and state.left > dt.timedelta(0)
    else:
        # Counting up to the deadline, without the pauses before it, gives the target.
        deadline = state.deadline
        in_pauses = sum(
            (
                cal.between(p.at, min(p.until or deadline, deadline)).duration
                for p in pauses
                if p.at < deadline
            ),
            dt.timedelta(0),
        )
        assert cal.between(start, deadline).duration - in_pauses == dt.timedelta(hours=30)
