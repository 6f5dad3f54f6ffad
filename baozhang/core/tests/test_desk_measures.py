"""Desk measures: hand-checkable tables, then properties against statistics' own
definitions."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.desk_measures import (
    CallFigures,
    TicketFacts,
    as_percent,
    calls_by,
    count_calls,
    measure,
    measure_by,
    percentile,
    ratio,
)

MIN = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)


def test_median_of_three_first_responses_is_the_middle_one() -> None:
    figures = measure(TicketFacts(first_response=m * MIN) for m in (10, 40, 20))
    assert figures.tickets == 3
    assert figures.first_response.count == 3
    assert figures.first_response.median == 20 * MIN
    # 90th percentile: rank (3-1)*0.9 = 1.8, between 20 and 40 → 20 + 0.8*20 = 36 min
    assert figures.first_response.p90 == 36 * MIN


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert percentile([10 * MIN, 20 * MIN, 30 * MIN, 60 * MIN], 50) == 25 * MIN


def test_tickets_without_a_response_do_not_count_in_the_times() -> None:
    figures = measure([TicketFacts(first_response=5 * MIN), TicketFacts()])
    assert figures.tickets == 2
    assert figures.first_response.count == 1
    assert figures.first_response.median == 5 * MIN
    assert figures.resolution.median is None
    assert figures.resolution.p90 is None


def test_business_times_are_measured_beside_wall_clock_times() -> None:
    figures = measure(
        [
            TicketFacts(resolution=16 * H, resolution_business=1 * H),
            TicketFacts(resolution=2 * H, resolution_business=2 * H),
            TicketFacts(resolution=3 * H),  # business time unknown
        ]
    )
    assert figures.resolution.median == 3 * H
    assert figures.resolution_business.count == 2
    assert figures.resolution_business.median == dt.timedelta(hours=1.5)


def test_sla_attainment_is_clocks_met_over_clocks_finished() -> None:
    figures = measure(
        [
            TicketFacts(clocks_met=1, clocks_finished=1),
            TicketFacts(clocks_met=1, clocks_finished=2),
        ]
    )
    assert (figures.clocks_met, figures.clocks_finished) == (2, 3)
    assert as_percent(figures.sla_attainment) == 66.7


def test_reopen_rate_counts_tickets_resolved_even_if_open_again() -> None:
    figures = measure(
        [
            TicketFacts(resolution=H),
            TicketFacts(resolution=H),
            TicketFacts(resolution=H, reopened=True),
            TicketFacts(ever_resolved=True, reopened=True),  # reopened, not yet re-resolved
            TicketFacts(),  # never resolved: not in the denominator
        ]
    )
    assert (figures.reopened, figures.resolved) == (2, 4)
    assert figures.reopen_rate == 0.5


def test_satisfaction_is_the_average_of_all_answers_with_their_count() -> None:
    figures = measure([TicketFacts(scores=(5, 4)), TicketFacts(scores=(3,)), TicketFacts()])
    assert figures.satisfaction_count == 3
    assert figures.satisfaction == 4.0


def test_no_data_gives_none_not_zero() -> None:
    figures = measure([])
    assert figures.tickets == 0
    assert figures.sla_attainment is None
    assert figures.reopen_rate is None
    assert figures.satisfaction is None
    assert figures.first_response.median is None


def test_connection_rate_of_four_offered_three_answered_is_75_percent() -> None:
    calls = count_calls([True, False, True, True])
    assert (calls.offered, calls.answered, calls.missed) == (4, 3, 1)
    assert as_percent(calls.connection_rate) == 75.0


def test_no_offered_calls_gives_no_connection_rate() -> None:
    assert CallFigures().connection_rate is None
    assert ratio(0, 0) is None


def test_grouping_keeps_each_groups_figures_apart() -> None:
    by = measure_by(
        [
            ("li", TicketFacts(first_response=10 * MIN)),
            ("wang", TicketFacts(first_response=30 * MIN)),
            ("li", TicketFacts(first_response=20 * MIN)),
        ]
    )
    assert list(by) == ["li", "wang"]
    assert by["li"].tickets == 2
    assert by["li"].first_response.median == 15 * MIN
    assert by["wang"].first_response.median == 30 * MIN
    calls = calls_by([("hotline", True), ("free_800", False), ("hotline", False)])
    assert calls["hotline"] == CallFigures(offered=2, answered=1)
    assert calls["free_800"].connection_rate == 0.0


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"first_response": -MIN}, "first_response"),
        ({"clocks_met": 2, "clocks_finished": 1}, "clocks_met 2"),
        ({"scores": (6,)}, "satisfaction 6"),
    ],
)
def test_impossible_facts_are_refused_with_a_bilingual_message(
    kwargs: dict[str, object], words: str
) -> None:
    with pytest.raises(ValueError, match=words) as info:
        TicketFacts(**kwargs)  # type: ignore[arg-type]
    assert "/" in str(info.value)


def test_impossible_call_counts_and_percentiles_are_refused() -> None:
    with pytest.raises(ValueError, match="answered 3"):
        CallFigures(offered=2, answered=3)
    with pytest.raises(ValueError, match="percentile 101"):
        percentile([MIN], 101)
    with pytest.raises(ValueError, match="negative"):
        ratio(-1, 2)


durations = st.lists(
    st.integers(min_value=0, max_value=10**9).map(lambda s: dt.timedelta(seconds=s)),
    min_size=1,
    max_size=40,
)


@given(durations)
def test_median_agrees_with_statistics_median(values: list[dt.timedelta]) -> None:
    seconds = [v.total_seconds() for v in values]
    got = percentile(values, 50)
    assert got is not None
    assert abs(got.total_seconds() - statistics.median(seconds)) <= 1e-6


@given(durations, st.floats(min_value=0, max_value=100))
def test_a_percentile_lies_between_the_smallest_and_largest_value(
    values: list[dt.timedelta], q: float
) -> None:
    got = percentile(values, q)
    assert got is not None
    assert min(values) <= got <= max(values)


@given(st.lists(st.booleans(), max_size=50))
def test_answered_plus_missed_is_offered(flags: list[bool]) -> None:
    calls = count_calls(flags)
    assert calls.answered + calls.missed == calls.offered == len(flags)
    rate = calls.connection_rate
    if not flags:
        assert rate is None
    else:
        assert rate is not None and 0 <= rate <= 1
