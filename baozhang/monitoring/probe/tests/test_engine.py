"""The scheduler with a fake check: spread phases, no overlap, bounded hangs, saturation,
sink retries and the final flush. No timed assertions: every test counts and compares."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import itertools
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from baozhang.monitoring.probe import engine as engine_mod
from baozhang.monitoring.probe.checks import CheckContext
from baozhang.monitoring.probe.engine import Engine, first_due, phase_fraction, run_event_loop
from baozhang.monitoring.probe.specs import MonitorSpec, Outcome

HUNG_FOR = dt.timedelta(seconds=0.3)
TIMEOUT_03 = "timeout after 0.3 s / 0.3 秒内无响应（超时）"


def mon(mid: int, interval: float = 0.05, timeout: float = 1.0) -> MonitorSpec:
    return MonitorSpec(id=mid, kind="tcp", target="127.0.0.1:9", interval=interval, timeout=timeout)


class FakeCheck:
    """Sleeps ``seconds`` (per id, default ``default``); ids in ``hang`` never return.
    Records concurrency overall and per monitor."""

    def __init__(self, default: float = 0.0, **per_id: float) -> None:
        self.default = default
        self.per_id = per_id
        self.hang: set[int] = set()
        self.running: collections.Counter[int] = collections.Counter()
        self.max_per_id: collections.Counter[int] = collections.Counter()
        self.now = 0
        self.max_now = 0

    async def __call__(self, spec: MonitorSpec, ctx: CheckContext) -> tuple[bool, float, str]:
        assert isinstance(ctx, CheckContext)
        self.now += 1
        self.max_now = max(self.max_now, self.now)
        self.running[spec.id] += 1
        self.max_per_id[spec.id] = max(self.max_per_id[spec.id], self.running[spec.id])
        try:
            if spec.id in self.hang:
                await asyncio.Event().wait()
            await asyncio.sleep(self.per_id.get(f"m{spec.id}", self.default))
            return True, 1.0, ""
        finally:
            self.now -= 1
            self.running[spec.id] -= 1


class Collector:
    def __init__(self, fail_first: int = 0) -> None:
        self.got: list[Outcome] = []
        self.calls = 0
        self.fail_first = fail_first
        self.batches: list[list[Outcome]] = []

    async def __call__(self, batch: list[Outcome]) -> None:
        self.calls += 1
        self.batches.append(list(batch))
        if self.calls <= self.fail_first:
            raise ConnectionError("database away")
        self.got.extend(batch)

    def by_id(self, mid: int) -> list[Outcome]:
        return [o for o in self.got if o.monitor_id == mid]


def run_engine(
    engine: Engine,
    seconds: float,
    *,
    until: Callable[[], bool] | None = None,
    during: Callable[[Engine], Any] | None = None,
    until_after: Callable[[], bool] | None = None,
) -> None:
    """Run the engine for ``seconds`` (or until ``until()``), then stop it and wait. With
    ``during``: call it, then run ``seconds`` more (or until ``until_after()``), so that a
    loaded machine waits longer rather than failing."""

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            await asyncio.sleep(0.01)
        if during is not None:
            during(engine)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not (until_after and until_after()):
                await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(main())


def test_phases_are_stable_and_spread_evenly() -> None:
    bins = collections.Counter(int(phase_fraction(i) * 100) for i in range(1, 20_001))
    assert len(bins) == 100
    assert min(bins.values()) >= 150 and max(bins.values()) <= 250  # 200 expected per bin
    now = 1_700_000_000.123
    for mid in (1, 2, 99, 12345):
        due = first_due(mid, 60.0, now)
        assert now < due <= now + 60.0
        offset = (due - phase_fraction(mid) * 60.0) / 60.0
        assert abs(offset - round(offset)) < 1e-6
        assert first_due(mid, 60.0, now + 1) in (due, due + 60.0)


def test_many_monitors_are_spread_and_never_overlap() -> None:
    check, sink = FakeCheck(0.005), Collector()
    engine = Engine("local", sink, check=check, batch_size=100, flush_interval=0.05)
    engine.set_monitors(mon(i, interval=0.2) for i in range(1, 301))
    assert engine.drift_percentile(0.5) is None
    run_engine(engine, 0.7)
    assert {o.monitor_id for o in sink.got} == set(range(1, 301))
    assert check.max_now < 150  # all 300 at once would mean no spreading
    assert max(check.max_per_id.values()) == 1
    assert engine.checks_started == engine.checks_done == len(sink.got)
    assert len({(o.monitor_id, o.at) for o in sink.got}) == len(sink.got)
    o = sink.got[0]
    assert o.region == "local" and o.ok and o.error == "" and o.latency_ms == 1.0
    assert o.at.tzinfo is not None and o.due <= o.at
    assert engine.drift_percentile(0.5) is not None


def test_a_slow_check_skips_slots_but_never_overlaps_itself() -> None:
    check, sink = FakeCheck(m1=0.12), Collector()
    engine = Engine("local", sink, check=check, flush_interval=0.05)
    engine.set_monitors([mon(1, interval=0.05)])
    run_engine(engine, 0.6)
    assert check.max_per_id[1] == 1
    assert engine.checks_skipped > 0
    dues = [o.due.timestamp() for o in sink.by_id(1)]
    assert len(dues) >= 3
    # Every run stays on the monitor's grid: no drift accumulates. A due time is reported
    # as the start's wall-clock time less its lateness, which a loaded machine moves by a
    # few milliseconds; a quarter slot tells that from a run off the grid.
    for d in dues:
        slots = (d - dues[0]) / 0.05
        assert abs(slots - round(slots)) < 0.25
    assert all(b > a for a, b in itertools.pairwise(dues))


def test_a_hung_check_costs_one_timeout_and_the_others_carry_on() -> None:
    check, sink = FakeCheck(), Collector()
    check.hang = {1}
    engine = Engine("local", sink, check=check, flush_interval=0.02)
    engine.set_monitors([mon(1, interval=0.05, timeout=0.3), *(mon(i) for i in range(2, 6))])
    run_engine(engine, 3.0, until=lambda: bool(sink.by_id(1)))
    hung = sink.by_id(1)[0]
    assert (hung.ok, hung.latency_ms, hung.error) == (False, None, TIMEOUT_03)
    for mid in range(2, 6):
        during = [o for o in sink.by_id(mid) if hung.at < o.at < hung.at + HUNG_FOR]
        assert len(during) >= 2, mid


def test_saturation_starts_checks_late_and_measures_it() -> None:
    check, sink = FakeCheck(0.03), Collector()
    engine = Engine("local", sink, check=check, max_in_flight=2, flush_interval=0.05)
    engine.set_monitors(mon(i, interval=0.05) for i in range(1, 11))
    run_engine(engine, 0.6)
    assert check.max_now == 2
    late = engine.drift_percentile(0.99)
    assert late is not None and late > 0.03
    assert engine.drift_percentile(0.0) is not None
    assert engine.checks_started == engine.checks_done == len(sink.got)
    assert engine.checks_skipped > 0  # missed slots are counted, not hidden
    with pytest.raises(ValueError, match=r"0\.\.1"):
        engine.drift_percentile(1.5)


def test_a_failing_sink_gets_the_same_batch_again_and_nothing_is_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine_mod, "_SINK_BACKOFF_START", 0.01)
    check, sink = FakeCheck(), Collector(fail_first=3)
    engine = Engine("local", sink, check=check, batch_size=5, flush_interval=0.02)
    engine.set_monitors(mon(i) for i in range(1, 4))
    run_engine(engine, 0.4)
    assert engine.sink_failures == 3
    assert sink.batches[0] == sink.batches[1] == sink.batches[2] == sink.batches[3]
    assert sink.got[: len(sink.batches[0])] == sink.batches[0]
    assert len(sink.got) == engine.checks_done
    assert len({(o.monitor_id, o.at) for o in sink.got}) == len(sink.got)
    assert engine.pending == 0


def test_stop_waits_for_running_checks_and_flushes_everything() -> None:
    check, sink = FakeCheck(0.2), Collector()
    engine = Engine("local", sink, check=check, batch_size=10_000, flush_interval=60.0)
    engine.set_monitors(mon(i, interval=0.05) for i in range(1, 21))
    run_engine(engine, 5.0, until=lambda: engine.in_flight >= 5)
    assert sink.calls == 1  # only the final flush: the interval was never reached
    assert engine.checks_started == engine.checks_done == len(sink.got) >= 5
    assert engine.in_flight == 0
    done = engine.checks_done
    run_engine(engine, 5.0, until=lambda: engine.checks_done >= done + 20)  # runs again
    assert len(sink.got) == engine.checks_done


def test_set_monitors_adds_removes_and_keeps_phase() -> None:
    check, sink = FakeCheck(), Collector()
    engine = Engine("local", sink, check=check, flush_interval=0.02)
    engine.set_monitors([mon(1), mon(2)])
    changed_at: list[float] = []

    def change(e: Engine) -> None:
        changed_at.append(time.time())
        e.set_monitors([mon(1, timeout=2.0), mon(3)])

    def seen_after_cut() -> bool:
        cut = changed_at[0]
        return any(o.at.timestamp() > cut for o in sink.by_id(3)) and any(
            o.due.timestamp() > cut for o in sink.by_id(1)
        )

    # Both monitors seen before the change, monitor 3 and monitor 1 after it (at most 10 s
    # each way on a loaded machine; about 0.1 s on a quiet one).
    run_engine(
        engine,
        10.0,
        until=lambda: len(sink.by_id(1)) >= 2 and bool(sink.by_id(2)),
        during=change,
        until_after=seen_after_cut,
    )
    cut = changed_at[0]
    assert engine.monitor_ids == {1, 3}
    assert sink.by_id(2) and all(o.at.timestamp() <= cut for o in sink.by_id(2))
    assert any(o.at.timestamp() > cut for o in sink.by_id(3))
    ones = [o.due.timestamp() for o in sink.by_id(1)]
    assert any(d < cut for d in ones) and any(d > cut for d in ones)
    # The changed monitor kept its grid. A due time is reported as the start's wall-clock
    # time less its lateness, two clocks read at slightly different moments: a loaded
    # machine moves it by a few milliseconds (seen: 3.8 ms), so a quarter of the 50 ms slot
    # is the tolerance.
    for d in ones:
        slots = (d - ones[0]) / 0.05
        assert abs(slots - round(slots)) < 0.25
    with pytest.raises(ValueError, match="twice"):
        engine.set_monitors([mon(4), mon(4)])
    assert engine.monitor_ids == {1, 3}


def test_a_broken_check_is_reported_not_fatal() -> None:
    async def broken(spec: MonitorSpec, ctx: CheckContext) -> tuple[bool, float, str]:
        raise RuntimeError("bug")

    sink = Collector()
    engine = Engine("local", sink, check=broken, flush_interval=0.02)
    engine.set_monitors([mon(1)])
    run_engine(engine, 5.0, until=lambda: len(sink.got) >= 2)
    assert sink.got[0].error == "probe error: RuntimeError / 探测出错：RuntimeError"


def test_under_load_a_finished_check_hands_its_place_to_the_next_one_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    launched = 0
    start = Engine._start

    def counting_start(self: Engine, slot: Any, due: float) -> None:
        nonlocal launched
        launched += 1
        start(self, slot, due)

    monkeypatch.setattr(Engine, "_start", counting_start)
    check, sink = FakeCheck(0.01), Collector()
    engine = Engine("local", sink, check=check, max_in_flight=3, flush_interval=0.05)
    engine.set_monitors(mon(i, interval=0.01) for i in range(1, 31))
    run_engine(engine, 5.0, until=lambda: engine.checks_done >= 200)
    assert check.max_now == 3  # the bound holds
    assert max(check.max_per_id.values()) == 1  # no monitor ran twice at once
    assert engine.checks_started == engine.checks_done == len(sink.got) >= 200
    # Most checks started in the task of the check before them, not in a new task.
    assert launched < engine.checks_started / 4
    assert engine.in_flight == 0


def test_the_probe_runs_on_uvloop_where_it_is_installed() -> None:
    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_event_loop(loop_module()).startswith("uvloop")


def test_without_uvloop_the_probe_runs_on_asyncios_own_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop now fails

    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert run_event_loop(loop_module()).startswith("asyncio")


def test_the_engine_checks_a_real_listener_on_the_probe_loop() -> None:
    async def main() -> list[Outcome]:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        sink = Collector()
        engine = Engine("local", sink, flush_interval=0.05)
        engine.set_monitors(
            MonitorSpec(id=i, kind="tcp", target=f"127.0.0.1:{port}", interval=0.05, timeout=2)
            for i in (1, 2)
        )
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))
        deadline = time.monotonic() + 10
        while len(sink.got) < 6 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        stop.set()
        await task
        server.close()
        await server.wait_closed()
        return sink.got

    got = run_event_loop(main())
    assert len(got) >= 6
    assert all(o.ok and o.error == "" and o.latency_ms is not None for o in got)
    assert {o.monitor_id for o in got} == {1, 2}
