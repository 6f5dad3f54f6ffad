"""Scheduling drift of the probe engine: how late checks start (p50/p99/max, from
``Engine.drift_percentile``) with 20,000 monitors at a 60-s interval in one engine.

    python bench/bench_drift.py            # 20,000 monitors at 60 s, 75 s per phase
    python bench/bench_drift.py --quick    # 2,000 monitors at 5 s, 12 s per phase

Phases, each a fresh Engine in this process (the default asyncio loop, as ``baozhang
probe`` runs it), ``max_in_flight`` = PROBE_MAX_IN_FLIGHT (512):

1. baseline: a fake check (``asyncio.sleep`` of ``--check-ms``, passed as
   ``Engine(check=...)``) and a sink that drops the results: the scheduler alone;
2. the same fake check, results stored by the sink ``runner.run_local`` uses
   (``ingest.ingest`` in a process of its own when PROBE_INGEST_PROCESS is on, as by
   default, else in a thread) into SQLite in a temporary BAOZHANG_HOME: the first run of
   every monitor is also its first state transition (unknown → up: a spell, an event), so
   this phase carries the cold start;
3. real TCP connects to nginx on loopback (``run_check``, kind ``tcp``), stored the same
   way (``--no-tcp`` to skip; needs nginx, exit 2 with the apt-get line when missing).

Target (issue 5 §7): p99 lateness < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support


def run_phase(
    label: str,
    specs: list[Any],
    seconds: float,
    check: Any | None,
    store: bool,
) -> dict[str, Any]:
    from django.conf import settings

    from baozhang.monitoring import runner
    from baozhang.monitoring.ingest import store_batch
    from baozhang.monitoring.probe.engine import Engine

    stats = {"stored": 0, "sink_s": 0.0}
    # The sink runner.run_local uses: a process of its own when PROBE_INGEST_PROCESS is on.
    own = getattr(settings, "PROBE_INGEST_PROCESS", False) and hasattr(runner, "IngestProcess")
    writer = runner.IngestProcess() if store and own else None
    if writer is not None:
        asyncio.run(writer.store([]))  # start the ingest process before the clock runs
        label += " (own process)"
    elif store:
        label += " (thread)"

    async def sink(batch: list[Any]) -> None:
        t0 = time.perf_counter()
        if writer is not None:
            await writer.store(batch)
        elif store:
            await asyncio.to_thread(store_batch, batch)
        stats["sink_s"] += time.perf_counter() - t0
        stats["stored"] += len(batch)

    kw = {"check": check} if check is not None else {}
    engine = Engine("local", sink, max_in_flight=settings.PROBE_MAX_IN_FLIGHT, **kw)
    engine.set_monitors(specs)

    async def main() -> dict[str, Any]:
        stop = asyncio.Event()
        cpu0, t0 = time.process_time(), time.monotonic()
        runner = asyncio.create_task(engine.run(stop))
        await asyncio.sleep(seconds)
        drift = {q: engine.drift_percentile(q) for q in (0.5, 0.99, 1.0)}
        span, cpu = time.monotonic() - t0, time.process_time() - cpu0
        started = engine.checks_started
        stop.set()
        await asyncio.wait_for(runner, timeout=120)
        return {
            "label": label,
            "p50": drift[0.5] or 0.0,
            "p99": drift[0.99] or 0.0,
            "max": drift[1.0] or 0.0,
            "started": started,
            "done": engine.checks_done,
            "skipped": engine.checks_skipped,
            "stored": stats["stored"],
            "sink_failures": engine.sink_failures,
            "sink_busy": stats["sink_s"] / span,
            "cpu": cpu / span,
        }

    try:
        return asyncio.run(main())
    finally:
        if writer is not None:
            writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=20_000)
    parser.add_argument("--interval", type=float, default=60)
    parser.add_argument("--seconds", type=float, default=75, help="per phase (≥ 70 s)")
    parser.add_argument("--check-ms", type=float, default=5, help="the fake check's sleep")
    parser.add_argument("--no-tcp", action="store_true", help="skip the nginx TCP phase")
    parser.add_argument("--quick", action="store_true", help="2,000 monitors at 5 s, 12 s")
    args = parser.parse_args()
    if args.quick:
        args.monitors, args.interval, args.seconds = 2000, 5, 12
    tools = {} if args.no_tcp else support.require_tools("nginx")
    run_started = time.monotonic()
    home = tempfile.mkdtemp(prefix="bz-bench-drift-")
    results: list[dict[str, Any]] = []
    try:
        support.setup_django(home, None)
        import sqlite3

        from django.db import connection

        from baozhang.monitoring.models import Monitor
        from baozhang.monitoring.probe.specs import MonitorSpec

        print(support.machine(f"SQLite {sqlite3.sqlite_version} (WAL)"), flush=True)
        Monitor.objects.bulk_create(
            [
                Monitor(
                    name=f"bench {i:05d}",
                    kind="tcp",
                    target="127.0.0.1:9",
                    interval_s=max(1, int(args.interval)),
                    timeout_s=5,
                )
                for i in range(args.monitors)
            ],
            batch_size=2000,
        )
        ids = list(Monitor.objects.order_by("id").values_list("id", flat=True))
        connection.close()
        offered = args.monitors / args.interval
        print(
            f"{args.monitors:,} monitors at {args.interval:g} s ({offered:,.0f} checks/s due), "
            f"{args.seconds:g} s per phase; lateness of each start after its due time",
            flush=True,
        )

        async def fake(spec: Any, ctx: Any) -> tuple[bool, float | None, str]:
            await asyncio.sleep(args.check_ms / 1000)
            return True, args.check_ms, ""

        def specs(target: str) -> list[Any]:
            return [
                MonitorSpec(id=i, kind="tcp", target=target, interval=args.interval, timeout=5.0)
                for i in ids
            ]

        print(
            f"  {'phase':<58} {'starts':>8} {'skipped':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'max ms':>7} {'cpu':>5} {'sink':>5}"
        )

        def show(r: dict[str, Any]) -> None:
            results.append(r)
            print(
                f"  {r['label']:<58} {r['started']:>8,} {r['skipped']:>7,} "
                f"{r['p50'] * 1000:>7.1f} {r['p99'] * 1000:>7.1f} {r['max'] * 1000:>7.1f} "
                f"{r['cpu']:>5.2f} {r['sink_busy']:>5.0%}",
                flush=True,
            )

        show(
            run_phase(
                f"fake {args.check_ms:g} ms check, results dropped",
                specs("127.0.0.1:9"),
                args.seconds,
                fake,
                store=False,
            )
        )
        show(
            run_phase(
                f"fake {args.check_ms:g} ms check → ingest (SQLite)",
                specs("127.0.0.1:9"),
                args.seconds,
                fake,
                store=True,
            )
        )
        if not args.no_tcp:
            with support.nginx(tools["nginx"]) as url:
                target = url.removeprefix("http://").rstrip("/")
                show(
                    run_phase(
                        "TCP connect to nginx → ingest (SQLite)",
                        specs(target),
                        args.seconds,
                        None,
                        store=True,
                    )
                )
        for r in results:
            if r["stored"] != r["done"]:
                print(f"  WARNING: {r['label']}: {r['done']} done, {r['stored']} stored")
        worst = max(r["p99"] for r in results)
        print(
            f"  p99 lateness at most {worst * 1000:.0f} ms: "
            f"{'target < 1 s met' if worst < 1.0 else 'TARGET < 1 s MISSED'}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(home, ignore_errors=True)
    support.json_line(
        "drift",
        {
            "monitors": args.monitors,
            "interval": args.interval,
            "seconds": args.seconds,
            "phases": results,
        },
    )
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    sys.exit(main())
