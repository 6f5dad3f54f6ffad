"""设备完好率 and 线路可用率 from records (core.equipment), against hand calculations."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from baozhang.core.calendar import builtin_calendar
from baozhang.core.equipment import (
    _clipped_union,
    _minus,
    fleet,
    record_intervals,
    reporting_gaps,
    required_time,
    unit_figures,
)
from baozhang.core.intervals import Interval, business_total, clip, merge, subtract, total

UTC = dt.UTC
START = dt.datetime(2026, 11, 1, tzinfo=UTC)
END = dt.datetime(2026, 12, 1, tzinfo=UTC)  # 30 days


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_line_availability_excludes_the_announced_window_and_counts_the_rest() -> None:
    # Down 43 minutes, the first 30 of them inside a two-hour announced window.
    down = [Interval(at(10, 2, 30), at(10, 3, 13), "down")]
    window = [Interval(at(10, 1), at(10, 3), "maintenance", "fibre work")]
    f = unit_figures(start=START, end=END, outages=down, exclusions=window)
    required = 30 * 24 * 60
    counted = required - 120
    assert f.required_time == dt.timedelta(minutes=required)
    assert f.excluded_time == dt.timedelta(minutes=120)
    assert f.outage_time == dt.timedelta(minutes=13)
    assert f.outage_count == 1
    assert f.percent == Decimal(counted - 13) * 100 / Decimal(counted)
    assert f.excluded[0].reason == "fibre work"
    assert not f.intact


def test_overlapping_records_count_once_and_a_split_outage_is_one() -> None:
    monitor = Interval(at(3, 10), at(3, 11), "down")
    fault = Interval(at(3, 10, 30), at(3, 12), "fault")
    window = Interval(at(3, 10, 40), at(3, 10, 50), "maintenance")
    f = unit_figures(start=START, end=END, outages=[monitor, fault], exclusions=[window])
    assert f.outage_time == dt.timedelta(minutes=110)
    assert f.outage_count == 1
    assert len(f.outage) == 2  # before and after the window


def test_business_calendar_counts_only_required_time() -> None:
    cal = builtin_calendar("cn-5x8")  # 09:00-12:00, 13:00-18:00 Asia/Shanghai, working days
    # Monday 2026-11-02, 12:00-14:00 Shanghai = 04:00-06:00 UTC: one hour required.
    down = [Interval(at(2, 4), at(2, 6), "down")]
    # Sunday 2026-11-01, all day: nothing required.
    sunday = Interval(at(1, 0), at(1, 10), "down")
    f = unit_figures(start=START, end=END, outages=[*down, sunday], calendar=cal)
    assert f.outage_time == dt.timedelta(hours=1)
    assert f.outage_count == 1
    assert f.required_time == cal.between(START, END).duration


def test_fleet_counts_time_and_units_intact() -> None:
    a = unit_figures(start=START, end=END, outages=[Interval(at(5, 0), at(5, 6))])
    b = unit_figures(start=START, end=END, outages=[])
    c = unit_figures(start=START, end=END, outages=[])
    f = fleet([a, b, c])
    assert (f.units, f.intact_units, f.outage_count) == (3, 2, 1)
    whole = 3 * 30 * 24
    assert f.time_percent == Decimal(whole - 6) * 100 / Decimal(whole)
    assert f.unit_percent == Decimal(2) * 100 / Decimal(3)
    assert fleet([]).unit_percent is None


def test_a_source_that_stopped_reporting_has_its_gap() -> None:
    step = dt.timedelta(minutes=1)
    times = [START + i * step for i in range(0, 60)]  # the first hour
    times += [START + i * step for i in range(120, 180)]  # silent from 01:00 to 02:00
    gaps = reporting_gaps(
        times, start=START, end=at(1, 3), tolerance=dt.timedelta(minutes=3), reason="east"
    )
    # Last report 00:59, expected by 01:02; the next came at 02:00. 02:59 to 03:00 is fine.
    assert [(g.start, g.end) for g in gaps] == [(at(1, 1, 2), at(1, 2))]
    assert gaps[0].kind == "interruption" and gaps[0].reason == "east"
    # Silent from the start: the whole period less the tolerance.
    none = reporting_gaps([], start=START, end=at(1, 1), tolerance=dt.timedelta(minutes=5))
    assert [(g.start, g.end) for g in none] == [(at(1, 0, 5), at(1, 1))]


def test_bad_periods_are_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match="统计期"):
        unit_figures(start=END, end=START, outages=[])
    with pytest.raises(ValueError, match="必须带时区"):
        unit_figures(start=START.replace(tzinfo=None), end=END, outages=[])


# --- the fast paths equal the checked ones --------------------------------------------------

_SH = dt.timezone(dt.timedelta(hours=8))
_T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@st.composite
def _records(draw: st.DrawFn) -> list[Interval]:
    out = []
    for _ in range(draw(st.integers(0, 10))):
        a = draw(st.integers(-60, 400))
        length = draw(st.integers(1, 150))
        zone = draw(st.sampled_from([dt.UTC, _SH]))
        out.append(
            Interval(
                (_T0 + dt.timedelta(minutes=a)).astimezone(zone),
                (_T0 + dt.timedelta(minutes=a + length)).astimezone(zone),
                draw(st.sampled_from(["down", "fault", ""])),
                draw(st.sampled_from(["", "power", "link"])),
            )
        )
    return out


@hsettings(max_examples=200, deadline=None)
@given(_records(), _records(), st.integers(0, 100), st.integers(1, 300))
def test_a_units_figures_equal_those_of_the_checked_interval_functions(
    outages: list[Interval], windows: list[Interval], a: int, length: int
) -> None:
    start = (_T0 + dt.timedelta(minutes=a)).astimezone(_SH)
    end = start + dt.timedelta(minutes=length)
    assert _clipped_union(outages, start, end) == merge(clip(outages, start, end))
    down, cover = _clipped_union(outages, start, end), _clipped_union(windows, start, end)
    assert _minus(down, cover) == subtract(down, cover)
    fast = unit_figures(
        start=start,
        end=end,
        outages=outages,
        exclusions=windows,
        required_time=required_time(start, end, None),
    )
    excluded = merge(clip(windows, start, end))
    counted = subtract(merge(clip(outages, start, end)), excluded)
    assert fast.excluded == excluded
    assert fast.outage == merge(counted)
    assert fast.outage_time == total(counted)
    assert fast.required_time == end - start


_WORKDAY = dt.datetime(2025, 1, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai, a working day


@hsettings(max_examples=200, deadline=None)
@given(_records(), _records(), st.integers(0, 100), st.integers(1, 600), st.booleans())
def test_outage_count_and_business_time_equal_those_of_the_checked_interval_functions(
    outages: list[Interval], windows: list[Interval], a: int, length: int, on_calendar: bool
) -> None:
    # The records moved to a working day, so that the cn-5x8 calendar's morning, lunch
    # break and evening cut them.
    shift = _WORKDAY - _T0
    outages = [Interval(i.start + shift, i.end + shift, i.kind, i.reason) for i in outages]
    windows = [Interval(i.start + shift, i.end + shift, i.kind, i.reason) for i in windows]
    calendar = builtin_calendar("cn-5x8") if on_calendar else None
    start = (_WORKDAY + dt.timedelta(minutes=a)).astimezone(_SH)
    end = start + dt.timedelta(minutes=length)
    fast = unit_figures(
        start=start,
        end=end,
        outages=outages,
        exclusions=windows,
        calendar=calendar,
        required_time=required_time(start, end, calendar),
    )
    # As the figures were computed before: merged, clipped and subtracted by the checked
    # functions, lengths by total and business_total, each piece's outage by bisection.
    excluded = merge(clip(windows, start, end))
    down = merge(clip(outages, start, end))
    counted = subtract(down, excluded)
    if calendar is None:
        excluded_time, outage_time = total(excluded), total(counted)
    else:
        counted = tuple(i for i in counted if calendar.between(i.start, i.end).duration)
        excluded_time = business_total(excluded, calendar).duration
        outage_time = business_total(counted, calendar).duration
    starts = [d.start for d in down]
    parents = {bisect_right(starts, piece.start) - 1 for piece in counted}
    assert fast.excluded == excluded
    assert fast.excluded_time == excluded_time
    assert fast.outage == merge(counted)
    assert fast.outage_time == outage_time
    assert fast.outage_count == len(parents)
    assert fast.required_time == required_time(start, end, calendar)
    assert fast == unit_figures(
        start=start, end=end, outages=outages, exclusions=windows, calendar=calendar
    )


def test_records_from_a_database_become_intervals_in_utc_and_empty_ones_are_left_out() -> None:
    shanghai = _T0.astimezone(_SH)
    got = record_intervals(
        [
            (1, _T0.timestamp(), _T0.timestamp() + 90.000001, "down", "a"),
            (1, shanghai, shanghai + dt.timedelta(minutes=5), "down", "b"),
            (2, _T0.timestamp(), _T0.timestamp(), "down", "empty"),
            (2, _T0, _T0 - dt.timedelta(seconds=1), "down", "reversed"),
        ]
    )
    assert got == {
        1: [
            Interval(_T0, _T0 + dt.timedelta(seconds=90, microseconds=1), "down", "a"),
            Interval(_T0, _T0 + dt.timedelta(minutes=5), "down", "b"),
        ]
    }
    assert all(i.start.tzinfo is dt.UTC for i in got[1])
