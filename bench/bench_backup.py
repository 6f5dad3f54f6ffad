"""Platform backup and restore (M2) against pg_dump / pg_restore of the same PostgreSQL
database, in the same run: the ratios are the figures.

    python bench/bench_backup.py            # 100,000 tickets; a year of spells, 2,000 monitors
    python bench/bench_backup.py --quick    # 2,000 tickets, 50 monitors (a smoke run)

Steps, on fresh PostgreSQL databases bench_backup_<pid>_* (dropped at the end):

1. The source: `migrate`, the demo (`baozhang.demo.load_demo`) and 40 customers, then
   `--tickets` tickets with their clocks (bench_desk.bulk_tickets: the desk's own clock
   code), three messages and four events per ticket (JSON before/after, an address), and
   `--monitors` HTTP monitors with a year of state spells each (two outages a week: an up
   spell then a down spell of 5–65 minutes). VACUUM ANALYZE.
2. `baozhang backup -o` (a child process), then `pg_dump -Fc` of the same database.
3. `baozhang restore` into an empty database (it creates the schema, like pg_restore),
   then `pg_restore` of the dump into another empty one. `migrate` alone into a third
   shows how much of the restore is the schema.
4. Correctness: the restored database backed up again gives the same rows and checksum
   for every table; the pg_restore copy has as many tickets.
5. Unless --no-sqlite: the archive restored into an empty SQLite home (the other
   direction of the move between databases).

Each child's wall time and peak memory (its own maximum resident set) are printed, and
a JSON line. Every step is capped (`--timeout` seconds). Skips (exit 0) when PostgreSQL
does not answer. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _monitoring_support as support  # noqa: E402

REPO = HERE.parent


def run(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, float]:
    """Run a child to its end; (seconds, peak resident MB). Raises on failure or timeout."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = started + timeout
    peak = 0.0
    while True:
        peak = max(peak, _peak_mb(proc.pid))
        pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise TimeoutError(f"{' '.join(cmd)}: over {timeout:.0f} s")
        time.sleep(0.05)
    seconds = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode}:\n{out.decode()}\n{err.decode()}"
        )
    return seconds, peak


def _peak_mb(pid: int) -> float:
    """The child's peak resident set since its exec (VmHWM), sampled while it runs (the
    rusage of a forked child also counts the parent's pages before the exec)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def populate(tickets: int, monitors: int) -> dict[str, int]:
    """Fill the source database (this process is set up on it)."""
    import bench_desk
    from django.db import connection

    from baozhang.monitoring.models import Monitor

    bench_desk.seed_people(40)
    bench_desk.bulk_tickets(tickets)
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO desk_ticketmessage (author_label, from_customer, visibility, channel, "
            "body, email_message_id, created_at, author_id, ticket_id) "
            "SELECT CASE WHEN g = 2 THEN '客服 王芳 Wang Fang' ELSE t.requester END, g <> 2, "
            "CASE WHEN g = 3 THEN 'internal' ELSE 'public' END, 'web', "
            "repeat('网络时断时续，请协助排查。The link drops now and then. ', "
            "(1 + t.id % 6)::int), "
            "CASE WHEN g = 1 THEN '<' || t.id || '@mail.example.cn>' ELSE '' END, "
            "t.created_at + g * interval '17 minutes', NULL, t.id "
            "FROM desk_ticket t CROSS JOIN generate_series(1, 3) AS g"
        )
        cur.execute(
            "INSERT INTO events_event (at, actor_label, kind, object_type, object_id, "
            "object_label, parent_type, parent_id, before, after, summary, ip_address, "
            "actor_id, organisation_id) "
            "SELECT t.created_at + g * interval '1 hour', 'agent', "
            "(ARRAY['created','updated','state_changed','state_changed'])[g], 'desk.ticket', "
            "t.id::text, t.reference, '', '', "
            "CASE WHEN g = 1 THEN NULL ELSE jsonb_build_object('status', 'open', 'level', g) END, "
            "jsonb_build_object('status', 'resolved', 'at', t.created_at, 'n', g * 1.5), "
            "'工单状态变更 status changed', ('10.0.' || (t.id % 200) || '.' || g)::inet, NULL, "
            "t.customer_id FROM desk_ticket t CROSS JOIN generate_series(1, 4) AS g"
        )
    Monitor.objects.bulk_create(
        [
            Monitor(
                name=f"bench monitor {i:04d}",
                kind="http",
                target=f"http://10.1.{i // 250}.{i % 250}/",
            )
            for i in range(monitors)
        ],
        batch_size=1000,
    )
    with connection.cursor() as cur:
        # Two outages a week for a year: an up spell then a down spell of 5–65 minutes.
        cur.execute(
            'INSERT INTO monitoring_statespell (state, start, "end", reason, monitor_id) '
            "SELECT s.state, s.start, s.start + s.len, s.reason, m.id FROM monitoring_monitor m "
            "CROSS JOIN LATERAL (SELECT CASE WHEN k = 0 THEN 'up' ELSE 'down' END AS state, "
            "now() - interval '365 days' + (w + k) * interval '84 hours' "
            "  - k * ((5 + (m.id + w) % 61) * interval '1 minute') AS start, "
            "CASE WHEN k = 0 THEN interval '84 hours' "
            "  - (5 + (m.id + w) % 61) * interval '1 minute' "
            "  ELSE (5 + (m.id + w) % 61) * interval '1 minute' END AS len, "
            "CASE WHEN k = 0 THEN '' ELSE 'HTTP 503 from 2 of 3 regions' END AS reason "
            "FROM generate_series(0, 103) AS w CROSS JOIN generate_series(0, 1) AS k) s "
            "WHERE m.name LIKE 'bench monitor %'"
        )
        cur.execute("VACUUM ANALYZE")
        counts = {}
        for table in (
            "desk_ticket",
            "desk_clock",
            "desk_ticketmessage",
            "events_event",
            "monitoring_monitor",
            "monitoring_statespell",
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    return counts


def figures(archive: Path) -> dict[str, tuple[int, str]]:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    return {name: (t["rows"], t["checksum"]) for name, t in manifest["tables"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--monitors", type=int)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    tickets = args.tickets or (2_000 if args.quick else 100_000)
    monitors = args.monitors or (50 if args.quick else 2_000)
    version = support.postgres_version()
    if version is None:
        print("skipped: no PostgreSQL")
        return 0
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            print(f"skipped: {tool} is not installed")
            return 0
    print(support.machine(f"PostgreSQL {version}; pg_dump {_tool_version('pg_dump')}"))
    stem = f"bench_backup_{os.getpid()}"
    names = [f"{stem}_{n}" for n in ("source", "restored", "pgrestored", "migrated")]
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        urls = {n: support.create_postgres(n) for n in names}
        source_url = urls[names[0]]
        started = time.monotonic()
        support.setup_django(str(work / "home-source"), source_url)
        counts = populate(tickets, monitors)
        print(f"source: {counts} (filled in {time.monotonic() - started:.0f} s)")
        rows = _total_rows(source_url)
        env = lambda url, home: support.django_env(str(work / home), url)  # noqa: E731
        py = [sys.executable, "-m", "baozhang"]
        archive = work / "source.zip"
        dump = work / "source.pgc"
        r: dict[str, Any] = {"tickets": tickets, "monitors": monitors, "rows": rows}
        r["backup_s"], r["backup_mb"] = run(
            [*py, "backup", "-o", str(archive)], env(source_url, "home-source"), args.timeout
        )
        r["pg_dump_s"], r["pg_dump_mb"] = run(
            ["pg_dump", "-Fc", "-f", str(dump), "-d", source_url], dict(os.environ), args.timeout
        )
        r["archive_mb"], r["dump_mb"] = archive.stat().st_size / 2**20, dump.stat().st_size / 2**20
        r["restore_s"], r["restore_mb"] = run(
            [*py, "restore", str(archive)], env(urls[names[1]], "home-restored"), args.timeout
        )
        r["pg_restore_s"], r["pg_restore_mb"] = run(
            ["pg_restore", "--no-owner", "-d", urls[names[2]], str(dump)],
            dict(os.environ),
            args.timeout,
        )
        r["migrate_only_s"], _ = run(
            [*py, "migrate", "-v", "0"], env(urls[names[3]], "home-migrated"), args.timeout
        )
        again = work / "again.zip"
        run([*py, "backup", "-o", str(again)], env(urls[names[1]], "home-restored"), args.timeout)
        r["restored_identical"] = figures(again) == figures(archive)
        r["pg_restored_rows"] = _total_rows(urls[names[2]])
        if not args.no_sqlite:
            r["restore_sqlite_s"], r["restore_sqlite_mb"] = run(
                [*py, "restore", str(archive)], env("", "home-sqlite"), args.timeout
            )
        r["backup_ratio"] = r["backup_s"] / r["pg_dump_s"]
        r["restore_ratio"] = r["restore_s"] / r["pg_restore_s"]
        r["restore_data_ratio"] = (r["restore_s"] - r["migrate_only_s"]) / r["pg_restore_s"]
        print(
            f"rows in all tables: {rows:,}\n"
            f"backup      {r['backup_s']:7.1f} s  {r['backup_mb']:6.0f} MB peak  "
            f"archive {r['archive_mb']:.0f} MB\n"
            f"pg_dump -Fc {r['pg_dump_s']:7.1f} s  dump {r['dump_mb']:.0f} MB   "
            f"ratio {r['backup_ratio']:.1f}x\n"
            f"restore     {r['restore_s']:7.1f} s  {r['restore_mb']:6.0f} MB peak  "
            f"(of which the schema, migrate alone: {r['migrate_only_s']:.1f} s)\n"
            f"pg_restore  {r['pg_restore_s']:7.1f} s  ratio {r['restore_ratio']:.1f}x "
            f"(data only, restore minus migrate: {r['restore_data_ratio']:.1f}x)\n"
            + (
                f"restore into SQLite {r['restore_sqlite_s']:.1f} s, "
                f"{r['restore_sqlite_mb']:.0f} MB peak\n"
                if "restore_sqlite_s" in r
                else ""
            )
            + f"restored copy identical (rows and checksums, every table): "
            f"{r['restored_identical']}; pg_restore copy rows {r['pg_restored_rows']:,}"
        )
        support.json_line("backup", r)
        return 0 if r["restored_identical"] and r["pg_restored_rows"] == rows else 1
    finally:
        from django.db import connections

        connections.close_all()
        for n in names:
            support.drop_postgres(n)
        shutil.rmtree(work, ignore_errors=True)


def _total_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'django_migrations'"
            )
        ]
        return sum(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)


def _tool_version(tool: str) -> str:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.strip().rsplit(" ", 2)[-2] if out.stdout else "?"


if __name__ == "__main__":
    sys.exit(main())
