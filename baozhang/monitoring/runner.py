"""The server's own probe (region ``local``): the asyncio engine fed from the database and
writing its results through :func:`baozhang.monitoring.ingest.ingest`. Runs alone
(``baozhang probe``) or on a thread of ``baozhang up``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from baozhang.monitoring import ingest_child
from baozhang.monitoring.ingest import store_batch
from baozhang.monitoring.models import LOCAL_REGION
from baozhang.monitoring.shards import WHOLE, Shard, in_shard

log = logging.getLogger(__name__)


def _load_specs(region: str, shard: Shard = WHOLE) -> list[object]:
    from baozhang.monitoring.catalog import monitor_spec_dict
    from baozhang.monitoring.probe.specs import MonitorSpec
    from baozhang.monitoring.probe_api import assigned_monitors

    close_old_connections()
    try:
        return [
            MonitorSpec.from_dict(monitor_spec_dict(m))
            for m in assigned_monitors(region)
            if in_shard(m.id, shard)
        ]
    finally:
        connection.close()


class IngestProcess:
    """Results stored by a process of their own: ingesting is Python work that, on a
    thread of the probe's process, would hold the GIL the event loop needs
    (bench/bench_probe.py measured the checks falling to a third). The probe waits for
    each batch to be stored; a failure (the database away) raises in the probe, which
    keeps the batch and tries again; a dead process is replaced."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            database = {
                key: connection.settings_dict[key]
                for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
                if key in connection.settings_dict
            }
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=ingest_child.setup,
                initargs=(database,),
            )
        return self._pool

    async def store(self, outcomes: Sequence[Any]) -> None:
        rows = [(o.monitor_id, o.region, o.at, o.ok, o.latency_ms, o.error) for o in outcomes]
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._ensure(), ingest_child.store, rows)
        except BrokenProcessPool:
            self.close()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)
            self._pool = None


async def run_local(
    stop: asyncio.Event, *, region: str = LOCAL_REGION, shard: Shard = WHOLE
) -> None:
    """Check the monitors assigned to ``region`` (those of ``shard`` when the work is
    split over several processes) until ``stop`` is set. Assignments are re-read every
    PROBE_RELOAD_SECONDS; while the database is away, the engine keeps its last
    assignments and retries storing its results (they wait in memory)."""
    from baozhang.monitoring.probe.engine import Engine

    writer = IngestProcess() if settings.PROBE_INGEST_PROCESS else None

    async def sink(batch: list[object]) -> None:
        if writer is not None:
            await writer.store(batch)
        else:
            await asyncio.to_thread(store_batch, batch)

    engine = Engine(region, sink, max_in_flight=settings.PROBE_MAX_IN_FLIGHT)  # type: ignore[arg-type]
    runner = asyncio.create_task(engine.run(stop))
    failing = loaded = False
    while not stop.is_set():
        try:
            specs = await asyncio.to_thread(_load_specs, region, shard)
            engine.set_monitors(specs)  # type: ignore[arg-type]
            if not loaded and shard != WHOLE:
                log.info(
                    "probe shard %d/%d: %d monitors / 探测分片 %d/%d：%d 个监控",
                    shard[0] + 1,
                    shard[1],
                    len(specs),
                    shard[0] + 1,
                    shard[1],
                    len(specs),
                )
            loaded = True
            if failing:
                log.warning("probe: assignments read again / 已重新读取监控任务")
            failing = False
        except Exception as exc:
            if not failing:
                log.warning(
                    "probe: cannot read assignments, keeping the last ones (%s) / "
                    "无法读取监控任务，沿用上次的任务",
                    exc,
                )
            failing = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.PROBE_RELOAD_SECONDS)
    try:
        await runner
    finally:
        if writer is not None:
            await asyncio.to_thread(writer.close)


def start_thread(stop: threading.Event) -> threading.Thread:
    """Run :func:`run_local` on a thread with its own event loop until ``stop`` is set."""

    def main() -> None:
        from baozhang.monitoring.probe.engine import run_event_loop

        async def go() -> None:
            done = asyncio.Event()

            async def watch() -> None:
                while not stop.is_set():
                    await asyncio.sleep(0.2)
                done.set()

            watcher = asyncio.create_task(watch())
            await run_local(done)
            watcher.cancel()

        try:
            run_event_loop(go())
        except Exception:
            log.exception("probe engine stopped / 探测引擎已停止")

    thread = threading.Thread(target=main, name="baozhang-probe", daemon=True)
    thread.start()
    return thread
