"""A year's availability for 10,000 monitors at once: seconds for
``figures.availability_of(all ids, year start, year end, now=year end)`` with N outages per
monitor per month, for N = 1 and N = 10, to show that the work grows with outages.

    python bench/bench_availability.py            # 10,000 monitors, N = 1 and 10
    python bench/bench_availability.py --quick    # 1,000 monitors
    python bench/bench_availability.py --sqlite   # on SQLite instead of PostgreSQL

On a fresh PostgreSQL database bench_availability_<pid> (dropped at the end; SQLite in a
temporary BAOZHANG_HOME with --sqlite, or when PostgreSQL does not answer): the monitors,
then for each N the state spells of 365 days inserted directly (bulk_create): an ``up``
spell from the start of the year, and in each of the 12 months N ``down`` spells of 1 to 30
minutes at random times, each followed by ``up`` again (the last one still open). Then
ANALYZE and ``availability_of`` for all monitors, ``--repeat`` times (median reported); the
outages it counts are checked against those inserted. Bounded by ``--timeout``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support

ZONE = "Asia/Shanghai"
REASON = "2 failed checks: connection refused / 连续 2 次检查失败：连接被拒绝"


def year_window() -> tuple[dt.datetime, dt.datetime]:
    from zoneinfo import ZoneInfo

    start = dt.datetime(2025, 1, 1, tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=365)


def insert_spells(ids: list[int], per_month: int, seed: int, timeout: float) -> tuple[int, float]:
    """The year's spells of every monitor; returns (rows, seconds)."""
    from django.db import connection, transaction

    from baozhang.monitoring.models import StateSpell

    start, end = year_window()
    month = (end - start) / 12
    rnd = random.Random(seed)
    started = time.monotonic()
    deadline = started + timeout
    rows = 0
    batch: list[StateSpell] = []

    def flush() -> None:
        nonlocal rows, batch
        StateSpell.objects.bulk_create(batch, batch_size=5000)
        rows += len(batch)
        batch = []

    with transaction.atomic():
        for mid in ids:
            downs = []
            for m in range(12):
                m0 = start + m * month
                # N outages in the month, apart from each other (30 min each at most)
                slot = month / per_month
                for k in range(per_month):
                    at = m0 + k * slot + rnd.random() * (slot - dt.timedelta(minutes=31))
                    downs.append((at, at + dt.timedelta(minutes=rnd.randint(1, 30))))
            t = start
            for d0, d1 in downs:
                batch.append(StateSpell(monitor_id=mid, state="up", start=t, end=d0))
                batch.append(
                    StateSpell(
                        monitor_id=mid,
                        state="down",
                        start=d0,
                        end=d1,
                        reason=REASON,
                    )
                )
                t = d1
            batch.append(StateSpell(monitor_id=mid, state="up", start=t, end=None))
            if len(batch) >= 50_000:
                flush()
                if time.monotonic() > deadline:
                    raise SystemExit(f"inserting spells took more than {timeout:.0f} s")
        flush()
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE monitoring_statespell" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return rows, time.monotonic() - started


def measure(ids: list[int], repeat: int, timeout: float) -> dict[str, Any]:
    import gc

    from baozhang.monitoring.figures import availability_of, spells_as_intervals

    start, end = year_window()
    times: list[float] = []
    query_times: list[float] = []
    deadline = time.monotonic() + timeout
    result: dict[int, Any] = {}
    for _ in range(repeat):
        if times and time.monotonic() > deadline:
            break
        result = {}
        gc.collect()
        t0 = time.perf_counter()
        spells = spells_as_intervals(ids, start, end, now=end)
        query_times.append(time.perf_counter() - t0)
        del spells
        gc.collect()
        t0 = time.perf_counter()
        result = availability_of(ids, start, end, now=end)
        times.append(time.perf_counter() - t0)
    outages = sum(a.outages for a in result.values())
    mean = statistics.fmean(float(a.percent) for a in result.values()) if result else 0.0
    return {
        "seconds": statistics.median(times),
        "runs": len(times),
        "spells_as_intervals_s": statistics.median(query_times),
        "outages_counted": outages,
        "mean_percent": mean,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--outages", default="1,10", help="outages per monitor per month")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per N (median)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per phase at most")
    parser.add_argument("--quick", action="store_true", help="1,000 monitors")
    args = parser.parse_args()
    if args.quick:
        args.monitors, args.repeat = 1000, 2
    levels = [int(x) for x in args.outages.split(",")]
    run_started = time.monotonic()
    version = None if args.sqlite else support.postgres_version()
    name = f"bench_availability_{os.getpid()}"
    home = tempfile.mkdtemp(prefix="bz-bench-availability-")
    results: list[dict[str, Any]] = []
    try:
        url = support.create_postgres(name) if version else None
        support.setup_django(home, url)
        from django.db import connection

        from baozhang.monitoring.models import Monitor, StateSpell

        db = f"PostgreSQL {version} on {support.HOST}" if version else "SQLite"
        if connection.vendor == "sqlite":
            import sqlite3

            db = f"SQLite {sqlite3.sqlite_version} (WAL, in a temporary BAOZHANG_HOME)"
        print(support.machine(db), flush=True)
        Monitor.objects.bulk_create(
            [
                Monitor(name=f"bench {i:05d}", kind="http", target=f"http://127.0.0.1:9/{i}")
                for i in range(args.monitors)
            ],
            batch_size=2000,
        )
        ids = list(Monitor.objects.order_by("id").values_list("id", flat=True))
        print(
            f"availability_of({args.monitors:,} monitors, 365 days, now = year end), "
            f"median of {args.repeat}",
            flush=True,
        )
        print(
            f"  {'outages/month':>13} {'spells':>11} {'insert s':>9} {'query s':>8} "
            f"{'total s':>8} {'× N=' + str(levels[0]):>7} {'outages ok':>11}"
        )
        for n in levels:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("TRUNCATE monitoring_statespell")
            else:
                StateSpell.objects.all().delete()
            rows, insert_s = insert_spells(ids, n, 20261127 + n, args.timeout)
            r = measure(ids, args.repeat, args.timeout)
            expected = 12 * n * len(ids)
            r.update({"per_month": n, "spells": rows, "insert_s": insert_s, "expected": expected})
            results.append(r)
            growth = r["seconds"] / results[0]["seconds"] if results[0]["seconds"] else 0.0
            print(
                f"  {n:>13} {rows:>11,} {insert_s:>9.1f} {r['spells_as_intervals_s']:>8.2f} "
                f"{r['seconds']:>8.2f} {growth:>7.1f} "
                f"{'yes' if r['outages_counted'] == expected else 'NO':>11}",
                flush=True,
            )
        if len(results) > 1:
            a, b = results[0], results[-1]
            print(
                f"\n  {b['per_month']}× the outages ({b['spells'] / a['spells']:.1f}× the spells) "
                f"took {b['seconds'] / a['seconds']:.1f}× the time; "
                f"{b['seconds'] / b['spells'] * 1e6:.2f} µs per spell at N={b['per_month']}, "
                f"{a['seconds'] / a['spells'] * 1e6:.2f} µs at N={a['per_month']}; "
                "the checks behind them (1,440 a day) are never read"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if version:
            support.drop_postgres(name)
        shutil.rmtree(home, ignore_errors=True)
    support.json_line(
        "availability",
        {
            "database": "postgresql" if version else "sqlite",
            "monitors": args.monitors,
            "levels": [
                {
                    k: r[k]
                    for k in (
                        "per_month",
                        "spells",
                        "seconds",
                        "spells_as_intervals_s",
                        "outages_counted",
                        "expected",
                    )
                }
                for r in results
            ],
            "growth": results[-1]["seconds"] / results[0]["seconds"] if results else None,
        },
    )
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
