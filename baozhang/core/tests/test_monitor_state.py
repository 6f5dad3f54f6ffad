"""The up/down state machine: table tests, then properties over random result streams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.monitor_state import (
    CheckResult,
    MonitorPolicy,
    MonitorState,
    MonitorStatus,
    Transition,
    initial_state,
    reevaluate,
    step,
)

UP, DOWN, UNKNOWN, MAINT = (
    MonitorStatus.UP,
    MonitorStatus.DOWN,
    MonitorStatus.UNKNOWN,
    MonitorStatus.MAINTENANCE,
)
BASE = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def t(seconds: int) -> dt.datetime:
    return BASE + dt.timedelta(seconds=seconds)


def r(region: str, seconds: int, ok: bool, error: str = "") -> CheckResult:
    return CheckResult(region, t(seconds), ok, 12.0 if ok else None, error)


def run(
    results: Sequence[CheckResult],
    policy: MonitorPolicy,
    maintenance: Sequence[bool] | None = None,
) -> tuple[MonitorState, list[Transition]]:
    state = initial_state()
    out: list[Transition] = []
    for i, result in enumerate(results):
        state, tr = step(state, result, policy, in_maintenance=bool(maintenance and maintenance[i]))
        if tr is not None:
            out.append(tr)
    return state, out


def path(transitions: Sequence[Transition]) -> list[tuple[str, str, int]]:
    return [(tr.from_, tr.to, int((tr.at - BASE).total_seconds())) for tr in transitions]


# -- given a stream of results, when stepped through, then these transitions ------------


def test_single_region_goes_down_after_retries_and_back_up() -> None:
    policy = MonitorPolicy(retries=3)
    results = [r("sh", 0, True), r("sh", 60, False), r("sh", 120, False)]
    results += [r("sh", 180, False, "connection refused"), r("sh", 240, True)]
    state, trs = run(results, policy)
    assert path(trs) == [("unknown", "up", 0), ("up", "down", 180), ("down", "up", 240)]
    assert trs[1].reason == (
        "1 of 1 regions down (sh): connection refused / "
        "1 个区域中 1 个判定故障（sh）：connection refused"
    )
    assert state.state == UP and state.since == t(240)


def test_two_failures_then_success_raise_no_alarm_with_three_retries() -> None:
    results = [r("sh", 0, True), r("sh", 60, False), r("sh", 120, False), r("sh", 180, True)]
    _, trs = run(results, MonitorPolicy(retries=3))
    assert path(trs) == [("unknown", "up", 0)]


def test_one_region_bad_network_raises_no_alarm_with_two_of_three() -> None:
    policy = MonitorPolicy(retries=1, quorum=2)
    results = []
    for i in range(5):
        results += [r("bj", 60 * i, False), r("gz", 60 * i + 1, True), r("sh", 60 * i + 2, True)]
    state, trs = run(results, policy)
    assert path(trs) == [("unknown", "up", 1)]
    assert state.region("bj") is not None and state.region("bj").failures == 5  # type: ignore[union-attr]


def test_two_of_three_regions_down_is_down_and_one_recovering_is_up() -> None:
    policy = MonitorPolicy(retries=1, quorum=2)
    results = [r("bj", 0, True), r("gz", 1, True), r("sh", 2, True)]
    results += [r("bj", 60, False), r("gz", 61, False), r("sh", 62, True)]
    results += [r("bj", 120, True)]
    _, trs = run(results, policy)
    assert path(trs) == [("unknown", "up", 0), ("up", "down", 61), ("down", "up", 120)]
    assert trs[1].reason.startswith("2 of 3 regions down (bj, gz) / 3 个区域中 2 个判定故障")


def test_stale_region_drops_out_of_the_vote() -> None:
    # bj failed long ago and fell silent; gz alone cannot reach a quorum of 2.
    policy = MonitorPolicy(retries=1, quorum=2, freshness=dt.timedelta(minutes=5))
    results = [r("bj", 0, True), r("gz", 0 + 1, True), r("bj", 60, False)]
    results += [r("gz", 600, False), r("gz", 660, False)]
    _, trs = run(results, policy)
    assert path(trs) == [("unknown", "up", 0)]


def test_old_and_out_of_order_results_are_ignored() -> None:
    policy = MonitorPolicy(retries=1, freshness=dt.timedelta(minutes=5))
    state, _ = run([r("sh", 1000, True)], policy)
    for late in (r("sh", 1000, False), r("sh", 999, False), r("gz", 1000 - 301, False)):
        assert step(state, late, policy, in_maintenance=False) == (state, None)
    # A late result of another region, still fresh, counts.
    _, tr = step(state, r("gz", 800, False), policy, in_maintenance=False)
    assert tr is not None and tr.to == DOWN
    assert tr.at == t(1000)  # never before the state's `since`


def test_maintenance_suppresses_down_and_reevaluates_on_leaving() -> None:
    policy = MonitorPolicy(retries=2)
    results = [r("sh", 0, True), r("sh", 60, False), r("sh", 120, False), r("sh", 180, False)]
    results += [r("sh", 240, False)]
    maintenance = [False, True, True, True, False]
    state, trs = run(results, policy, maintenance)
    assert path(trs) == [
        ("unknown", "up", 0),
        ("up", "maintenance", 60),
        ("maintenance", "down", 240),
    ]
    assert trs[1].reason == "maintenance window / 维护窗口"
    assert trs[2].reason == (
        "maintenance ended; 1 of 1 regions down (sh) / 维护结束；1 个区域中 1 个判定故障（sh）"
    )
    assert state.region("sh").failures == 4  # type: ignore[union-attr]


def test_leaving_maintenance_healthy_goes_up() -> None:
    policy = MonitorPolicy(retries=1)
    _, trs = run([r("sh", 0, False), r("sh", 60, True)], policy, [True, False])
    assert path(trs) == [("unknown", "maintenance", 0), ("maintenance", "up", 60)]


def test_reevaluate_starts_maintenance_and_notices_silence() -> None:
    policy = MonitorPolicy(freshness=dt.timedelta(minutes=5))
    state, _ = run([r("sh", 0, True)], policy)
    m, tr = reevaluate(state, policy, now=t(30), in_maintenance=True)
    assert tr == Transition(UP, MAINT, t(30), "maintenance window / 维护窗口")
    assert m.state == MAINT
    _, tr = reevaluate(state, policy, now=t(301), in_maintenance=False)
    assert tr is not None and (tr.from_, tr.to) == (UP, UNKNOWN)
    assert tr.reason == "no region reported within 5 min / 5 分钟内没有区域报告结果"
    still, tr = reevaluate(state, policy, now=t(300), in_maintenance=False)
    assert tr is None and still.state == UP and still.as_of == t(300)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"retries": 0}, "retries 0"),
        ({"quorum": -1}, "quorum -1"),
        ({"retries": True}, "retries True"),
        ({"freshness": dt.timedelta(0)}, "freshness"),
    ],
)
def test_bad_policy_is_refused_in_both_languages(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle) as err:
        MonitorPolicy(**kwargs)  # type: ignore[arg-type]
    assert "监控策略" in str(err.value)


def test_bad_results_are_refused() -> None:
    with pytest.raises(ValueError, match="region ''"):
        CheckResult("", BASE, True)
    with pytest.raises(ValueError, match="aware datetime"):
        CheckResult("sh", dt.datetime(2026, 10, 1), True)  # noqa: DTZ001
    with pytest.raises(ValueError, match="latency -1"):
        CheckResult("sh", BASE, True, -1)


# -- properties -------------------------------------------------------------------------

REGIONS = ("bj", "gz", "sh")


@st.composite
def streams(draw: st.DrawFn) -> tuple[MonitorPolicy, list[CheckResult], list[bool]]:
    policy = MonitorPolicy(
        retries=draw(st.integers(1, 4)),
        quorum=draw(st.integers(1, 3)),
        freshness=dt.timedelta(seconds=draw(st.integers(30, 600))),
    )
    n = draw(st.integers(0, 40))
    results = [
        CheckResult(
            draw(st.sampled_from(REGIONS)),
            t(draw(st.integers(0, 3600))),
            draw(st.booleans()),
        )
        for _ in range(n)
    ]
    maintenance = [draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else False for _ in results]
    return policy, results, maintenance


@settings(max_examples=150, deadline=None)
@given(streams())
def test_replay_gives_the_same_transitions(
    case: tuple[MonitorPolicy, list[CheckResult], list[bool]],
) -> None:
    policy, results, maintenance = case
    assert run(results, policy, maintenance) == run(results, policy, maintenance)


@settings(max_examples=150, deadline=None)
@given(streams())
def test_transitions_chain_and_land_on_the_next_state(
    case: tuple[MonitorPolicy, list[CheckResult], list[bool]],
) -> None:
    policy, results, maintenance = case
    state = initial_state()
    for i, result in enumerate(results):
        nxt, tr = step(state, result, policy, in_maintenance=maintenance[i])
        if tr is None:
            assert nxt.state == state.state
        else:
            assert tr.from_ == state.state != tr.to == nxt.state
            assert nxt.since == tr.at
            assert state.since is None or tr.at >= state.since
            assert not (maintenance[i] and tr.to == DOWN)
        state = nxt


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6), st.lists(st.booleans(), max_size=30))
def test_k1_needs_exactly_r_consecutive_failures(retries: int, oks: list[bool]) -> None:
    policy = MonitorPolicy(retries=retries, quorum=1)
    state = initial_state()
    run_length = 0
    for i, ok in enumerate(oks):
        state, _ = step(state, r("sh", 60 * i, ok), policy, in_maintenance=False)
        run_length = 0 if ok else run_length + 1
        assert (state.state == DOWN) == (run_length >= retries)
