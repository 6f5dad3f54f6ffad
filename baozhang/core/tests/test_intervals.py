"""Interval arithmetic: table tests, then properties against a minute-set model.

The model: an interval set is the set of whole minutes it covers (all generated intervals
start and end on whole minutes), so union, difference and intersection are Python's own
set operations.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.calendar import builtin_calendar
from baozhang.core.intervals import (
    Interval,
    business_total,
    clip,
    complement,
    intersect,
    merge,
    subtract,
    total,
)

SH = ZoneInfo("Asia/Shanghai")
BASE = dt.datetime(2026, 10, 1, tzinfo=SH)
MIN = dt.timedelta(minutes=1)


def t(minute: int) -> dt.datetime:
    return BASE + minute * MIN


def iv(a: int, b: int, kind: str = "", reason: str = "") -> Interval:
    return Interval(t(a), t(b), kind, reason)


def spans(items: tuple[Interval, ...]) -> list[tuple[int, int, str]]:
    """(start minute, end minute, kind) of each interval, to compare with tables."""
    return [((i.start - BASE) // MIN, (i.end - BASE) // MIN, i.kind) for i in items]


# --- the value type ---------------------------------------------------------------------


def test_interval_is_stored_in_utc_and_measures_wall_time_across_dst() -> None:
    # Given the night Berlin's clocks go back (2026-10-25, 03:00 CEST → 02:00 CET)
    berlin = ZoneInfo("Europe/Berlin")
    night = Interval(
        dt.datetime(2026, 10, 25, tzinfo=berlin), dt.datetime(2026, 10, 25, 4, tzinfo=berlin)
    )
    # Then four hours on the wall clock are five real hours
    assert night.duration == dt.timedelta(hours=5)
    assert night.start.tzinfo is dt.UTC
    assert night.start == dt.datetime(2026, 10, 24, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (t(10), t(10), "must be before its end"),
        (t(10), t(5), "区间开始"),
        (dt.datetime(2026, 10, 1), t(5), "aware datetime"),  # noqa: DTZ001 - naive on purpose
        ("2026-10-01", t(5), "带时区偏移"),
    ],
)
def test_interval_refuses_bad_bounds(start: object, end: dt.datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Interval(start, end)  # type: ignore[arg-type]


def test_functions_refuse_things_that_are_not_intervals() -> None:
    with pytest.raises(ValueError, match="must hold Interval values"):
        merge([(t(0), t(1))])  # type: ignore[list-item]


# --- table tests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], []),
        ([iv(0, 10, "down")], [(0, 10, "down")]),
        # overlapping, given out of order
        ([iv(5, 15, "down"), iv(0, 10, "down")], [(0, 15, "down")]),
        # touching intervals join: [0, 10) and [10, 20) leave no gap
        ([iv(0, 10, "down"), iv(10, 20, "down")], [(0, 20, "down")]),
        # one inside another
        ([iv(0, 30, "down"), iv(10, 20, "down")], [(0, 30, "down")]),
        # apart: stay apart
        ([iv(0, 10, "down"), iv(11, 20, "down")], [(0, 10, "down"), (11, 20, "down")]),
        # different kinds merged: both named, in order of start
        ([iv(5, 20, "maintenance"), iv(0, 10, "down")], [(0, 20, "down+maintenance")]),
    ],
)
def test_merge(given: list[Interval], expected: list[tuple[int, int, str]]) -> None:
    assert spans(merge(given)) == expected


def test_merge_keeps_each_distinct_reason() -> None:
    merged = merge(
        [iv(0, 10, "x", "fibre cut"), iv(5, 20, "x", "fibre cut"), iv(8, 9, "x", "power")]
    )
    assert merged == (iv(0, 20, "x", "fibre cut; power"),)


def test_clip_keeps_kinds_and_drops_what_is_outside() -> None:
    given = [
        iv(-30, -10, "before"),
        iv(-5, 5, "a"),
        iv(20, 30, "b"),
        iv(55, 70, "c"),
        iv(60, 90, "after"),
    ]
    assert spans(clip(given, t(0), t(60))) == [(0, 5, "a"), (20, 30, "b"), (55, 60, "c")]
    assert clip(given, t(0), t(0)) == ()
    with pytest.raises(ValueError, match="before its start"):
        clip(given, t(60), t(0))


@pytest.mark.parametrize(
    ("given", "removed", "expected"),
    [
        # a 45-minute outage with a 30-minute maintenance window at its start: 15 minutes left
        ([iv(0, 45, "down")], [iv(0, 30, "maint")], [(30, 45, "down")]),
        # a hole in the middle splits the interval; both parts keep the kind
        ([iv(0, 60, "down")], [iv(20, 30, "maint")], [(0, 20, "down"), (30, 60, "down")]),
        # removing overlapping pieces counts them once
        (
            [iv(0, 60, "down")],
            [iv(10, 30, "a"), iv(20, 40, "b")],
            [(0, 10, "down"), (40, 60, "down")],
        ),
        # all removed
        ([iv(10, 20, "down")], [iv(0, 60, "maint")], []),
        # nothing removed
        ([iv(10, 20, "down"), iv(0, 5, "down")], [], [(0, 5, "down"), (10, 20, "down")]),
        # each input interval is cut on its own (inputs are not merged)
        (
            [iv(0, 20, "a"), iv(10, 30, "b")],
            [iv(12, 15)],
            [(0, 12, "a"), (10, 12, "b"), (15, 20, "a"), (15, 30, "b")],
        ),
    ],
)
def test_subtract(
    given: list[Interval], removed: list[Interval], expected: list[tuple[int, int, str]]
) -> None:
    assert spans(subtract(given, removed)) == expected


def test_intersect_keeps_the_kinds_of_the_first_argument() -> None:
    exclusions = [iv(0, 30, "force_majeure"), iv(50, 70, "customer_caused")]
    window = [iv(10, 60, "window")]
    assert spans(intersect(exclusions, window)) == [
        (10, 30, "force_majeure"),
        (50, 60, "customer_caused"),
    ]


def test_complement_names_the_gaps() -> None:
    observed = [iv(10, 20), iv(15, 30), iv(40, 50)]
    gaps = complement(observed, t(0), t(60), "not_observed", "no data")
    assert spans(gaps) == [
        (0, 10, "not_observed"),
        (30, 40, "not_observed"),
        (50, 60, "not_observed"),
    ]
    assert gaps[0].reason == "no data"
    assert complement([], t(0), t(0)) == ()


def test_total_counts_overlaps_once() -> None:
    assert total([iv(0, 30), iv(20, 45), iv(60, 61)]) == dt.timedelta(minutes=46)
    assert total([]) == dt.timedelta(0)


def test_business_total_on_cn_5x8_across_national_day() -> None:
    # From 08:00 on Wed 30 Sep 2026 to 10:00 on Thu 8 Oct: 30 Sep counts 09-12 and 13-18
    # (8 h), 1-7 Oct are holidays, 8 Oct counts 09-10 (1 h); the overlap counts once.
    cn = builtin_calendar("cn-5x8")
    a = Interval(dt.datetime(2026, 9, 30, 8, tzinfo=SH), dt.datetime(2026, 10, 8, 10, tzinfo=SH))
    b = Interval(dt.datetime(2026, 10, 2, tzinfo=SH), dt.datetime(2026, 10, 8, 9, 30, tzinfo=SH))
    result = business_total([a, b], cn)
    assert result.duration == dt.timedelta(hours=9)
    assert result.provisional is False
    assert business_total([], cn).duration == dt.timedelta(0)


# --- properties against the minute-set model ---------------------------------------------

KINDS = st.sampled_from(["", "down", "maint"])


@st.composite
def interval_sets(draw: st.DrawFn) -> list[Interval]:
    n = draw(st.integers(0, 8))
    out = []
    for _ in range(n):
        a = draw(st.integers(0, 300))
        length = draw(st.integers(1, 120))
        out.append(iv(a, a + length, draw(KINDS)))
    return out


def minutes(items: tuple[Interval, ...] | list[Interval]) -> set[int]:
    covered: set[int] = set()
    for i in items:
        covered.update(range((i.start - BASE) // MIN, (i.end - BASE) // MIN))
    return covered


def disjoint_sorted(items: tuple[Interval, ...]) -> bool:
    return all(a.end < b.start for a, b in itertools.pairwise(items))


@settings(max_examples=150, deadline=None)
@given(interval_sets())
def test_merge_is_the_union_disjoint_and_idempotent(a: list[Interval]) -> None:
    merged = merge(a)
    assert minutes(merged) == minutes(a)
    assert disjoint_sorted(merged)  # touching intervals were joined too
    assert merge(merged) == merged
    assert total(a) == len(minutes(a)) * MIN


@settings(max_examples=150, deadline=None)
@given(interval_sets(), interval_sets())
def test_subtract_and_intersect_partition_the_original(
    a: list[Interval], b: list[Interval]
) -> None:
    rest = subtract(a, b)
    common = intersect(a, b)
    assert minutes(rest) == minutes(a) - minutes(b)
    assert minutes(common) == minutes(a) & minutes(b)
    # the two parts never overlap and add up to the original
    assert intersect(rest, common) == ()
    assert total(rest) + total(common) == total(a)
    # every part keeps the kind of an interval of ``a`` that contains it
    for part in (*rest, *common):
        assert any(x.kind == part.kind and x.start <= part.start and part.end <= x.end for x in a)


@settings(max_examples=100, deadline=None)
@given(interval_sets(), interval_sets(), st.integers(0, 200), st.integers(0, 200))
def test_totals_add_up(a: list[Interval], b: list[Interval], lo: int, width: int) -> None:
    # union = a + b - (a ∩ b)
    assert total([*a, *b]) == total(a) + total(b) - total(intersect(a, b))
    # clipping is intersecting with the window; the complement fills the rest of it
    clipped = clip(a, t(lo), t(lo + width))
    assert minutes(clipped) == minutes(a) & set(range(lo, lo + width))
    gaps = complement(a, t(lo), t(lo + width))
    assert total(gaps) + total(clipped) == width * MIN
    # on a calendar that is always open, business time is wall time
    assert business_total(a, builtin_calendar("24x7")).duration == total(a)


@settings(max_examples=150, deadline=None)
@given(interval_sets(), interval_sets(), st.integers(0, 200), st.integers(0, 200))
def test_parts_made_without_checks_are_ones_the_checks_accept(
    a: list[Interval], b: list[Interval], lo: int, width: int
) -> None:
    """clip, subtract and intersect build their parts without checking them again: each
    part is non-empty, in UTC, and equal to the same interval built with the checks —
    also when the window is given in another zone."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    window = (t(lo).astimezone(shanghai), t(lo + width).astimezone(shanghai))
    for part in (*clip(a, *window), *subtract(a, b), *intersect(a, b)):
        assert part.start < part.end
        assert part.start.tzinfo is dt.UTC and part.end.tzinfo is dt.UTC
        assert Interval(part.start, part.end, part.kind, part.reason) == part
