"""Ingest alone: CPU per check result stored, in the storing process and in the PostgreSQL
server process serving it, for batches of 500 results of 500 monitors (as the probe's
ingest process receives them), steady state (every monitor up, nothing changes state).

    python bench/bench_ingest.py            # 120 batches per database, 3 rounds
    python bench/bench_ingest.py --quick    # 20 batches, 1 round

What the throughput benchmark (bench_probe.py) cannot separate from the checks and the
machine's noise: how much CPU storing one result costs. CPU time, not wall time, so a
busy machine changes the figures less. SQLite in a temporary BAOZHANG_HOME; PostgreSQL
in a throwaway database bench_ingest_<pid>, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support
from bench_probe import prepare_database

MONITORS = 3000
BATCH = 500

CHILD = """
import datetime as dt, json, os, sys, time
import django
django.setup()
from django.db import connection
from baozhang.monitoring.ingest import ingest
from baozhang.monitoring.probe.specs import Outcome

ids, batches, BATCH = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
backend = None
if connection.vendor == "postgresql":
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]

def server_cpu():
    if backend is None:
        return 0.0
    with open(f"/proc/{backend}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

start = dt.datetime.now(dt.UTC)

def run(first, count):
    for b in range(first, first + count):
        at = start + dt.timedelta(seconds=b)
        first_id = (b * BATCH) % len(ids)
        chunk = ids[first_id:first_id + BATCH]
        ingest([Outcome(m, "local", at, True, 1.0, "", at) for m in chunk])

run(0, 12)  # warm: every monitor's state written once by this process
c0, s0, t0 = time.process_time(), server_cpu(), time.perf_counter()
run(12, batches)
c1, s1, t1 = time.process_time(), server_cpu(), time.perf_counter()
n = batches * BATCH
print("RESULT " + json.dumps({"client": (c1 - c0) / n * 1e6, "server": (s1 - s0) / n * 1e6,
      "wall": (t1 - t0) / n * 1e6}))
"""


def measure(env: dict[str, str], ids: list[int], batches: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(ids), str(batches), str(BATCH)],
        env=env,
        cwd=support.REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.batches, args.rounds = 20, 1
    pg_version = support.postgres_version()
    print(support.machine(f"PostgreSQL {pg_version}" if pg_version else ""), flush=True)
    print(
        f"batches of {BATCH} results of {BATCH} monitors ({MONITORS:,} monitors in turn), "
        f"{args.batches} batches measured per round, {args.rounds} round(s), median shown",
        flush=True,
    )
    summary: dict[str, float] = {}
    name = f"bench_ingest_{os.getpid()}"
    homes: list[str] = []
    try:
        databases = [("sqlite", None)] + ([("postgresql", name)] if pg_version else [])
        for db, pg_name in databases:
            home = tempfile.mkdtemp(prefix="bz-bench-ingest-")
            homes.append(home)
            env = support.django_env(home, support.create_postgres(pg_name) if pg_name else None)
            ids = prepare_database(env, "http://127.0.0.1:9/", MONITORS)
            rounds = [measure(env, ids, args.batches) for _ in range(args.rounds)]
            med = sorted(rounds, key=lambda r: r["client"] + r["server"])[len(rounds) // 2]
            total = med["client"] + med["server"]
            each = ", ".join(f"{r['client'] + r['server']:.0f}" for r in rounds)
            print(
                f"  {db:<11} storing process {med['client']:6.1f} µs/result, database server "
                f"{med['server']:5.1f}, together {total:6.1f}; wall {med['wall']:6.1f} µs/result "
                f"(rounds, together: {each})",
                flush=True,
            )
            summary.update({f"{db}_client": med["client"], f"{db}_server": med["server"]})
    finally:
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)
        if pg_version:
            support.drop_postgres(name)
    support.json_line("ingest", {k: round(v, 1) for k, v in summary.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
