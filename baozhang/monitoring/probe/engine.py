"""The probe scheduler: one asyncio loop, a heap of next-run times, a bounded number of
checks in flight, outcomes handed to a sink in batches (DESIGN.md, "Probe engine and
ingest"). No Django.

Timing rules:

- a new monitor's first run falls at a stable phase within its interval (a hash of its
  id, on the wall clock), so 20,000 monitors added at once spread over their intervals
  and every probe process puts a given monitor at the same phase;
- the next run is due one interval after the previous *due* time (not after the start),
  so lateness never accumulates; when a monitor is more than a whole interval behind, the
  missed slots are skipped and counted (``checks_skipped``), never silently;
- a monitor never runs twice at once: its next run is scheduled when its check ends;
- with ``max_in_flight`` checks running, due checks wait and start late; the lateness of
  every start is recorded (:meth:`Engine.drift_percentile`);
- each check is bounded by its spec's timeout, so a hung target costs one timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from baozhang.monitoring.probe.checks import CheckContext, run_check
from baozhang.monitoring.probe.specs import MAX_ERROR_CHARS, MonitorSpec, Outcome, bilingual

__all__ = ["Engine", "first_due", "phase_fraction", "run_event_loop"]

log = logging.getLogger("baozhang.probe")

DRIFT_WINDOW = 100_000  # lateness samples kept for percentiles
PENDING_ALARM = 100_000  # outcomes waiting for the sink before we log loudly
_SINK_BACKOFF_START = 0.1
_SINK_BACKOFF_CAP = 10.0
_EARLY = 0.001  # start checks due within 1 ms together: fewer wake-ups, no visible cost

_GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio: Fibonacci hashing spreads ids evenly
_MASK = (1 << 64) - 1

Sink = Callable[[list[Outcome]], Awaitable[None]]
Check = Callable[[MonitorSpec, CheckContext], Awaitable[tuple[bool, float | None, str]]]

_UTC = dt.UTC
_from_ts = dt.datetime.fromtimestamp

T = TypeVar("T")


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on uvloop where it is installed (every platform but
    Windows), else on asyncio's own loop. A probe spends most of its time in the event
    loop and the transports: on uvloop an HTTP check costs about a quarter fewer
    instructions (docs/benchmarks.md)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def phase_fraction(monitor_id: int) -> float:
    """Where in its interval a monitor runs, in [0, 1): stable across processes and
    restarts, and evenly spread for consecutive ids."""
    return ((monitor_id * _GOLDEN) & _MASK) / 2.0**64


def first_due(monitor_id: int, interval: float, now: float) -> float:
    """The first time strictly after ``now`` (epoch seconds) that falls on the monitor's
    phase: ``k * interval + phase_fraction(id) * interval`` for a whole ``k``."""
    offset = phase_fraction(monitor_id) * interval
    return (math.floor((now - offset) / interval) + 1) * interval + offset


def _timeout_error(timeout: float) -> str:
    return bilingual(f"timeout after {timeout:g} s", f"{timeout:g} 秒内无响应（超时）")


class _Slot:
    """A monitor's place in the schedule. ``seq`` identifies its one live heap entry;
    older entries (after a change or removal) are skipped when popped."""

    __slots__ = ("active", "due", "realign", "running", "seq", "spec")

    def __init__(self, spec: MonitorSpec) -> None:
        self.spec = spec
        self.due = 0.0
        self.seq = -1
        self.active = True
        self.running = False
        self.realign = False


class Engine:
    """Runs checks on schedule and hands their :class:`Outcome` s to ``sink`` in batches.

    ``sink`` is awaited with up to ``batch_size`` outcomes, at least every
    ``flush_interval`` seconds while any are waiting; calls never overlap. A sink that
    raises gets the same batch again after a backoff (0.1 s doubling to 10 s): nothing is
    dropped, and more than 100,000 waiting outcomes are logged as an error (they are kept).

    Counters: ``checks_started``, ``checks_done``, ``checks_skipped`` (missed slots),
    ``sink_failures``; :attr:`pending` and :attr:`in_flight`.
    """

    def __init__(
        self,
        region: str,
        sink: Sink,
        *,
        max_in_flight: int = 512,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        check: Check = run_check,
    ) -> None:
        if max_in_flight < 1 or batch_size < 1 or not flush_interval > 0:
            raise ValueError(
                bilingual(
                    "max_in_flight and batch_size must be ≥ 1 and flush_interval > 0",
                    "max_in_flight 和 batch_size 必须不小于 1，flush_interval 必须大于 0",
                )
            )
        self.region = region  # the agent may adopt the region the server names
        self._sink = sink
        self._max = max_in_flight
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._check = check
        # run_check bounds itself by spec.timeout; another check gets the bound here
        self._self_bounded = check is run_check
        self._slots: dict[int, _Slot] = {}
        self._heap: list[tuple[float, int, _Slot]] = []
        self._seq = itertools.count()
        self._in_flight = 0
        self._pending: list[Outcome] = []
        self._lateness: deque[float] = deque(maxlen=DRIFT_WINDOW)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._flush_wanted = asyncio.Event()
        self._sleep_until = -math.inf
        self._closing = False
        self._running = False
        self._ctx: CheckContext | None = None
        self._stop: asyncio.Event | None = None
        self._alarm_at = PENDING_ALARM
        self.checks_started = 0
        self.checks_done = 0
        self.checks_skipped = 0
        self.sink_failures = 0

    # -- the monitor set ------------------------------------------------------------------

    def set_monitors(self, specs: Iterable[MonitorSpec]) -> None:
        """Replace the monitor set. New monitors start at their phase; removed ones stop
        (a check already running finishes and reports); changed ones keep their schedule,
        except that a new interval re-aligns them to their phase within it. Raises
        ValueError (and changes nothing) when two specs share an id."""
        new: dict[int, MonitorSpec] = {}
        for spec in specs:
            if spec.id in new:
                raise ValueError(
                    bilingual(
                        f"monitor {spec.id} appears twice in the monitor set",
                        f"监控 {spec.id} 在监控集合中出现了两次",
                    )
                )
            new[spec.id] = spec
        now_mono, now_wall = time.monotonic(), time.time()
        for mid, slot in list(self._slots.items()):
            if mid not in new:
                slot.active = False
                slot.seq = -1
                if not slot.running:
                    del self._slots[mid]
        for mid, spec in new.items():
            slot = self._slots.get(mid)
            if slot is None:
                slot = self._slots[mid] = _Slot(spec)
                self._push(slot, now_mono + first_due(mid, spec.interval, now_wall) - now_wall)
                continue
            moved = slot.spec.interval != spec.interval or not slot.active
            slot.spec = spec
            slot.active = True
            if moved:
                if slot.running:
                    slot.realign = True
                else:
                    due = now_mono + first_due(mid, spec.interval, now_wall) - now_wall
                    self._push(slot, due)
        if len(self._heap) > 2 * len(self._slots) + 1024:
            self._compact()
        self._wake.set()

    def _push(self, slot: _Slot, due: float) -> None:
        seq = next(self._seq)
        slot.seq = seq
        slot.due = due
        heapq.heappush(self._heap, (due, seq, slot))

    def _compact(self) -> None:
        self._heap = [e for e in self._heap if e[2].seq == e[1] and e[2].active]
        heapq.heapify(self._heap)

    @property
    def monitor_ids(self) -> frozenset[int]:
        """Ids of the monitors being scheduled."""
        return frozenset(mid for mid, s in self._slots.items() if s.active)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def pending(self) -> int:
        """Outcomes waiting for the sink."""
        return len(self._pending)

    # -- drift ----------------------------------------------------------------------------

    def drift_percentile(self, q: float) -> float | None:
        """The ``q`` quantile (0 ≤ q ≤ 1, nearest rank) of the lateness of the last
        100,000 check starts, in seconds after their due time; None before any start."""
        if not 0.0 <= q <= 1.0:
            raise ValueError(
                bilingual(f"quantile {q!r} must be within 0..1", f"分位数 {q!r} 必须在 0..1 之间")
            )
        samples = sorted(self._lateness)
        if not samples:
            return None
        return samples[max(0, math.ceil(q * len(samples)) - 1)]

    # -- running --------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Check until ``stop`` is set; then start nothing new, let running checks finish
        (each within its timeout) and hand every outcome to the sink before returning.
        If the sink keeps failing, this keeps retrying; cancel the task to give up."""
        if self._running:
            raise RuntimeError("Engine.run is already running")
        self._running = True
        self._closing = False
        # events bind to the running loop: fresh ones per run
        self._wake = asyncio.Event()
        self._flush_wanted = asyncio.Event()
        self._stop = stop
        watcher: asyncio.Task[None] | None = None
        flusher: asyncio.Task[None] | None = None
        try:
            async with CheckContext() as ctx:
                self._ctx = ctx
                watcher = asyncio.create_task(self._watch(stop))
                flusher = asyncio.create_task(self._flusher())
                await self._schedule(stop)
                if self._tasks:
                    await asyncio.wait(set(self._tasks))
                self._closing = True
                self._flush_wanted.set()
                await flusher
        finally:
            others = [t for t in (watcher, flusher, *self._tasks) if t is not None]
            for t in others:
                t.cancel()
            if others:
                await asyncio.gather(*others, return_exceptions=True)
            self._ctx = None
            self._stop = None
            self._running = False

    async def _watch(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self._wake.set()

    async def _schedule(self, stop: asyncio.Event) -> None:
        wake = self._wake
        while not stop.is_set():
            while self._in_flight < self._max:
                nxt = self._take_due()
                if nxt is None:
                    break
                self._start(*nxt)
            heap = self._heap
            if self._in_flight >= self._max:
                delay = None  # a place falling free wakes us (_release)
                self._sleep_until = -math.inf  # an earlier due time changes nothing
            elif not heap:
                delay = None  # set_monitors or a finishing check wakes us
                self._sleep_until = math.inf
            else:
                delay = heap[0][0] - time.monotonic()
                if delay <= _EARLY:
                    continue
                self._sleep_until = heap[0][0]
            wake.clear()
            try:
                async with asyncio.timeout(delay):
                    await wake.wait()
            except TimeoutError:
                pass
            self._sleep_until = -math.inf

    def _start(self, slot: _Slot, due: float) -> None:
        """Run ``slot``'s check (taken by :meth:`_take_due`) in a task of its own."""
        self._in_flight += 1
        # The start is stamped when the check is launched, not when its task first runs:
        # a monitor removed in between was still assigned when its check began.
        task = asyncio.create_task(self._run(slot, due, time.time()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, slot: _Slot, due: float, wall: float) -> None:
        """Check ``slot``; then, while another check is already due, go on with it in
        this task: under load a check's place in flight passes straight to the next one
        due (as the workers of a bare loop do), without a new task or waking the
        scheduler. One coroutine level, not two: each await of a check resumes every
        level above it."""
        pending = self._pending
        try:
            while True:
                spec = slot.spec
                late = time.monotonic() - due
                if late < 0.0:
                    late = 0.0
                self._lateness.append(late)
                try:
                    if self._self_bounded:
                        ok, latency, error = await run_check(spec, self._ctx)  # type: ignore[arg-type]
                    else:
                        async with asyncio.timeout(spec.timeout):
                            ok, latency, error = await self._check(spec, self._ctx)  # type: ignore[arg-type]
                except TimeoutError:
                    ok, latency, error = False, None, _timeout_error(spec.timeout)
                except Exception as exc:  # a broken check must not stop the engine
                    name = type(exc).__name__
                    ok, latency, error = (
                        False,
                        None,
                        bilingual(f"probe error: {name}", f"探测出错：{name}"),
                    )
                finally:
                    self._reschedule(slot, due)
                if len(error) > MAX_ERROR_CHARS:
                    error = error[: MAX_ERROR_CHARS - 1] + "…"
                started = _from_ts(wall, _UTC)
                pending.append(
                    Outcome(
                        spec.id,
                        self.region,
                        started,
                        ok,
                        latency,
                        error,
                        _from_ts(wall - late, _UTC) if late else started,
                    )
                )
                self.checks_done += 1
                if len(pending) >= self._batch_size:
                    self._flush_wanted.set()
                nxt = self._take_due()
                if nxt is None:
                    return
                slot, due = nxt
                wall = time.time()
        finally:
            self._release()

    def _take_due(self) -> tuple[_Slot, float] | None:
        """The next check due now (within 1 ms), taken off the heap, its slot marked
        running and counted as started; None when none is due or the engine is
        stopping."""
        if self._stop is None or self._stop.is_set():
            return None
        heap = self._heap
        limit = time.monotonic() + _EARLY
        while heap:
            due, seq, slot = heap[0]
            if due > limit:
                return None
            heapq.heappop(heap)
            if slot.seq == seq and slot.active and not slot.running:
                slot.running = True
                self.checks_started += 1
                return slot, due
        return None

    def _release(self) -> None:
        """A place in flight falls free: wake the scheduler if it waited for one."""
        was_full = self._in_flight >= self._max
        self._in_flight -= 1
        if was_full:
            self._wake.set()

    def _reschedule(self, slot: _Slot, due: float) -> None:
        """After a check of ``slot``: its next run, or its removal if it was dropped."""
        slot.running = False
        if not slot.active:
            if self._slots.get(slot.spec.id) is slot:
                del self._slots[slot.spec.id]
            return
        interval = slot.spec.interval
        now = time.monotonic()
        if slot.realign:
            slot.realign = False
            wall = time.time()
            nxt = now + first_due(slot.spec.id, interval, wall) - wall
        else:
            nxt = due + interval
            behind = now - nxt
            if behind >= interval:  # more than a whole slot late: skip, and count, the missed
                missed = int(behind // interval)
                nxt += missed * interval
                self.checks_skipped += missed
        self._push(slot, nxt)
        if nxt < self._sleep_until:
            self._wake.set()

    # -- handing outcomes to the sink -----------------------------------------------------

    async def _flusher(self) -> None:
        pending = self._pending
        while True:
            if len(pending) < self._batch_size and not self._closing:
                self._flush_wanted.clear()
                try:
                    async with asyncio.timeout(self._flush_interval):
                        await self._flush_wanted.wait()
                except TimeoutError:
                    pass
            if not pending:
                if self._closing:
                    return
                continue
            if len(pending) >= self._alarm_at:
                log.error(
                    "probe: %d results are waiting for the sink and memory grows; check the "
                    "database or the server / 有 %d 条探测结果等待写入，内存持续增长；"
                    "请检查数据库或服务器",
                    len(pending),
                    len(pending),
                )
                self._alarm_at *= 2  # loud, but once per doubling
            elif len(pending) < PENDING_ALARM // 2:
                self._alarm_at = PENDING_ALARM
            await self._deliver(pending[: self._batch_size])

    async def _deliver(self, batch: list[Outcome]) -> None:
        """Hand ``batch`` (the head of the pending list) to the sink until it takes it;
        a failed batch is offered again unchanged after a backoff."""
        backoff = 0.0
        while True:
            try:
                await self._sink(batch)
            except Exception as exc:
                self.sink_failures += 1
                backoff = min(_SINK_BACKOFF_CAP, max(_SINK_BACKOFF_START, backoff * 2))
                log.warning(
                    "probe: the results sink failed (%s: %s); %d results kept, retrying in "
                    "%g s / 探测结果写入失败（%s）；保留 %d 条结果，%g 秒后重试",
                    type(exc).__name__,
                    exc,
                    len(self._pending),
                    backoff,
                    type(exc).__name__,
                    len(self._pending),
                    backoff,
                )
                await asyncio.sleep(backoff)
                continue
            del self._pending[: len(batch)]
            if backoff:
                log.info("probe: the results sink works again / 探测结果写入已恢复")
            return
