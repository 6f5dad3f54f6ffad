"""Database bytes per monitor-day on PostgreSQL: what is kept for ever (state spells and
daily rollups) against one row per check (the raw results), at a 60-s interval with 1 %
failed checks.

    python bench/bench_storage.py            # 200 monitors, one simulated day each
    python bench/bench_storage.py --quick    # 20 monitors

Steps, on a fresh PostgreSQL database bench_storage_<pid> (dropped at the end), once with
``retries`` 2 (the default: one failed check alone is not an outage) and once with
``retries`` 1 (every failed check is an outage, the worst case for spells):

1. ``--monitors`` HTTP monitors, created two days before the simulated day;
2. one local day of checks for each (1,440 at a 60-s interval, each monitor at its own
   phase), exactly 1 % failed at random minutes, through ``ingest.ingest`` in batches of
   500 in time order, as the probe engine sends them (state machine, spells, incidents);
3. ``rollups.roll_up_day`` for each monitor;
4. VACUUM FULL of the three tables (the spells' updated rows leave dead tuples; VACUUM
   FULL gives the size the table converges to), then ``pg_total_relation_size`` (heap,
   indexes, TOAST) of each, divided by the monitor-days.

Skips (exit 0) when PostgreSQL does not answer. Loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support

TABLES = ("monitoring_proberesult", "monitoring_statespell", "monitoring_dailyrollup")


def simulate(monitors: int, retries: int, fail: float, seed: int, timeout: float) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    from baozhang.monitoring import rollups
    from baozhang.monitoring.figures import day_bounds, local_zone
    from baozhang.monitoring.ingest import ingest
    from baozhang.monitoring.models import DailyRollup, Monitor, ProbeResult, StateSpell
    from baozhang.monitoring.probe.specs import Outcome

    with connection.cursor() as cur:  # a clean slate for this variant
        cur.execute(
            "TRUNCATE monitoring_proberesult, monitoring_statespell, monitoring_dailyrollup, "
            "monitoring_monitor, events_event, incidents_incident RESTART IDENTITY CASCADE"
        )
    rnd = random.Random(seed)
    today = dt.datetime.now(local_zone()).date()
    day = today - dt.timedelta(days=10)
    d0, _d1 = day_bounds(day)
    Monitor.objects.bulk_create(
        [
            Monitor(
                name=f"bench http {i:05d}",
                kind="http",
                target=f"http://127.0.0.1:9/{i}",
                interval_s=60,
                timeout_s=10,
                retries=retries,
            )
            for i in range(monitors)
        ],
        batch_size=1000,
    )
    Monitor.objects.update(created_at=d0 - dt.timedelta(days=2))
    ids = list(Monitor.objects.order_by("id").values_list("id", flat=True))
    per_day = 1440
    failing = round(per_day * fail)
    outcomes = []
    for i, mid in enumerate(ids):
        phase = dt.timedelta(seconds=(i * 7919) % 60, microseconds=rnd.randrange(1_000_000))
        bad = set(rnd.sample(range(per_day), failing))
        for k in range(per_day):
            at = d0 + phase + dt.timedelta(minutes=k)
            if k in bad:
                outcomes.append(
                    Outcome(
                        mid,
                        "local",
                        at,
                        False,
                        None,
                        "connection refused (127.0.0.1) / 连接被拒绝(127.0.0.1)",
                        at,
                    )
                )
            else:
                latency = round(min(5000.0, rnd.lognormvariate(3.0, 0.6)), 3)
                outcomes.append(Outcome(mid, "local", at, True, latency, "", at))
    outcomes.sort(key=lambda o: o.at)
    started = time.monotonic()
    transitions = 0
    deadline = started + timeout
    for first in range(0, len(outcomes), 500):
        if time.monotonic() > deadline:
            raise SystemExit(f"ingest did not finish within {timeout:.0f} s")
        transitions += len(ingest(outcomes[first : first + 500]).transitions)
    ingest_s = time.monotonic() - started
    t0 = time.monotonic()
    for monitor in Monitor.objects.order_by("id"):
        rollups.roll_up_day(monitor, day)
    rollup_s = time.monotonic() - t0
    with connection.cursor() as cur:
        sizes_before = {}
        for table in TABLES:
            cur.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes_before[table] = cur.fetchone()[0]
        cur.execute("VACUUM FULL ANALYZE " + ", ".join(TABLES))
        sizes, indexes = {}, {}
        for table in TABLES:
            cur.execute("SELECT pg_total_relation_size(%s), pg_indexes_size(%s)", [table, table])
            sizes[table], indexes[table] = cur.fetchone()
        cur.execute(
            "SELECT count(*), coalesce(sum(pg_column_size(e.*)), 0) FROM events_event e "
            "WHERE e.kind = 'state_changed' AND e.object_type = 'monitoring.monitor'"
        )
        events, event_bytes = cur.fetchone()
        cur.execute("SELECT count(*) FROM events_event")
        all_events = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM incidents_incident")
        incidents = cur.fetchone()[0]
    rows = {
        "monitoring_proberesult": ProbeResult.objects.count(),
        "monitoring_statespell": StateSpell.objects.count(),
        "monitoring_dailyrollup": DailyRollup.objects.count(),
    }
    kept = sizes["monitoring_statespell"] + sizes["monitoring_dailyrollup"]
    raw = sizes["monitoring_proberesult"]
    return {
        "retries": retries,
        "monitors": monitors,
        "checks": len(outcomes),
        "failed": failing * monitors,
        "transitions": transitions,
        "ingest_s": ingest_s,
        "ingest_rate": len(outcomes) / ingest_s if ingest_s else 0.0,
        "rollup_s": rollup_s,
        "rows": rows,
        "bytes": sizes,
        "bytes_before_vacuum": sizes_before,
        "index_bytes": indexes,
        "kept_per_monitor_day": kept / monitors,
        "raw_per_monitor_day": raw / monitors,
        "ratio": raw / kept if kept else 0.0,
        "raw_window_days": settings.MONITOR_RAW_DAYS,
        "state_events": events,
        "state_event_bytes": event_bytes,
        "all_events": all_events,
        "incidents": incidents,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monitors", type=int, default=200)
    parser.add_argument("--fail", type=float, default=0.01, help="share of failed checks")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per variant at most")
    parser.add_argument("--quick", action="store_true", help="20 monitors")
    args = parser.parse_args()
    if args.quick:
        args.monitors = 20
    run_started = time.monotonic()
    version = support.postgres_version()
    if version is None:
        print("skipped: this benchmark needs PostgreSQL")
        return 0
    name = f"bench_storage_{os.getpid()}"
    home = tempfile.mkdtemp(prefix="bz-bench-storage-")
    results = []
    try:
        url = support.create_postgres(name)
        support.setup_django(home, url)
        print(support.machine(f"PostgreSQL {version} on {support.HOST}"), flush=True)
        print(
            f"one simulated day: {args.monitors} monitors × 1,440 checks at 60 s, "
            f"{args.fail:.0%} failed (spread at random), ingest in batches of 500, "
            "then roll_up_day; sizes after VACUUM FULL",
            flush=True,
        )
        for retries in (2, 1):
            r = simulate(args.monitors, retries, args.fail, 20261127 + retries, args.timeout)
            results.append(r)
            print(
                f"\nretries={retries}: {r['checks']:,} checks ({r['failed']:,} failed) ingested "
                f"in {r['ingest_s']:.1f} s ({r['ingest_rate']:,.0f}/s), {r['transitions']:,} "
                f"transitions; roll_up_day × {args.monitors} in {r['rollup_s']:.1f} s",
                flush=True,
            )
            print(
                f"  {'table':<26} {'rows':>9} {'bytes':>12} {'of which indexes':>17} "
                f"{'bytes/row':>9} {'bytes/monitor-day':>18}"
            )
            for table in TABLES:
                print(
                    f"  {table:<26} {r['rows'][table]:>9,} {r['bytes'][table]:>12,} "
                    f"{r['index_bytes'][table]:>17,} "
                    f"{r['bytes'][table] / max(1, r['rows'][table]):>9,.0f} "
                    f"{r['bytes'][table] / args.monitors:>18,.0f}"
                )
            print(
                f"  kept for ever (spells + rollups): {r['kept_per_monitor_day']:,.0f} B per "
                f"monitor-day; one row per check: {r['raw_per_monitor_day']:,.0f} B per "
                f"monitor-day; raw ÷ kept = {r['ratio']:.1f}× "
                f"({'target ≥ 50× met' if r['ratio'] >= 50 else 'TARGET ≥ 50× MISSED'})"
            )
            print(
                f"  raw window: MONITOR_RAW_DAYS={r['raw_window_days']} → "
                f"{r['raw_per_monitor_day'] * r['raw_window_days'] / 1024:,.0f} KiB per monitor, "
                "constant (pruned daily, does not grow with time); a year kept: "
                f"{r['kept_per_monitor_day'] * 365 / 1024:,.0f} KiB per monitor vs "
                f"{r['raw_per_monitor_day'] * 365 / 1024 / 1024:,.1f} MiB as raw rows"
            )
            print(
                f"  also kept for ever, per transition, outside these tables: "
                f"{r['state_events']:,} monitor state-change events "
                f"({r['state_event_bytes'] / args.monitors:,.0f} B of row data per "
                f"monitor-day); {r['incidents']:,} incidents and {r['all_events']:,} events "
                "in all (incidents opened and resolved by the outages)"
            )
    finally:
        from django.db import connections

        connections.close_all()
        support.drop_postgres(name)
        shutil.rmtree(home, ignore_errors=True)
    support.json_line(
        "storage",
        {
            "postgres": version,
            "variants": [
                {
                    k: r[k]
                    for k in (
                        "retries",
                        "monitors",
                        "checks",
                        "failed",
                        "transitions",
                        "kept_per_monitor_day",
                        "raw_per_monitor_day",
                        "ratio",
                        "bytes",
                        "index_bytes",
                        "rows",
                        "raw_window_days",
                    )
                }
                for r in results
            ],
        },
    )
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
