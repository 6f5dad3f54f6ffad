"""Rollups, 完好率 and availability: hand-checkable tables, then properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.intervals import Interval
from baozhang.core.monitor_rollup import (
    LATENCY_BOUNDS_MS,
    LatencyHistogram,
    Rollup,
    availability,
    integrity,
    merge_rollups,
    rollup,
    state_intervals,
)
from baozhang.core.monitor_state import CheckResult, MonitorStatus, Transition

BASE = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
DAY_END = BASE + dt.timedelta(days=1)
MINUTE = dt.timedelta(minutes=1)
UP, DOWN, UNKNOWN, MAINT = (
    MonitorStatus.UP,
    MonitorStatus.DOWN,
    MonitorStatus.UNKNOWN,
    MonitorStatus.MAINTENANCE,
)


def m(minutes: float) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minutes)


def day_of_checks(failed: set[int], missed: set[int]) -> list[CheckResult]:
    """One check per minute of the day, 20 s into the minute, 40 ms when it succeeds."""
    return [
        CheckResult("sh", m(i + 1 / 3), i not in failed, None if i in failed else 40)
        for i in range(1440)
        if i not in missed
    ]


FAILED = {100, 101, 900}
MISSED = set(range(600, 612))


# -- 完好率 -------------------------------------------------------------------------------


def test_a_day_at_60_seconds_is_1440_periods_and_15_abnormal() -> None:
    # given a 60-second monitor, 3 failed checks and 12 missed over one day
    day = rollup(day_of_checks(FAILED, MISSED), start=BASE, end=DAY_END, interval=MINUTE)
    # then (1440 − 15) / 1440 = 98.958 %
    assert (day.checks, day.failures, day.missed, day.excluded) == (1428, 3, 12, 0)
    rate = integrity(day)
    assert (rate.periods, rate.abnormal) == (1440, 15)
    assert rate.percent == Decimal(1425) * 100 / Decimal(1440)
    assert rate.text == (
        "integrity 98.958 % (1,425 of 1,440 periods normal, 0 excluded) / "
        "完好率 98.958 %（1,440 个周期中 1,425 个正常，0 个不计）"
    )


def test_a_30_minute_maintenance_window_is_excluded_from_both_counts() -> None:
    # given the same day with maintenance 10:00-10:30, during which 10:05 also failed
    window = Interval(m(600), m(630), "maintenance")
    results = day_of_checks(FAILED | {605}, MISSED)
    day = rollup(results, start=BASE, end=DAY_END, interval=MINUTE, exclusions=[window])
    # then 1,410 periods count, the 12 misses at 10:00-10:11 and the failure inside the
    # window are not abnormal, and 30 periods show as excluded
    rate = integrity(day)
    assert (rate.periods, rate.abnormal, rate.excluded) == (1410, 3, 30)
    assert rate.text.startswith("integrity 99.787 % (1,407 of 1,410 periods normal, 30 excluded)")


def test_a_window_off_the_minute_excludes_every_period_it_touches() -> None:
    window = Interval(m(10.5), m(12.5), "maintenance")
    day = rollup([], start=BASE, end=m(60), interval=MINUTE, exclusions=[window])
    assert (day.excluded, day.missed, day.checks) == (3, 57, 0)


def test_retries_in_one_period_count_as_one_check_failed_if_any_failed() -> None:
    results = [CheckResult("sh", m(0.1), False), CheckResult("sh", m(0.5), True, 30)]
    one = rollup(results, start=BASE, end=m(2), interval=MINUTE)
    assert (one.checks, one.failures, one.missed) == (1, 1, 1)


def test_everything_excluded_gives_no_rate() -> None:
    window = Interval(BASE, m(60), "maintenance")
    rate = integrity(rollup([], start=BASE, end=m(60), interval=MINUTE, exclusions=[window]))
    assert rate.percent is None and rate.excluded == 60
    assert rate.text.startswith("integrity — (0 of 0 periods normal, 60 excluded)")


def test_hourly_rollups_merge_into_the_day() -> None:
    results = day_of_checks(FAILED, MISSED)
    hours = [
        rollup(results, start=m(60 * h), end=m(60 * h + 60), interval=MINUTE) for h in range(24)
    ]
    day = rollup(results, start=BASE, end=DAY_END, interval=MINUTE)
    assert merge_rollups(hours) == day
    assert day.latency.percentile(50) == 50.0  # 40 ms falls in the (25, 50] bucket
    assert day.latency.total == 1425


# -- latency histogram ------------------------------------------------------------------


def test_histogram_buckets_are_inclusive_and_percentiles_are_upper_bounds() -> None:
    h = LatencyHistogram.of([5, 5.1, 10, 90, 100, 101, 40_000])
    assert len(h.counts) == len(LATENCY_BOUNDS_MS) + 1
    assert h.counts[:7] == (1, 2, 0, 0, 2, 1, 0) and h.counts[-1] == 1
    assert h.percentile(1) == 5.0
    assert h.percentile(50) == 100.0  # rank 4 of 7
    assert h.percentile(85) == 250.0  # rank 6
    assert h.percentile(100) == float("inf")
    assert LatencyHistogram().percentile(99) is None
    with pytest.raises(ValueError, match="percentile 0"):
        h.percentile(0)


def test_bad_rollups_are_refused() -> None:
    with pytest.raises(ValueError, match="failures 2 exceed its checks 1"):
        Rollup(BASE, m(1), 1, 2, 0)
    with pytest.raises(ValueError, match="collection interval"):
        rollup([], start=BASE, end=m(1), interval=dt.timedelta(0))
    with pytest.raises(ValueError, match="buckets"):
        LatencyHistogram((1, 2))


# -- state intervals and availability ---------------------------------------------------


TRANSITIONS = [
    Transition(UNKNOWN, UP, m(0), "first / 首次"),
    Transition(UP, DOWN, m(100), "sh down / sh 故障"),
    Transition(DOWN, UP, m(110), "back / 恢复"),
    Transition(UP, MAINT, m(600), "maintenance window / 维护窗口"),
    Transition(MAINT, UP, m(630), "over / 结束"),
    Transition(UP, DOWN, m(900), "again / 再次"),
    Transition(DOWN, UP, m(905), "back / 恢复"),
]


def test_transitions_become_state_spells_clipped_to_the_window() -> None:
    spells = state_intervals(TRANSITIONS, start=m(50), end=m(700))
    assert [(s.kind, s.start, s.end) for s in spells] == [
        ("up", m(50), m(100)),
        ("down", m(100), m(110)),
        ("up", m(110), m(600)),
        ("maintenance", m(600), m(630)),
        ("up", m(630), m(700)),
    ]
    assert spells[1].reason == "sh down / sh 故障"
    before = state_intervals(TRANSITIONS, start=m(-10), end=m(5))
    assert [(s.kind, s.start, s.end) for s in before] == [
        ("unknown", m(-10), m(0)),
        ("up", m(0), m(5)),
    ]
    assert state_intervals([], start=BASE, end=m(1), initial=UP)[0].kind == "up"


def test_transitions_that_do_not_chain_are_refused() -> None:
    with pytest.raises(ValueError, match="does not follow"):
        state_intervals([TRANSITIONS[0], TRANSITIONS[2]], start=BASE, end=m(1))


def test_availability_of_a_day_with_two_outages_and_maintenance() -> None:
    # given 10 + 5 minutes down and 30 minutes of maintenance in a day
    spells = state_intervals(TRANSITIONS, start=BASE, end=DAY_END)
    stored = [s for s in spells if s.kind != "up"]  # what grows with outages
    a = availability(stored, start=BASE, end=DAY_END)
    # then (1410 − 15) / 1410 minutes, the maintenance shown as excluded
    assert (a.downtime, a.outages, a.excluded_time) == (15 * MINUTE, 2, 30 * MINUTE)
    assert [(x.kind, x.start, x.end) for x in a.excluded] == [("maintenance", m(600), m(630))]
    assert a.percent == Decimal(1395) * 100 / Decimal(1410)
    assert a.text == (
        "availability 98.936 %, 2 outages (15 min), 30 min excluded / "
        "可用率 98.936 %，故障 2 次（15 分钟），不计 30 分钟"
    )
    assert availability(spells, start=BASE, end=DAY_END) == a


def test_downtime_inside_an_exemption_does_not_count_and_unknown_is_not_observed() -> None:
    down = [Interval(m(0), m(20), "down"), Interval(m(30), m(40), "down")]
    unknown = [Interval(m(50), m(60), "unknown")]
    exempt = [Interval(m(30), m(45), "force_majeure", "typhoon / 台风")]
    a = availability([*down, *unknown], start=BASE, end=m(60), exclusions=exempt)
    assert (a.downtime, a.outages) == (20 * MINUTE, 1)
    assert [x.kind for x in a.excluded] == ["force_majeure", "not_observed"]
    assert a.percent == Decimal(15) * 100 / Decimal(35)
    # an outage cut in two by an exclusion is still one outage
    split = availability(
        [Interval(m(0), m(30), "down")],
        start=BASE,
        end=m(60),
        exclusions=[Interval(m(10), m(20), "maintenance")],
    )
    assert (split.downtime, split.outages) == (20 * MINUTE, 1)


# -- properties -------------------------------------------------------------------------


@st.composite
def rollups(draw: st.DrawFn) -> Rollup:
    checks = draw(st.integers(0, 100))
    start = m(draw(st.integers(0, 1000)))
    return Rollup(
        start,
        start + MINUTE * draw(st.integers(1, 100)),
        checks,
        draw(st.integers(0, checks)),
        draw(st.integers(0, 100)),
        draw(st.integers(0, 100)),
        LatencyHistogram.of(draw(st.lists(st.floats(0, 50_000), max_size=10))),
    )


@settings(max_examples=100, deadline=None)
@given(rollups(), rollups(), rollups())
def test_merging_rollups_is_associative_and_commutative(a: Rollup, b: Rollup, c: Rollup) -> None:
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(b) == b.merge(a)


spans = st.lists(st.tuples(st.integers(0, 1440), st.integers(1, 120)), max_size=8)


def as_intervals(raw: list[tuple[int, int]], kind: str) -> list[Interval]:
    return [Interval(m(a), m(a + n), kind) for a, n in raw]


@settings(max_examples=150, deadline=None)
@given(spans, spans, spans)
def test_availability_is_a_percentage_and_more_downtime_never_raises_it(
    down: list[tuple[int, int]], extra: list[tuple[int, int]], excl: list[tuple[int, int]]
) -> None:
    exclusions = as_intervals(excl, "maintenance")
    before = availability(
        as_intervals(down, "down"), start=BASE, end=DAY_END, exclusions=exclusions
    )
    after = availability(
        as_intervals(down + extra, "down"), start=BASE, end=DAY_END, exclusions=exclusions
    )
    assert before.excluded_time == after.excluded_time < dt.timedelta(days=1)
    assert before.percent is not None and after.percent is not None
    assert Decimal(0) <= after.percent <= before.percent <= Decimal(100)
    assert after.downtime >= before.downtime


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.integers(0, 1439), max_size=40),
    st.sets(st.integers(0, 1439), max_size=40),
    spans,
)
def test_integrity_counts_add_up(
    failed: set[int], missed: set[int], excl: list[tuple[int, int]]
) -> None:
    day = rollup(
        day_of_checks(failed, missed),
        start=BASE,
        end=DAY_END,
        interval=MINUTE,
        exclusions=as_intervals(excl, "maintenance"),
    )
    rate = integrity(day)
    assert rate.periods + rate.excluded == 1440
    assert rate.abnormal <= len(failed | missed)
    if rate.percent is not None:
        assert Decimal(0) <= rate.percent <= Decimal(100)
    if not excl:
        assert rate.abnormal == len(failed | missed)


def test_pooled_availability_weighs_each_monitor_by_its_observed_time() -> None:
    from baozhang.core.monitor_rollup import Availability, pooled_availability

    t0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    # One monitor observed all day, down 1 h; another observed 12 h (12 h excluded), down 0
    a = Availability(t0, t0 + day, dt.timedelta(hours=1), 1, (), dt.timedelta(0), None)
    b = Availability(t0, t0 + day, dt.timedelta(0), 0, (), dt.timedelta(hours=12), None)
    assert pooled_availability([a, b]) == pytest.approx((36 - 1) / 36)
    # Nothing observed: no figure
    c = Availability(t0, t0 + day, dt.timedelta(0), 0, (), day, None)
    assert pooled_availability([c]) is None
    assert pooled_availability([]) is None
