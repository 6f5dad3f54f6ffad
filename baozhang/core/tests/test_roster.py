"""Roster check: table tests, then a property against a minute-by-minute model.

The model reads the promise literally: for every minute of the window it asks the
calendar whether that local day has working spans and whether the minute lies in one and
in the day-shift hours, and counts the distinct people whose shifts hold that minute.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.calendar import Calendar, Span, builtin_calendar
from baozhang.core.roster import (
    CoverageGap,
    DayShiftShortfall,
    GapKind,
    PlannedShift,
    Promise,
    check_roster,
)

SH = ZoneInfo("Asia/Shanghai")
MIN = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
MONDAY = dt.datetime(2026, 9, 14, tzinfo=SH)  # an ordinary working week
SEATS = ["A", "B", "C"]
STAFF = ["li", "wang", "zhang", "zhao", "chen"]


def at(day: dt.datetime, hhmm: str) -> dt.datetime:
    h, m = hhmm.split(":")
    return day + dt.timedelta(hours=int(h), minutes=int(m))


def shift(person: str, start: dt.datetime, end: dt.datetime, seat: str = "") -> PlannedShift:
    return PlannedShift(start, end, person, seat)


def d7(calendar: str = "24x7", **kw: object) -> Promise:
    return Promise(builtin_calendar(calendar), **kw)  # type: ignore[arg-type]


def realistic_week(monday: dt.datetime = MONDAY) -> list[PlannedShift]:
    """Two people on each day shift Mon–Sun (09:00-18:00), one at night (18:00-09:00)."""
    day_pairs = [("li", "wang"), ("zhang", "zhao")]
    night = ["chen", "li", "wang", "zhang", "zhao", "chen", "li"]
    out = []
    for n in range(7):
        day = monday + n * D
        a, b = day_pairs[n % 2]
        out.append(shift(a, at(day, "09:00"), at(day, "18:00"), "A"))
        out.append(shift(b, at(day, "09:00"), at(day, "18:00"), "B"))
        out.append(shift(night[n], at(day, "18:00"), at(day + D, "09:00"), "C"))
    # The night before Monday, so that Monday 00:00-09:00 is covered.
    out.append(shift("chen", at(monday - D, "18:00"), at(monday, "09:00"), "C"))
    return out


def check(promise: Promise, shifts: list[PlannedShift], start: dt.datetime, end: dt.datetime):  # type: ignore[no-untyped-def]
    return check_roster(promise, shifts, start, end, seats=SEATS, staff=STAFF)


# -- tables -------------------------------------------------------------------------------


def test_the_default_d7_promise_is_kept_by_two_on_each_day_shift_and_one_at_night() -> None:
    report = check(d7(), realistic_week(), MONDAY, MONDAY + 7 * D)
    assert report.gaps == ()
    assert report.day_shift_shortfalls == ()
    assert report.seats.missing == 0 and report.staff.missing == 0
    assert report.ok


def test_removing_one_day_person_shows_the_exact_gap() -> None:
    wednesday = MONDAY + 2 * D
    shifts = [
        s
        for s in realistic_week()
        if not (s.person == "wang" and s.start == at(wednesday, "09:00"))
    ]
    report = check(d7(), shifts, MONDAY, MONDAY + 7 * D)
    assert report.gaps == (
        CoverageGap(
            at(wednesday, "09:00").astimezone(dt.UTC),
            at(wednesday, "18:00").astimezone(dt.UTC),
            GapKind.DAY_SHIFT,
            required=2,
            on_duty=1,
            day=wednesday.date(),
        ),
    )
    assert report.gaps[0].missing == 1
    assert report.day_shift_shortfalls == (DayShiftShortfall(wednesday.date(), 1, 2),)
    assert not report.ok


def test_a_missing_night_is_a_gap_on_each_side_of_midnight() -> None:
    tuesday = MONDAY + D
    shifts = [s for s in realistic_week() if s.start != at(tuesday, "18:00")]
    report = check(d7(), shifts, MONDAY, MONDAY + 7 * D)
    assert [(g.start, g.end, g.kind, g.missing) for g in report.gaps] == [
        (at(tuesday, "18:00"), at(tuesday + D, "00:00"), GapKind.COVERED_HOURS, 1),
        (at(tuesday + D, "00:00"), at(tuesday + D, "09:00"), GapKind.COVERED_HOURS, 1),
    ]
    assert report.day_shift_shortfalls == ()


def test_a_handover_at_the_same_minute_leaves_no_gap_and_a_late_one_does() -> None:
    day = MONDAY
    promise = d7(min_day_shift=1)
    on_time = [
        shift("li", at(day, "00:00"), at(day, "12:00")),
        shift("wang", at(day, "12:00"), at(day + D, "00:00")),
    ]
    assert check(promise, on_time, day, day + D).gaps == ()
    late = [on_time[0], shift("wang", at(day, "12:05"), at(day + D, "00:00"))]
    gaps = check(promise, late, day, day + D).gaps
    assert [(g.start, g.end, g.on_duty, g.required) for g in gaps] == [
        (at(day, "12:00"), at(day, "12:05"), 0, 1)
    ]


def test_a_person_on_two_overlapping_shifts_counts_once_and_is_double_booked() -> None:
    day = MONDAY
    first = shift("li", at(day, "09:00"), at(day, "15:00"), "A")
    second = shift("li", at(day, "14:00"), at(day, "18:00"), "B")
    other = shift("wang", at(day, "09:00"), at(day, "18:00"), "C")
    report = check(d7(min_on_duty=0), [first, second, other], at(day, "09:00"), at(day, "18:00"))
    assert report.gaps == ()  # 2 distinct people all day
    (booking,) = report.double_bookings
    assert (booking.person, booking.start, booking.end) == (
        "li",
        at(day, "14:00"),
        at(day, "15:00"),
    )
    assert report.seat_clashes == ()


def test_two_people_on_one_seat_at_once_is_a_seat_clash() -> None:
    day = MONDAY
    shifts = [
        shift("li", at(day, "09:00"), at(day, "13:00"), "A"),
        shift("wang", at(day, "12:00"), at(day, "18:00"), "A"),
        shift("zhao", at(day, "09:00"), at(day, "18:00"), "B"),
    ]
    report = check(d7(min_on_duty=0), shifts, at(day, "09:00"), at(day, "18:00"))
    (clash,) = report.seat_clashes
    assert (clash.seat, clash.start, clash.end) == ("A", at(day, "12:00"), at(day, "13:00"))
    assert {clash.first.person, clash.second.person} == {"li", "wang"}


def test_5x8_with_duty_on_rest_days_needs_someone_on_a_national_holiday() -> None:
    # 2026-10-01 (Thursday) is National Day; 2026-09-30 is a working day.
    sep30 = dt.datetime(2026, 9, 30, tzinfo=SH)
    oct1 = sep30 + D
    workday = [
        shift("li", at(sep30, "09:00"), at(sep30, "18:00")),
        shift("wang", at(sep30, "09:00"), at(sep30, "18:00")),
    ]
    report = check(d7("cn-5x8", min_on_duty=1), workday, sep30, oct1 + D)
    assert report.rest_days_without_duty == (oct1.date(),)
    assert [(g.start, g.end, g.kind, g.missing) for g in report.gaps] == [
        (at(oct1, "09:00"), at(oct1, "18:00"), GapKind.REST_DAY, 1)
    ]
    # Someone on duty for the day on the holiday keeps the promise; the lunch hour of the
    # working day is not covered by cn-5x8, so the two people may both take it.
    duty = [*workday, shift("zhao", at(oct1, "09:00"), at(oct1, "18:00"))]
    assert check(d7("cn-5x8"), duty, sep30, oct1 + D).ok
    # Without the rest-day promise the holiday needs nobody.
    assert check(d7("cn-5x8", duty_on_rest_days=False), workday, sep30, oct1 + D).ok


def test_the_lunch_hour_of_cn_5x8_needs_nobody_but_the_working_spans_need_two() -> None:
    sep30 = dt.datetime(2026, 9, 30, tzinfo=SH)
    one = [shift("li", at(sep30, "09:00"), at(sep30, "18:00"))]
    report = check(d7("cn-5x8"), one, sep30, sep30 + D)
    assert [(g.start, g.end, g.missing) for g in report.gaps] == [
        (at(sep30, "09:00"), at(sep30, "12:00"), 1),
        (at(sep30, "13:00"), at(sep30, "18:00"), 1),
    ]


@pytest.mark.parametrize(
    ("seats", "staff", "seat_missing", "staff_missing"),
    [(["A", "B", "C"], STAFF, 0, 0), (["A"], STAFF[:3], 2, 2), ([], [], 3, 5)],
)
def test_seat_and_staff_shortfalls(
    seats: list[str], staff: list[str], seat_missing: int, staff_missing: int
) -> None:
    report = check_roster(d7(), [], MONDAY, MONDAY + D, seats=seats, staff=staff)
    assert (report.seats.missing, report.staff.missing) == (seat_missing, staff_missing)
    assert (report.seats.required, report.staff.required) == (3, 5)


def test_seats_and_staff_default_to_those_of_the_shifts_in_the_window() -> None:
    report = check_roster(d7(), realistic_week(), MONDAY, MONDAY + 7 * D)
    assert (report.seats.have, report.staff.have) == (3, 5)


def test_the_window_clips_shifts_and_gaps() -> None:
    shifts = [shift("li", at(MONDAY, "00:00"), at(MONDAY, "20:00"))]
    report = check(d7(min_day_shift=1), shifts, at(MONDAY, "10:00"), at(MONDAY, "22:00"))
    assert [(g.start, g.end) for g in report.gaps] == [(at(MONDAY, "20:00"), at(MONDAY, "22:00"))]


@pytest.mark.parametrize(
    "make",
    [
        lambda: PlannedShift(MONDAY, MONDAY, "li"),
        lambda: PlannedShift(MONDAY + H, MONDAY, "li"),
        lambda: PlannedShift(dt.datetime(2026, 9, 14), MONDAY, "li"),  # noqa: DTZ001
        lambda: d7(min_staff=-1),
        lambda: d7(day_shift=Span(18 * 60, 9 * 60)),
        lambda: check_roster(d7(), [], MONDAY, MONDAY),
        lambda: check_roster(d7(), [], dt.datetime(2026, 9, 14), MONDAY + D),  # noqa: DTZ001
    ],
)
def test_bad_input_is_refused_with_a_bilingual_message(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=" / "):
        make()


# -- the property -------------------------------------------------------------------------

START = dt.datetime(2026, 9, 30, 6, tzinfo=SH)  # a working day before National Day
WINDOW_MINUTES = 2 * 24 * 60
STEP = 15  # shift edges on quarter hours keep the model fast and still hit every edge case
CALENDARS = [
    builtin_calendar("24x7"),
    builtin_calendar("cn-5x8"),
    Calendar("odd", "Asia/Shanghai", ["08:30-11:45,14:00-23:15"] * 4 + ["", "", "00:00-24:00"]),
]


def model(promise: Promise, shifts: list[PlannedShift], start: dt.datetime, minutes: int):  # type: ignore[no-untyped-def]
    """Per minute: (required, on duty, kind); plus day-shift minima and rest-day maxima."""
    cal = promise.calendar
    out = []
    fewest: dict[dt.date, int] = {}
    rest: dict[dt.date, int] = {}
    for m in range(minutes):
        t = start + m * MIN
        local = t.astimezone(cal.tz)
        minute = local.hour * 60 + local.minute
        spans = cal.day(local.date()).spans
        in_day = promise.day_shift.start <= minute < promise.day_shift.end
        people = {s.person for s in shifts if s.start <= t < s.end}
        required, kind = 0, None
        if any(a <= minute < b for a, b in spans):
            if in_day:
                required = max(promise.min_on_duty, promise.min_day_shift)
                kind = GapKind.DAY_SHIFT
                fewest[local.date()] = min(fewest.get(local.date(), 99), len(people))
            else:
                required, kind = promise.min_on_duty, GapKind.COVERED_HOURS
        elif not spans and promise.duty_on_rest_days and in_day:
            required, kind = 1, GapKind.REST_DAY
            rest[local.date()] = max(rest.get(local.date(), 0), len(people))
        out.append((required, len(people), kind))
    return out, fewest, rest


quarter = st.integers(min_value=-8, max_value=WINDOW_MINUTES // STEP + 8)
shift_strategy = st.builds(
    lambda person, a, length, seat: PlannedShift(
        START + a * STEP * MIN, START + (a + length) * STEP * MIN, person, seat
    ),
    st.sampled_from(["p1", "p2", "p3", "p4"]),
    quarter,
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["", "A", "B"]),
)


@settings(max_examples=60, deadline=None)
@given(
    shifts=st.lists(shift_strategy, max_size=10),
    calendar=st.sampled_from(CALENDARS),
    rest=st.booleans(),
    on_duty=st.integers(min_value=0, max_value=3),
    day_min=st.integers(min_value=0, max_value=3),
    day_shift=st.sampled_from([Span(540, 1080), Span(480, 1200), Span(0, 1440), Span(600, 690)]),
)
def test_the_sweep_agrees_with_a_minute_by_minute_model(
    shifts: list[PlannedShift],
    calendar: Calendar,
    rest: bool,
    on_duty: int,
    day_min: int,
    day_shift: Span,
) -> None:
    promise = Promise(
        calendar,
        duty_on_rest_days=rest,
        min_on_duty=on_duty,
        min_day_shift=day_min,
        day_shift=day_shift,
    )
    end = START + WINDOW_MINUTES * MIN
    report = check_roster(promise, shifts, START, end)
    minutes, fewest, rest_max = model(promise, shifts, START, WINDOW_MINUTES)

    # Every minute short in the model is in exactly one gap with the same figures.
    expected = {m: (req, have, kind) for m, (req, have, kind) in enumerate(minutes) if have < req}
    got: dict[int, tuple[int, int, GapKind | None]] = {}
    for gap in report.gaps:
        assert gap.start < gap.end
        first = (gap.start - START) // MIN
        last = (gap.end - START) // MIN
        for m in range(first, last):
            assert m not in got
            got[m] = (gap.required, gap.on_duty, gap.kind)
    assert got == expected
    # Gaps are in order and joined where they touch with the same figures on the same day.
    for a, b in zip(report.gaps, report.gaps[1:], strict=False):
        assert a.end <= b.start
        if a.end == b.start and a.day == b.day:
            assert (a.kind, a.required, a.on_duty) != (b.kind, b.required, b.on_duty)

    assert report.day_shift_shortfalls == tuple(
        DayShiftShortfall(d, n, day_min) for d, n in sorted(fewest.items()) if n < day_min
    )
    assert report.rest_days_without_duty == tuple(sorted(d for d, n in rest_max.items() if n == 0))

    # Double bookings: every overlapping pair of one person's shifts, nothing else.
    pairs = [
        (s.person, max(s.start, o.start), min(s.end, o.end))
        for i, s in enumerate(shifts)
        for o in shifts[i + 1 :]
        if s.person == o.person
        and s.start < o.end
        and o.start < s.end
        and s.start < end
        and s.end > START
        and o.start < end
        and o.end > START
    ]
    assert sorted((b.person, b.start, b.end) for b in report.double_bookings) == sorted(pairs)
    clashes = [
        (s.seat, max(s.start, o.start), min(s.end, o.end))
        for i, s in enumerate(shifts)
        for o in shifts[i + 1 :]
        if s.seat
        and s.seat == o.seat
        and s.person != o.person
        and s.start < o.end
        and o.start < s.end
        and s.start < end
        and s.end > START
        and o.start < end
        and o.end > START
    ]
    assert sorted((c.seat, c.start, c.end) for c in report.seat_clashes) == sorted(clashes)
