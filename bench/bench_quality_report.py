"""The quality report to the competent authority (issue 16 §5): a year's report for 2,000
monitors checked every 60 s, 100,000 tickets and 5,000 incidents, as JSON and XLSX, and the
drill-down pages it links, on PostgreSQL.

    python bench/bench_quality_report.py            # 500, 1,000, 2,000 monitors (full size)
    python bench/bench_quality_report.py --quick    # 100, 200 monitors (a smoke run)
    python bench/bench_quality_report.py --short    # tiny data, seconds (the test suite's form)
    python bench/bench_quality_report.py --sqlite   # SQLite instead of PostgreSQL
    python bench/bench_quality_report.py --profile  # cProfile of the year's JSON report
    python bench/bench_quality_report.py --keep     # ... and keep the database (its URL)
    python bench/bench_quality_report.py --reuse URL  # measure a kept database again
    python bench/bench_quality_report.py --reuse URL --before /tmp/wt  # ... against the
        # code of another checkout (git worktree add /tmp/wt COMMIT), in turn

On a fresh database bench_quality_<pid> (dropped at the end; SQLite in a temporary
BAOZHANG_HOME with --sqlite or when PostgreSQL does not answer), the reported year (2025,
Asia/Shanghai) is seeded with what the platform really keeps for it, in bulk (COPY on
PostgreSQL):

- monitors at 60 s, most created before the year and some during it, each watching one of
  eight services; per monitor the state spells a probe leaves (``up`` from the first check,
  about 1.2 outages a month of 2 minutes to hours, a few long ones, the last spell open) and
  one daily rollup per local day (the raw results of 2025 are pruned after
  MONITOR_RAW_DAYS, so rollups and spells are all a year's report can read) and their
  monthly sums (rollups.rebuild_months, as the migration writes them): 1,440 periods,
  failed checks during the outages plus stray single failures, missed cycles (a few a day
  on some days, and three probe-host outages that miss 20 minutes to 4 hours on every
  monitor), and periods excluded by four announced maintenance windows (stored too);
- tickets through bench_desk.bulk_tickets (the desk's own clock code), dated in 2025, a
  tenth complaints with five categories, ratings on some finished ones;
- incidents over the year: classes, severities with their restore targets, durations
  around them (some missed), responsibility, emergency events with and without a plan,
  linked to customers and monitors.

The data grows in steps (``--sizes``: monitors, with tickets and incidents in proportion);
at each step the year's report runs in a child process (``baozhang report quality``
through call_command; its wall time, query count and peak memory — VmHWM, the child's own
high-water mark — and ru_maxrss) as JSON and XLSX; at the largest, also the month and the
quarter, and the drill-down pages: every link of the report page that the other pages do
not have (incidents' fault statistics, incident pages, and whatever drill-down pages exist
when it runs), grouped by view, each fetched ``--requests`` times through Django's test
client as a quality inspector (p50, p99). Baselines of the same run: ``SELECT count(*)``
over the tables the report reads, the month's report (for the quarter and the year), the
child's memory after Django's setup (before the report), and the sign-in page (for the
drill-down pages). Every loop is bounded by ``--timeout`` (seconds per phase) and counts.

With ``--before CHECKOUT`` (another checkout of this repository, e.g. ``git worktree add
/tmp/wt COMMIT``), the year's and the month's JSON and the monitors' drill-down of the year
are then run by that checkout's code and by this one's, in turn, ``--rounds`` times on the
same data (children with that checkout first on PYTHONPATH), with their medians, ratios
and whether ``collection_integrity`` is identical. With ``--reuse`` the database is
migrated first (the monthly sums are written by the migration that made their table).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _monitoring_support as support  # noqa: E402

REPO = HERE.parent
ZONE = ZoneInfo("Asia/Shanghai")
YEAR = 2025
STEP = dt.timedelta(seconds=60)
TARGETS = {"json_s": 10.0, "xlsx_s": 30.0, "peak_mb": 300.0, "page_p99_ms": 300.0}
# The tables the report reads (the count(*) baseline).
TABLES = (
    "monitoring_monitor",
    "monitoring_statespell",
    "monitoring_dailyrollup",
    "desk_ticket",
    "desk_clock",
    "incidents_incident",
)
REASON = "2 failed checks: connection refused / 连续 2 次检查失败：连接被拒绝"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE)  # type: ignore[misc]


YEAR_START, YEAR_END = local(YEAR, 1, 1), local(YEAR + 1, 1, 1)


# -- bulk insertion ---------------------------------------------------------------------------


def copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cur,
            cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def day_list() -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    out = []
    day = YEAR_START.date()
    while day < YEAR_END.date():
        d0 = local(day.year, day.month, day.day)
        d1 = d0 + dt.timedelta(days=1)
        out.append((day, d0.astimezone(dt.UTC), d1.astimezone(dt.UTC)))
        day += dt.timedelta(days=1)
    return out


def grid_ceil(t: dt.datetime, origin: dt.datetime) -> dt.datetime:
    if t <= origin:
        return origin
    return origin + -(-(t - origin) // STEP) * STEP


class World:
    """What the seeding shares between steps: services, customers, the year's days, the
    probe-host outages and the maintenance windows."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.days = day_list()
        self.services: list[int] = []
        self.customers: list[int] = []
        # Three probe-host outages: every monitor misses the same cycles that day.
        self.host_outages: dict[dt.date, int] = {}
        for month, minutes in ((3, 20), (7, 240), (11, 75)):
            self.host_outages[dt.date(YEAR, month, 9 + month)] = minutes
        # Four announced maintenance windows of two hours at 02:00 on two services.
        self.windows: dict[dt.date, int] = {}  # day -> the index of the service
        self.monitors = 0
        self.incidents = 0


def seed_services(world: World) -> None:
    from baozhang.accounts.models import Organisation, OrganisationKind
    from baozhang.catalog.models import Service
    from baozhang.maintenance.models import MaintenanceWindow, WindowStatus

    names = [
        ("IDC 机房托管", "Colocation"),
        ("云主机", "Cloud servers"),
        ("互联网专线", "Dedicated Internet access"),
        ("CDN 加速", "CDN"),
        ("域名解析", "DNS"),
        ("对象存储", "Object storage"),
        ("邮件服务", "Mail"),
        ("网站托管", "Web hosting"),
    ]
    for i, (zh, en) in enumerate(names):
        service, _ = Service.objects.get_or_create(
            slug=f"bench-{i}", defaults={"name": f"{zh} bench", "name_en": en}
        )
        world.services.append(service.pk)
    world.customers = list(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).values_list("pk", flat=True)
    )
    for k, (month, day) in enumerate(((2, 14), (5, 20), (8, 8), (10, 25))):
        start = local(YEAR, month, day, 2)
        window = MaintenanceWindow.objects.create(
            title=f"核心设备升级 {k + 1}",
            title_en=f"Core equipment upgrade {k + 1}",
            start=start,
            end=start + dt.timedelta(hours=2),
            status=WindowStatus.SCHEDULED,
        )
        service = world.services[k % 2]
        window.services.add(service)
        world.windows[start.date()] = k % 2


def seed_monitors(world: World, count: int, timeout: float) -> tuple[int, int]:
    """Monitors up to ``count``, each with its year of spells and daily rollups; returns
    (spells, rollups) added."""
    from django.db import connection, transaction

    from baozhang.core.monitor_rollup import LATENCY_BOUNDS_MS
    from baozhang.monitoring.models import Monitor

    rnd = world.rnd
    first, world.monitors = world.monitors, count
    kinds = ["http"] * 7 + ["tcp"] * 2 + ["icmp"]
    new = Monitor.objects.bulk_create(
        [
            Monitor(
                name=f"bench monitor {i:05d}",
                kind=(kind := kinds[i % len(kinds)]),
                target=(
                    f"https://10.{i // 62500}.{i // 250 % 250}.{i % 250}/health"
                    if kind == "http"
                    else f"10.{i // 62500}.{i // 250 % 250}.{i % 250}"
                    + (":443" if kind == "tcp" else "")
                ),
                interval_s=60,
            )
            for i in range(first, count)
        ],
        batch_size=2000,
    )
    created_of: dict[int, dt.datetime] = {}
    service_of: dict[int, int] = {}
    for i, monitor in enumerate(new, start=first):
        if rnd.random() < 0.15:  # added during the year
            when = YEAR_START + dt.timedelta(seconds=rnd.randrange(330 * 86400))
        else:
            when = local(YEAR - 1, 11, 20, 10) + dt.timedelta(seconds=rnd.randrange(86400))
        created_of[monitor.pk] = when.astimezone(dt.UTC)
        service_of[monitor.pk] = world.services[i % len(world.services)]
    buckets = len(LATENCY_BOUNDS_MS) + 1
    deadline = time.monotonic() + timeout
    spells_total = rollups_total = 0
    with transaction.atomic():
        with connection.cursor() as cur:
            for pk, when in created_of.items():
                cur.execute(
                    "UPDATE monitoring_monitor SET created_at = %s WHERE id = %s", [when, pk]
                )
        copy_rows(
            "monitoring_monitor_services",
            ("monitor_id", "service_id"),
            list(service_of.items()),
        )
        if world.customers:
            copy_rows(
                "monitoring_monitor_customers",
                ("monitor_id", "organisation_id"),
                [(pk, world.customers[pk % len(world.customers)]) for pk in created_of],
            )
        spells: list[tuple[Any, ...]] = []
        rollups: list[tuple[Any, ...]] = []
        for pk, created in created_of.items():
            t0 = created + STEP  # the first decisive check
            downs: list[tuple[dt.datetime, dt.datetime]] = []
            for month in range(12):
                m0 = YEAR_START + dt.timedelta(days=month * 365 / 12)
                for _ in range(_poisson(rnd, 1.2)):
                    at = m0 + dt.timedelta(seconds=rnd.randrange(int(365 / 12 * 86400)))
                    minutes = min(max(2.0, rnd.lognormvariate(math.log(8), 1.0)), 600)
                    if rnd.random() < 0.01:
                        minutes = rnd.uniform(360, 1800)  # a long one: hours
                    downs.append((at, at + dt.timedelta(minutes=round(minutes))))
            downs.sort()
            kept: list[tuple[dt.datetime, dt.datetime]] = []
            for a, b in downs:
                if a > t0 + STEP and b < YEAR_END and (not kept or a > kept[-1][1] + STEP):
                    kept.append((a, b))
            t = t0
            for a, b in kept:
                spells.append((pk, "up", t, a, ""))
                spells.append((pk, "down", a, b, REASON))
                t = b
            spells.append((pk, "up", t, None, ""))
            service_index = world.services.index(service_of[pk])
            k = 0
            for day, d0, d1 in world.days:
                if d1 <= created:
                    continue
                lo = grid_ceil(max(d0, created), d0)
                periods = (d1 - lo) // STEP
                excluded = 120 if world.windows.get(day) == service_index else 0
                excluded = min(excluded, periods)
                missed = world.host_outages.get(day, 0)
                if rnd.random() < 0.05:
                    missed += rnd.randint(1, 8)
                missed = min(missed, periods - excluded)
                failures = 1 if rnd.random() < 0.03 else 0
                while k < len(kept) and kept[k][1] <= d0:
                    k += 1
                j = k
                while j < len(kept) and kept[j][0] < d1:
                    a, b = max(kept[j][0], lo), min(kept[j][1], d1)
                    if b > a:
                        failures += -(-(b - a) // STEP)
                    j += 1
                checks = periods - missed - excluded
                failures = min(failures, checks)
                fast = round(checks * rnd.uniform(0.6, 0.9))
                latency = [0] * buckets
                latency[2], latency[3] = fast, checks - fast
                rollups.append(
                    (pk, day, lo, d1, checks, failures, missed, excluded, json.dumps(latency))
                )
            if len(rollups) >= 100_000:
                _flush(spells, rollups)
                spells_total += len(spells)
                rollups_total += len(rollups)
                spells, rollups = [], []
                if time.monotonic() > deadline:
                    raise TimeoutError(f"seeding monitors took more than {timeout:.0f} s")
        _flush(spells, rollups)
        spells_total += len(spells)
        rollups_total += len(rollups)
    return spells_total, rollups_total


def seed_months() -> float:
    """The monthly sums of the daily rollups copied in above, as the platform keeps them
    (rollups.rebuild_months, what the migration and `baozhang rollups rebuild-months`
    run); returns its seconds."""
    from baozhang.monitoring.rollups import rebuild_months

    t0 = time.perf_counter()
    rebuild_months()
    return time.perf_counter() - t0


def _poisson(rnd: random.Random, mean: float) -> int:
    k, p, limit = 0, rnd.random(), math.exp(-mean)
    while p > limit and k < 50:
        k += 1
        p *= rnd.random()
    return k


def _flush(spells: list[tuple[Any, ...]], rollups: list[tuple[Any, ...]]) -> None:
    copy_rows("monitoring_statespell", ("monitor_id", "state", "start", "end", "reason"), spells)
    copy_rows(
        "monitoring_dailyrollup",
        (
            "monitor_id",
            "day",
            "period_start",
            "period_end",
            "checks",
            "failures",
            "missed",
            "excluded",
            "latency",
        ),
        rollups,
    )


def seed_tickets(total: int) -> int:
    """Tickets (with their clocks) up to ``total``, dated in the year: bench_desk's bulk
    insertion with the clock of 2026-01-01 00:00; then complaint categories and ratings."""
    import bench_desk
    from django.db import connection
    from django.utils import timezone

    from baozhang.desk.models import Category, Ticket, TicketKind

    with mock.patch.object(timezone, "now", lambda: YEAR_END.astimezone(dt.UTC)):
        added, _clocks, _s = bench_desk.bulk_tickets(total, seed=20261207 + total)
    categories = [
        Category.objects.get_or_create(name=name)[0].pk
        for name in (
            "计费争议 billing",
            "网络质量 network quality",
            "服务态度 attitude",
            "故障处理 fault handling",
            "其他 other",
        )
    ]
    with connection.cursor() as cur:
        # bulk_tickets numbers each call's tickets from 0: give them unique references.
        cur.execute("UPDATE desk_ticket SET reference = 'BQ-' || id WHERE reference LIKE 'BZB-%'")
    weights = (30, 30, 10, 20, 10)  # billing and network quality most often
    ids = list(
        Ticket.objects.filter(kind=TicketKind.COMPLAINT, category__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rnd = random.Random(total)
    chosen: dict[int, list[int]] = {pk: [] for pk in categories}
    for tid in ids:
        chosen[rnd.choices(categories, weights)[0]].append(tid)
    for pk, tids in chosen.items():
        for k in range(0, len(tids), 5000):
            Ticket.objects.filter(pk__in=tids[k : k + 5000]).update(category_id=pk)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE desk_ticket SET rating = 1 + (id * 7919) % 5 WHERE rating IS NULL "
            "AND resolved_at IS NOT NULL AND id % 3 = 0"
        )
    return added


def seed_incidents(world: World, total: int) -> int:
    from django.db import connection, transaction

    from baozhang.incidents.models import (
        RESTORE_TARGET_MINUTES,
        Classification,
        Incident,
        IncidentStatus,
        Responsibility,
        Severity,
        Source,
    )
    from baozhang.monitoring.models import Monitor

    rnd = world.rnd
    first, world.incidents = world.incidents, total
    if total <= first:
        return 0
    classes = [
        (Classification.SERVER_DISCONNECTION, 35),
        (Classification.EQUIPMENT_FAULT, 20),
        (Classification.EGRESS_LINK, 15),
        (Classification.HUMAN_CAUSED, 5),
        (Classification.MAJOR_OUTAGE, 2),
        (Classification.SOFTWARE, 8),
        (Classification.OTHER, 15),
    ]
    severities = [(Severity.CRITICAL, 15), (Severity.MAJOR, 35), (Severity.MINOR, 50)]
    monitor_ids = list(Monitor.objects.values_list("pk", flat=True))
    span = int((YEAR_END - YEAR_START).total_seconds())
    rows = []
    for i in range(first, total):
        cls = rnd.choices([c for c, _ in classes], [w for _, w in classes])[0]
        sev = rnd.choices([s for s, _ in severities], [w for _, w in severities])[0]
        target = RESTORE_TARGET_MINUTES[sev]
        detected = YEAR_START + dt.timedelta(seconds=rnd.randrange(span))
        minutes = max(1.0, rnd.lognormvariate(math.log(target * 0.45), 0.8))
        open_ = detected > YEAR_END - dt.timedelta(days=3) and rnd.random() < 0.5
        emergency = rnd.random() < 0.04
        rows.append(
            Incident(
                reference=f"INC-B{i:06d}",
                title=f"{cls.label} #{i} / 故障 {i}",
                service_id=world.services[i % len(world.services)],
                status=rnd.choice(
                    [IncidentStatus.ACKNOWLEDGED, IncidentStatus.DISPATCHED]
                    if open_
                    else [IncidentStatus.RESOLVED, IncidentStatus.REVIEWED, IncidentStatus.REVIEWED]
                ),
                severity=sev,
                restore_target_minutes=target,
                restore_due_at=detected + dt.timedelta(minutes=target),
                classification=cls,
                responsibility=(
                    Responsibility.INSIDE if rnd.random() < 0.7 else Responsibility.OUTSIDE
                ),
                source=rnd.choices([Source.MONITOR, Source.MANUAL, Source.TICKET], [60, 25, 15])[0],
                is_emergency=emergency,
                emergency_procedure=(
                    "启动《数据中心断电应急预案》第 3 级 / power-loss plan, level 3"
                    if emergency and rnd.random() < 0.75
                    else ""
                ),
                detected_at=detected,
                acknowledged_at=detected + dt.timedelta(minutes=2),
                resolved_at=None if open_ else detected + dt.timedelta(minutes=minutes),
            )
        )
    with transaction.atomic():
        made = Incident.objects.bulk_create(rows, batch_size=2000)
        customer_links = [
            (inc.pk, world.customers[(inc.pk + k) % len(world.customers)])
            for inc in made
            if world.customers
            for k in range(inc.pk % 4)
        ]
        copy_rows(
            "incidents_incident_customers", ("incident_id", "organisation_id"), customer_links
        )
        copy_rows(
            "incidents_incident_monitors",
            ("incident_id", "monitor_id"),
            [(inc.pk, monitor_ids[inc.pk % len(monitor_ids)]) for inc in made if monitor_ids],
        )
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE incidents_incident SET created_at = detected_at, updated_at = "
            "COALESCE(resolved_at, detected_at) WHERE reference LIKE 'INC-B%'"
        )
    return len(made)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# -- measuring --------------------------------------------------------------------------------


def count_baseline(repeat: int = 3) -> tuple[float, dict[str, int]]:
    """Seconds of ``SELECT count(*)`` over every table the report reads (median of
    ``repeat``), and the counts."""
    from django.db import connection

    times, counts = [], {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for table in TABLES:
                cur.execute(f"SELECT count(*) FROM {table}")
                counts[table] = cur.fetchone()[0]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), counts


def child(period: str, fmt: str, out: str, profile: bool) -> int:
    """In the child process: the report through the command, then its figures as one line."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    idle_mb = _vm_hwm()
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    err = io.StringIO()
    with connection.execute_wrapper(count):
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        call_command(
            "report", "quality", "--period", period, "--format", fmt, "-o", out, stderr=err
        )
        if prof:
            prof.disable()
        seconds = time.perf_counter() - t0
    if prof:
        import pstats

        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
        print(text.getvalue(), file=sys.stderr)
    print(
        "CHILD "
        + json.dumps(
            {
                "seconds": seconds,
                "queries": queries,
                "peak_mb": _vm_hwm(),
                "idle_mb": idle_mb,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "bytes": os.path.getsize(out),
            }
        ),
        flush=True,
    )
    return 0


def child_pages(url: str, requests: int) -> int:
    """In the child process: ``url`` fetched ``requests`` times after a warm-up through
    Django's test client as the quality inspector; its times as one line (the code of
    the checkout on PYTHONPATH, for --before)."""
    import django

    django.setup()
    from django.test import Client

    from baozhang.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="inspector"))
    statuses = {client.get(url).status_code}
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        statuses.add(client.get(url).status_code)
        times.append((time.perf_counter() - t0) * 1000)
    print("CHILD " + json.dumps({"times_ms": times, "statuses": sorted(statuses)}), flush=True)
    return 0


def _vm_hwm() -> float:
    """This process's own peak resident set (VmHWM, since its exec), MB."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_report(
    env: dict[str, str], work: Path, period: str, fmt: str, timeout: float, profile: bool = False
) -> dict[str, Any]:
    out = work / f"report-{period}.{fmt}"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", period, fmt, str(out)]
    if profile:
        cmd.append("--profile")
    proc = subprocess.run(
        cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"report {period} {fmt} exited {proc.returncode}:\n{proc.stderr}")
    if profile:
        print(proc.stderr[-6000:], flush=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD "))
    result = json.loads(line[6:])
    if fmt == "json":
        result["report"] = json.loads(out.read_text(encoding="utf-8"))
    out.unlink(missing_ok=True)
    return result


def checkout_env(env: dict[str, str], checkout: Path) -> dict[str, str]:
    """``env`` with the code of ``checkout`` (another checkout of this repository, e.g. a
    `git worktree` of an older commit) first on PYTHONPATH: a child then runs that code."""
    return {**env, "PYTHONPATH": os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")])}


def compare(
    env: dict[str, str], work: Path, before: Path, rounds: int, requests: int, timeout: float
) -> list[dict[str, Any]]:
    """The year's JSON, the month's JSON and the monitors' drill-down of the year, by the
    code of ``before`` and by this code, in turn, ``rounds`` times on the same data; the
    median of each (the drill-down's p50 and p99 over every request)."""
    codes = {"before": checkout_env(env, before), "after": env}
    url = f"/quality/report/records/?period={YEAR}&what=monitors"
    runs: dict[str, dict[str, list[float]]] = {c: {} for c in codes}
    for _ in range(rounds):
        for code, code_env in codes.items():
            got = runs[code]
            for period in (str(YEAR), f"{YEAR}-11"):
                r = run_report(code_env, work, period, "json", timeout)
                got.setdefault(f"{period} JSON s", []).append(r["seconds"])
                if period == str(YEAR):
                    got.setdefault("queries", []).append(r["queries"])
                    integrity = r["report"]["collection_integrity"]
                    got.setdefault("figures", []).append(
                        hash(json.dumps(integrity, sort_keys=True))
                    )
            proc = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--child-pages",
                    url,
                    str(requests),
                ],
                env=code_env,
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if proc.returncode:
                raise RuntimeError(f"drill-down ({code}) exited {proc.returncode}:\n{proc.stderr}")
            line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD "))
            got.setdefault("drill_ms", []).extend(json.loads(line[6:])["times_ms"])
    rows = []
    for key in (f"{YEAR} JSON s", f"{YEAR}-11 JSON s", "queries"):
        b, a = statistics.median(runs["before"][key]), statistics.median(runs["after"][key])
        rows.append({"what": key, "before": b, "after": a})
    for pct in (50, 99):
        b = support.pct(runs["before"]["drill_ms"], pct)
        a = support.pct(runs["after"]["drill_ms"], pct)
        rows.append({"what": f"monitors' drill-down p{pct} ms", "before": b, "after": a})
    same = set(runs["before"]["figures"]) == set(runs["after"]["figures"])
    rows.append({"what": "collection_integrity identical", "before": same, "after": same})
    return rows


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """A few of the report's own figures (to show they are not trivial)."""
    ci, oq, c = report["collection_integrity"], report["operating_quality"], report["complaints"]
    return {
        "faults": report["server_faults"]["count"],
        "fault_hours": round(report["server_faults"]["duration_seconds"] / 3600, 1),
        "periods": ci["periods"],
        "abnormal": ci["abnormal"],
        "excluded": ci["excluded"],
        "integrity": ci["rate"],
        "emergencies": report["emergency_events"]["count"],
        "complaints": c.get("count"),
        "within_limit": (c.get("answered") or {}).get("share_within_limit"),
        "restore_missed": oq["targets"]["recovery"]["restore_targets_missed"],
    }


def drill_down(requests: int, timeout: float) -> list[dict[str, Any]]:
    """The report page's drill-down links, grouped by view, each view fetched ``requests``
    times (cycling over at most 20 of its links); the sign-in page first, as the baseline."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    from baozhang.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    anonymous = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="inspector"))

    def timed(c: Client, urls: list[str], label: str) -> dict[str, Any]:
        times, statuses = [], set()
        deadline = time.monotonic() + timeout
        for i in range(requests):
            if time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            response = c.get(urls[i % len(urls)])
            times.append((time.perf_counter() - t0) * 1000)
            statuses.add(response.status_code)
        return {
            "page": label,
            "urls": len(urls),
            "requests": len(times),
            "p50_ms": support.pct(times, 50),
            "p99_ms": support.pct(times, 99),
            "max_ms": max(times),
            "statuses": sorted(statuses),
        }

    results = [timed(anonymous, ["/accounts/login/"], "sign-in page (baseline)")]
    report_url = f"/quality/report/?period={YEAR}"
    page = client.get(report_url)
    if page.status_code != 200:
        raise RuntimeError(f"{report_url}: HTTP {page.status_code}")
    other = client.get("/incidents/").content.decode()
    nav = set(re.findall(r'href="([^"]+)"', other))
    links: dict[str, list[str]] = {}
    for href in dict.fromkeys(re.findall(r'href="([^"]+)"', page.content.decode())):
        href = href.replace("&amp;", "&")
        path = href.split("?")[0]
        if (
            not href.startswith("/")
            or href in nav
            or path.startswith("/static/")
            or path == "/quality/report/"
            or "format=" in href
        ):
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        links.setdefault(name, [])
        if len(links[name]) < 20:
            links[name].append(href)
    # The incidents' fault statistics of the year, which the report's fault figures count.
    links.setdefault(
        "incidents:statistics", [f"/incidents/statistics/?start={YEAR}-01-01&end={YEAR}-12-31"]
    )
    for name, urls in sorted(links.items()):
        results.append(timed(client, urls, name))
    # The monitors behind the 完好率, alone (one of the records page's 20 links above): the
    # report's totals over every monitor and the page's 100 monitors.
    monitors = [f"/quality/report/records/?period={YEAR}&what=monitors"]
    results.append(timed(client, monitors, "quality:records (monitors)"))
    return results


def fmt_row(cells: list[Any], widths: list[int]) -> str:
    return "  " + " ".join(
        f"{c:>{w}}" if i else f"{c:<{w}}"
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000", help="monitors at each step")
    parser.add_argument("--tickets", type=int, default=100_000, help="at the largest step")
    parser.add_argument("--incidents", type=int, default=5_000, help="at the largest step")
    parser.add_argument("--requests", type=int, default=200, help="per drill-down view")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per phase at most")
    parser.add_argument("--quick", action="store_true", help="100 and 200 monitors")
    parser.add_argument("--short", action="store_true", help="tiny data, seconds (tests)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="cProfile the year's JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database (say its URL)")
    parser.add_argument(
        "--reuse",
        metavar="DATABASE_URL",
        help="measure a database seeded before (--keep) as it is: no seeding, not dropped",
    )
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        type=Path,
        help="another checkout (git worktree add DIR COMMIT): its code against this one's, "
        "in turn on the same data, after the other measurements",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --before")
    parser.add_argument("--child", nargs=3, metavar=("PERIOD", "FORMAT", "FILE"))
    parser.add_argument("--child-pages", nargs=2, metavar=("URL", "REQUESTS"))
    args = parser.parse_args()
    if args.child:
        return child(*args.child, profile=args.profile)
    if args.child_pages:
        return child_pages(args.child_pages[0], int(args.child_pages[1]))
    if args.quick:
        args.sizes, args.tickets, args.incidents, args.requests = "100,200", 10_000, 500, 50
    if args.short:
        args.sizes, args.tickets, args.incidents, args.requests = "6,12", 150, 40, 3
        args.timeout = min(args.timeout, 120)
    sizes = [int(s) for s in args.sizes.split(",")]
    largest = sizes[-1]
    run_started = time.monotonic()
    version = None if args.sqlite else support.postgres_version()
    name = f"bench_quality_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bz-bench-quality-"))
    home = str(work / "home")
    steps: list[dict[str, Any]] = []
    periods: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    if args.reuse:
        version = support.postgres_version() if args.reuse.startswith("postgres") else None
    try:
        url = args.reuse or (support.create_postgres(name) if version else None)
        support.setup_django(home, url)
        env = support.django_env(home, url)
        db = f"PostgreSQL {version} on {support.HOST}" if version else "SQLite"
        print(support.machine(db), flush=True)
        import bench_desk

        if not args.reuse:
            bench_desk.seed_people(40)
            world = World(20261207)
            seed_services(world)
        else:  # one step: the data as it is
            from baozhang.monitoring.models import Monitor

            sizes = [Monitor.objects.count()]
            world = World(20261207)
        for size in sizes:
            share = size / largest
            t0 = time.monotonic()
            if not args.reuse:
                seed_monitors(world, size, args.timeout)
                months_s = seed_months()
                print(
                    f"  monthly sums of the daily rollups written in {months_s:.1f} s", flush=True
                )
                seed_tickets(round(args.tickets * share))
                seed_incidents(world, round(args.incidents * share))
                analyze()
            seeded = time.monotonic() - t0
            base_s, counts = count_baseline()
            print(
                f"\n{size:,} monitors: seeded in {seeded:.0f} s "
                + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in counts.items())
                + f"; count(*) over them {base_s * 1000:.0f} ms",
                flush=True,
            )
            step: dict[str, Any] = {
                "monitors": size,
                "incidents_seeded": world.incidents,
                "counts": counts,
                "count_s": base_s,
            }
            for fmt in ("json", "xlsx"):
                r = run_report(env, work, str(YEAR), fmt, args.timeout)
                step[fmt] = {k: v for k, v in r.items() if k != "report"}
                if fmt == "json":
                    step["figures"] = summary(r["report"])
            steps.append(step)
            print(
                f"  year JSON {step['json']['seconds']:.2f} s "
                f"({step['json']['seconds'] / base_s:.0f} × count(*)), "
                f"{step['json']['queries']:,} queries, peak {step['json']['peak_mb']:.0f} MB; "
                f"XLSX {step['xlsx']['seconds']:.2f} s, peak {step['xlsx']['peak_mb']:.0f} MB; "
                f"figures {step['figures']}",
                flush=True,
            )
        if args.profile:
            run_report(env, work, str(YEAR), "json", args.timeout, profile=True)
        base_s = steps[-1]["count_s"]
        run_report(env, work, f"{YEAR}-11", "json", args.timeout)  # warm-up, not counted
        for label in (f"{YEAR}-11", f"{YEAR}-Q4", str(YEAR)):
            row: dict[str, Any] = {"period": label}
            for fmt in ("json", "xlsx"):
                r = run_report(env, work, label, fmt, args.timeout)
                row[fmt] = {k: v for k, v in r.items() if k != "report"}
            periods.append(row)
        pages = drill_down(args.requests, args.timeout)
        from django.db import connections

        connections.close_all()
        _print_tables(steps, periods, pages, base_s)
        if args.before:
            compared = compare(
                env, work, args.before.resolve(), args.rounds, args.requests, args.timeout
            )
            _print_compared(compared, args.before, base_s)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.reuse:
            print(f"kept: DATABASE_URL={url or 'sqlite'} BAOZHANG_HOME={home}")
            shutil.rmtree(work, ignore_errors=True)
        else:
            if version:
                support.drop_postgres(name)
            shutil.rmtree(work, ignore_errors=True)
    last = steps[-1]
    met = {
        "json": last["json"]["seconds"] < TARGETS["json_s"],
        "xlsx": last["xlsx"]["seconds"] < TARGETS["xlsx_s"],
        "memory": max(last["json"]["peak_mb"], last["xlsx"]["peak_mb"]) < TARGETS["peak_mb"],
        "pages": all(p["p99_ms"] < TARGETS["page_p99_ms"] for p in pages[1:]),
    }
    print(f"\ntargets met: {met}")
    support.json_line(
        "quality_report",
        {
            "database": "postgresql" if version else "sqlite",
            "steps": steps,
            "periods": periods,
            "pages": pages,
            "targets": TARGETS,
            "met": met,
        },
    )
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


def _print_compared(rows: list[dict[str, Any]], before: Path, base_s: float) -> None:
    print(f"\nbefore ({before}) and after (this checkout), in turn on the same data")
    widths = [34, 10, 10, 9, 10, 10]
    print(fmt_row(["", "before", "after", "÷ before", "b × count", "a × count"], widths))
    for r in rows:
        b, a = r["before"], r["after"]
        if isinstance(b, bool):
            print(fmt_row([r["what"], str(b), str(a), "", "", ""], widths))
            continue
        unit = 1000 if r["what"].endswith("ms") else 1
        timed = r["what"] != "queries"
        print(
            fmt_row(
                [
                    r["what"],
                    f"{b:.2f}",
                    f"{a:.2f}",
                    f"{a / b:.2f}",
                    f"{b / unit / base_s:.1f}" if timed else "",
                    f"{a / unit / base_s:.1f}" if timed else "",
                ],
                widths,
            )
        )


def _print_tables(
    steps: list[dict[str, Any]],
    periods: list[dict[str, Any]],
    pages: list[dict[str, Any]],
    base_s: float,
) -> None:
    first = steps[0]
    print("\nthe year's report as the data grows (× the first step; × count(*) of the same step)")
    widths = [10, 11, 9, 9, 8, 9, 9, 8, 9, 9, 8]
    heads = [
        "monitors",
        "rollups",
        "JSON s",
        "× first",
        "× count",
        "queries",
        "XLSX s",
        "× first",
        "peak MB",
        "× idle",
        "× count",
    ]
    print(fmt_row(heads, widths))
    for s in steps:
        j, x = s["json"], s["xlsx"]
        print(
            fmt_row(
                [
                    f"{s['monitors']:,}",
                    f"{s['counts']['monitoring_dailyrollup']:,}",
                    f"{j['seconds']:.2f}",
                    f"{j['seconds'] / first['json']['seconds']:.1f}",
                    f"{j['seconds'] / s['count_s']:.0f}",
                    f"{j['queries']:,}",
                    f"{x['seconds']:.2f}",
                    f"{x['seconds'] / first['xlsx']['seconds']:.1f}",
                    f"{max(j['peak_mb'], x['peak_mb']):.0f}",
                    f"{max(j['peak_mb'], x['peak_mb']) / j['idle_mb']:.1f}",
                    f"{x['seconds'] / s['count_s']:.0f}",
                ],
                widths,
            )
        )
    month = periods[0]
    print(f"\nthe period at {steps[-1]['monitors']:,} monitors (× the month; × count(*))")
    widths = [10, 9, 8, 8, 9, 9, 8, 8, 9]
    heads = [
        "period",
        "JSON s",
        "× month",
        "× count",
        "queries",
        "XLSX s",
        "× month",
        "× count",
        "peak MB",
    ]
    print(fmt_row(heads, widths))
    for p in periods:
        j, x = p["json"], p["xlsx"]
        print(
            fmt_row(
                [
                    p["period"],
                    f"{j['seconds']:.2f}",
                    f"{j['seconds'] / month['json']['seconds']:.1f}",
                    f"{j['seconds'] / base_s:.0f}",
                    f"{j['queries']:,}",
                    f"{x['seconds']:.2f}",
                    f"{x['seconds'] / month['xlsx']['seconds']:.1f}",
                    f"{x['seconds'] / base_s:.0f}",
                    f"{max(j['peak_mb'], x['peak_mb']):.0f}",
                ],
                widths,
            )
        )
    login = pages[0]
    print("\ndrill-down pages of the year's report (× the sign-in page)")
    widths = [28, 5, 9, 8, 8, 9, 9, 10]
    print(
        fmt_row(
            ["view", "urls", "requests", "p50 ms", "p99 ms", "× p50", "× p99", "statuses"], widths
        )
    )
    for p in pages:
        print(
            fmt_row(
                [
                    p["page"][:28],
                    p["urls"],
                    p["requests"],
                    f"{p['p50_ms']:.1f}",
                    f"{p['p99_ms']:.1f}",
                    f"{p['p50_ms'] / login['p50_ms']:.1f}",
                    f"{p['p99_ms'] / login['p99_ms']:.1f}",
                    ",".join(map(str, p["statuses"])),
                ],
                widths,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
