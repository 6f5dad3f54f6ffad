"""The asset register and the figures of equipment and lines (issue 19 §9, benchmarks 1
and 3), on PostgreSQL.

    python bench/bench_assets.py            # 10,000 assets (full size)
    python bench/bench_assets.py --quick    # 1,000 assets (a smoke run)
    python bench/bench_assets.py --short    # tiny data, seconds (the test suite's form)
    python bench/bench_assets.py --sqlite   # SQLite instead of PostgreSQL
    python bench/bench_assets.py --profile  # cProfile of the import and the year's figures

On a fresh database bench_assets_<pid> (dropped at the end; SQLite in a temporary
BAOZHANG_HOME with --sqlite or when PostgreSQL does not answer), with the demo's people
and 20 customers:

1. Import. An XLSX of ``--assets`` rows in the register's own columns (rooms and racks
   first, then servers, network devices, power and cooling, lines and a few
   network-management systems standing in the racks; a tenth critical with two
   responsible people; services, customers, carriers, bandwidths, warranty dates; a
   tenth on the ``cn-5x8`` calendar) goes through ``baozhang assets import FILE`` in a
   child process: first ``--dry-run``, then for real, then once more (every row
   unchanged). Each child reports its wall time, query count and peak memory (VmHWM,
   its own high-water mark, and the same after Django's setup, before the work).
   Baselines of the same run, in child processes too: openpyxl merely reading the file
   in read-only mode (the floor of reading it), and a ``bulk_create`` of the same rows
   (assets, then their responsible people, services and customers through the
   through-tables, in one transaction, rolled back after the clock stops): the floor of
   writing the same rows into the same tables with no checks, no event log and no
   dry-run report.
2. Figures. The register is topped up (bulk) to ``--assets`` servers, main equipment and
   lines; each gets a monitor (``registered_assets``) with a year (2025, Asia/Shanghai)
   of state spells (about 1.2 outages a month of 2 minutes to hours, a few long ones),
   the services they depend on carry four announced maintenance windows, and incidents
   name one or two assets (a fifth of them equipment faults). Then Q4(3)
   ``quality.equipment.equipment_downtime`` — 设备完好率 of the servers and main
   equipment (time and units, per kind) and 线路可用率 of the lines, each asset's figures
   with its records — over a month, a quarter and the year, each in a child process
   (one warm-up, then the median of ``--repeat``). Baseline of the same run and child: a
   plain COUNT and SUM of the same down spells and faults over the period (one SQL
   statement each).

Every loop is bounded by ``--timeout`` (seconds per phase) and counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _monitoring_support as support  # noqa: E402
import bench_quality_report as bq  # noqa: E402

REPO = HERE.parent
YEAR = bq.YEAR
YEAR_START, YEAR_END = bq.YEAR_START, bq.YEAR_END
TARGETS = {"year_figures_s": 2.0}
REASON = bq.REASON
PERIODS = {  # label: (start, end)
    "month": (bq.local(YEAR, 11, 1), bq.local(YEAR, 12, 1)),
    "quarter": (bq.local(YEAR, 10, 1), YEAR_END),
    "year": (YEAR_START, YEAR_END),
}
# What the import file holds, besides rooms and racks (weights).
EQUIPMENT = (
    ("server", 45),
    ("network_device", 20),
    ("ups", 4),
    ("pdu", 6),
    ("air_conditioning", 3),
    ("line", 20),
    ("nms", 1),
    ("sensor", 1),
)
MAIN_OR_LINE = ("server", "network_device", "ups", "pdu", "air_conditioning", "line")
PEOPLE = ("engineer", "director", "noc", "agent")


# -- the import file --------------------------------------------------------------------------


def write_xlsx(path: Path, total: int, seed: int) -> dict[str, int]:
    """The register's own columns, ``total`` rows: a room per 500, a rack per 25, then the
    equipment standing in the racks. Returns the count of each kind."""
    from openpyxl import Workbook

    from baozhang.accounts.models import Organisation, OrganisationKind, User
    from baozhang.assets.tabular import COLUMNS
    from baozhang.catalog.models import Service

    rnd = random.Random(seed)
    people = [u for u in PEOPLE if User.objects.filter(username=u, is_active=True).exists()]
    if len(people) < 2:
        raise RuntimeError("the demo's people are missing")
    customers = list(
        Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
        .order_by("pk")
        .values_list("name", flat=True)
    )
    slugs = list(Service.objects.order_by("pk").values_list("slug", flat=True))
    rooms = max(1, total // 500)
    racks = max(1, total // 25)
    if rooms + racks >= total:
        rooms, racks = 1, 1
    keys = [k for k, _zh, _en in COLUMNS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("资产 Assets")
    sheet.append([f"{zh} / {key}" for key, zh, _en in COLUMNS])
    counts: dict[str, int] = {}

    def add(values: dict[str, Any]) -> None:
        kind = {"机房": "room"}.get(values["kind"], values["kind"])
        counts[kind] = counts.get(kind, 0) + 1
        sheet.append([values.get(k, "") for k in keys])

    for r in range(rooms):
        add({"name": f"机房 {r + 1:02d}", "kind": "机房", "status": "在用", "is_critical": "否"})
    for k in range(racks):
        add(
            {
                "name": f"机柜 {k + 1:04d}",
                "kind": "rack",
                "status": "in_service",
                "location": f"机房 {k % rooms + 1:02d}",
                "is_critical": "no",
            }
        )
    kinds, weights = zip(*EQUIPMENT, strict=True)
    vendors = ("华为", "H3C", "Cisco", "Dell", "浪潮", "APC", "Emerson", "中兴")
    for i in range(total - rooms - racks):
        kind = rnd.choices(kinds, weights)[0]
        critical = rnd.random() < 0.1
        row: dict[str, Any] = {
            "name": f"{kind}-{i:06d}",
            "kind": kind,
            "status": rnd.choices(["在用", "in_service", "repair", "construction"], [60, 35, 3, 2])[
                0
            ],
            "location": f"机柜 {i % racks + 1:04d}",
            "vendor": rnd.choice(vendors),
            "model": f"M{rnd.randrange(100, 999)}",
            "serial": f"SN{seed % 1000:03d}{i:08d}",
            "address": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}",
            "role": rnd.choice(["主用", "备用", "primary", "standby", ""]),
            "is_critical": "是" if critical else "否",
            "responsible": "; ".join(rnd.sample(people, 2) if critical else people[:1]),
            "required_time": "cn-5x8" if rnd.random() < 0.1 else "7x24",
            "warranty_end": dt.date(2026 + i % 4, 1 + i % 12, 1 + i % 28),
            "services": "; ".join(rnd.sample(slugs, min(len(slugs), 1 + i % 2))),
            "customers": customers[i % len(customers)] if customers and i % 3 == 0 else "",
            "external_id": f"cmdb:{i}",
            "notes": "批量导入 / bulk import" if i % 7 == 0 else "",
        }
        if kind == "line":
            row.update(
                carrier=rnd.choice(["中国电信", "中国联通", "中国移动"]),
                bandwidth_mbps=rnd.choice([100, 200, 500, 1000, 10000]),
                end_a=f"机房 {i % rooms + 1:02d}",
                end_b=f"客户端 {i:06d}",
            )
        add(row)
    book.save(path)
    return counts


# -- the children -----------------------------------------------------------------------------


def child(task: str, arg: str, profile: bool) -> int:
    """In a child process: one task, then its figures as one line ``CHILD {...}``."""
    import django

    if task != "read":
        django.setup()
    idle_mb = bq._vm_hwm()
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    queries = 0
    extra: dict[str, Any] = {}

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    if task == "figures":
        return child_figures(arg, idle_mb, prof)
    wrapper: Any = None
    if task != "read":
        from django.db import connection

        wrapper = connection.execute_wrapper(count)
        wrapper.__enter__()
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    if task == "read":
        extra["rows"] = read_only(arg)
    elif task == "bulk":
        extra["rows"] = bulk_create_rows(arg)
    elif task in ("dry-run", "import"):
        from django.core.management import call_command

        out, err = io.StringIO(), io.StringIO()
        options = ["--dry-run"] if task == "dry-run" else []
        call_command("assets", "import", arg, *options, stdout=out, stderr=err)
        extra["summary"] = out.getvalue().splitlines()[0] if out.getvalue() else err.getvalue()
    else:
        raise SystemExit(f"unknown task {task}")
    if prof:
        prof.disable()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if wrapper is not None:
        wrapper.__exit__(None, None, None)
    if task in ("dry-run", "import"):
        from baozhang.assets.models import Asset

        extra["assets_after"] = Asset.objects.count()
    if prof:
        _print_profile(prof)
    _child_line(
        {
            "seconds": seconds,
            "cpu_s": cpu,
            "queries": queries,
            "peak_mb": bq._vm_hwm(),
            "idle_mb": idle_mb,
        }
        | extra
    )
    return 0


def _child_line(data: dict[str, Any]) -> None:
    print("CHILD " + json.dumps(data, default=str), flush=True)


def _print_profile(prof: Any) -> None:
    import pstats

    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
    print(text.getvalue(), file=sys.stderr)


def read_only(path: str) -> int:
    """The reading floor: openpyxl in read-only mode, every row's values."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    book.close()
    return rows


def bulk_create_rows(path: str) -> int:
    """The writing floor: the same rows, read with openpyxl and turned into Asset objects
    with the references looked up once, bulk-created with their relations in one
    transaction, rolled back after the clock (the caller's) has stopped — no checks, no
    event log, no dry-run report."""
    from django.db import transaction
    from openpyxl import load_workbook

    from baozhang.accounts.models import Organisation, OrganisationKind, User
    from baozhang.assets.models import PLACES, Asset
    from baozhang.assets.tabular import COLUMNS
    from baozhang.catalog.models import Service

    keys = [k for k, _zh, _en in COLUMNS]
    book = load_workbook(path, read_only=True, data_only=True)
    rows = [
        dict(zip(keys, r, strict=False)) for r in book.worksheets[0].iter_rows(values_only=True)
    ]
    book.close()
    rows = rows[1:]
    operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
    orgs = {o.name: o.pk for o in Organisation.objects.all()}
    users = {u.username: u.pk for u in User.objects.all()}
    services = {s.slug: s.pk for s in Service.objects.all()}
    kinds = {"机房": "room", "在用": "in_service"}
    roles = {"主用": "primary", "备用": "standby", None: ""}

    def asset(r: dict[str, Any], location: Asset | None) -> Asset:
        return Asset(
            name=r["name"],
            kind=kinds.get(r["kind"], r["kind"]),
            status=kinds.get(r["status"], r["status"]),
            owner_id=orgs.get(r.get("owner") or "", operator.pk if operator else None),
            location=location,
            vendor=r.get("vendor") or "",
            model=r.get("model") or "",
            serial=r.get("serial") or "",
            address=r.get("address") or "",
            role=roles.get(r.get("role"), r.get("role") or ""),
            is_critical=r.get("is_critical") == "是",
            required_time=r.get("required_time") or "24x7",
            warranty_end=_date(r.get("warranty_end")),
            carrier=r.get("carrier") or "",
            bandwidth_mbps=r.get("bandwidth_mbps") or None,
            end_a=r.get("end_a") or "",
            end_b=r.get("end_b") or "",
            external_id=r.get("external_id") or "",
            notes=r.get("notes") or "",
        )

    with transaction.atomic():
        places = [r for r in rows if kinds.get(r["kind"], r["kind"]) in PLACES]
        made: dict[str, Asset] = {}
        for r in places:  # rooms before the racks that stand in them
            made[r["name"]] = Asset.objects.bulk_create([asset(r, made.get(r.get("location")))])[0]
        others = Asset.objects.bulk_create(
            [asset(r, made.get(r.get("location"))) for r in rows if r["name"] not in made],
            batch_size=2000,
        )
        by_name = {a.name: a.pk for a in others}
        links: dict[str, list[Any]] = {"responsible": [], "services": [], "customers": []}
        for r in rows:
            pk = by_name.get(r["name"])
            if pk is None:
                continue
            for key, table, field in (
                ("responsible", users, "user_id"),
                ("services", services, "service_id"),
                ("customers", orgs, "organisation_id"),
            ):
                through = getattr(Asset, key).through
                for item in str(r.get(key) or "").split(";"):
                    if item.strip() in table:
                        links[key].append(through(asset_id=pk, **{field: table[item.strip()]}))
        for key, objs in links.items():
            getattr(Asset, key).through.objects.bulk_create(objs, batch_size=5000)
        transaction.set_rollback(True)
    return len(rows)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value or None


def child_figures(period: str, idle_mb: float, prof: Any) -> int:
    """The period's Q4(3) figures (one warm-up, then ``BENCH_REPEAT`` timed runs) and the
    COUNT/SUM baseline, in this child."""
    from django.db import connection

    from baozhang.quality.equipment import equipment_downtime
    from baozhang.quality.statistics import Period, Scope

    repeat = int(os.environ.get("BENCH_REPEAT", "3"))
    start, end = PERIODS[period]
    now = YEAR_END + dt.timedelta(days=40)
    p, scope = Period(start, end), Scope()
    equipment_downtime(p, scope, now=now)  # warm-up (calendars, connection)
    times, cpu_times, base_times = [], [], []
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    result: dict[str, Any] = {}
    for _ in range(repeat):
        queries = 0
        with connection.execute_wrapper(count):
            t0, c0 = time.perf_counter(), time.process_time()
            if prof:
                prof.enable()
            result = equipment_downtime(p, scope, now=now)
            if prof:
                prof.disable()
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        t0 = time.perf_counter()
        base = count_sum_baseline(start, end)
        base_times.append(time.perf_counter() - t0)
    if prof:
        _print_profile(prof)
    _child_line(
        {
            "period": period,
            "seconds": statistics.median(times),
            "runs": times,
            "cpu_s": statistics.median(cpu_times),
            "queries": queries,
            "baseline_s": statistics.median(base_times),
            "baseline": base,
            "peak_mb": bq._vm_hwm(),
            "idle_mb": idle_mb,
            "figures": {
                "units": result["units"],
                "intact_units": result["intact_units"],
                "lines": len(result["lines"]),
                "count": result["register_count"],
                "outage_hours": round(result["register_duration_seconds"] / 3600, 1),
                "excluded_hours": round(result["excluded_seconds"] / 3600, 1),
                "intact_time_rate": result["intact_time_rate"],
                "intact_unit_rate": result["intact_unit_rate"],
                "line_availability_rate": result["line_availability_rate"],
                "equipment_faults": result["equipment_faults"],
                "kinds": sorted(result["by_kind"]),
            },
        }
    )
    return 0


def count_sum_baseline(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """A plain COUNT and SUM over the same records: the down spells of the monitors that
    watch an asset, and the faults recorded against assets, clipped to the period."""
    from django.db import connection

    if connection.vendor == "postgresql":
        seconds = "extract(epoch FROM least({e}, %s) - greatest({s}, %s))"
    else:
        seconds = "(julianday(min({e}, %s)) - julianday(max({s}, %s))) * 86400"
    spells = (
        "SELECT count(*), coalesce(sum("
        + seconds.format(e='sp."end"', s="sp.start")
        + "), 0) FROM monitoring_statespell sp JOIN monitoring_monitor_registered_assets ra "
        "ON ra.monitor_id = sp.monitor_id WHERE sp.state = 'down' AND sp.start < %s "
        'AND sp."end" > %s'
    )
    faults = (
        "SELECT count(*), coalesce(sum("
        + seconds.format(e="i.resolved_at", s="i.detected_at")
        + "), 0) FROM incidents_incident i JOIN incidents_incident_assets ia "
        "ON ia.incident_id = i.id WHERE i.detected_at < %s AND i.resolved_at > %s"
    )
    out = {}
    upto, since = (connection.ops.adapt_datetimefield_value(t) for t in (end, start))
    with connection.cursor() as cur:
        for name, sql in (("spells", spells), ("faults", faults)):
            cur.execute(sql, [upto, since, upto, since])
            n, seconds = cur.fetchone()
            out[name] = {"count": n, "hours": round(float(seconds) / 3600, 1)}
    return out


def run_child(
    env: dict[str, str], task: str, arg: str, timeout: float, profile: bool = False
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", task, arg]
    if profile:
        cmd.append("--profile")
    proc = subprocess.run(
        cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode:
        raise RuntimeError(f"{task} exited {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr}")
    if profile:
        print(proc.stderr[-8000:], flush=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD "))
    return dict(json.loads(line[6:]))


# -- the figures' records ---------------------------------------------------------------------


def seed_records(total: int, seed: int, timeout: float) -> dict[str, int]:
    """Top the register up to ``total`` servers, main equipment and lines (a fifth of
    those added lines, a tenth of the others on the cn-5x8 calendar); a monitor per
    asset with its year of spells; maintenance windows on the services; incidents naming
    assets. Returns what was added."""
    from django.db import connection, transaction

    from baozhang.accounts.models import Organisation, OrganisationKind
    from baozhang.assets.models import Asset
    from baozhang.catalog.models import Service
    from baozhang.incidents.models import (
        RESTORE_TARGET_MINUTES,
        Classification,
        Incident,
        IncidentStatus,
        Responsibility,
        Severity,
        Source,
    )
    from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
    from baozhang.monitoring.models import Monitor

    rnd = random.Random(seed)
    deadline = time.monotonic() + timeout
    operator = Organisation.objects.get(kind=OrganisationKind.OPERATOR)
    have = Asset.objects.filter(kind__in=MAIN_OR_LINE).count()
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        Asset.objects.bulk_create(
            [
                Asset(
                    name=f"bench {'line' if i % 5 == 1 else 'server'} {i:06d}",
                    kind="line" if i % 5 == 1 else "server",
                    owner=operator,
                    required_time="cn-5x8" if i % 10 == 3 else "24x7",
                )
                for i in range(max(0, total - have))
            ],
            batch_size=2000,
        )
        assets = list(
            Asset.objects.filter(kind__in=MAIN_OR_LINE).order_by("pk").values_list("pk", "kind")
        )
        linked = set(Asset.services.through.objects.values_list("asset_id", flat=True))
        bq.copy_rows(
            "assets_asset_services",
            ("asset_id", "service_id"),
            [(pk, services[pk % len(services)]) for pk, _k in assets if pk not in linked],
        )
        monitors = Monitor.objects.bulk_create(
            [
                Monitor(
                    name=f"bench asset monitor {pk}",
                    kind="icmp",
                    target=f"10.{pk // 62500}.{pk // 250 % 250}.{pk % 250}",
                    interval_s=60,
                )
                for pk, _k in assets
            ],
            batch_size=2000,
        )
        pairs = [(m.pk, pk) for m, (pk, _k) in zip(monitors, assets, strict=True)]
        bq.copy_rows("monitoring_monitor_registered_assets", ("monitor_id", "asset_id"), pairs)
        bq.copy_rows(
            "monitoring_monitor_services",
            ("monitor_id", "service_id"),
            [(m, services[a % len(services)]) for m, a in pairs],
        )
        spells: list[tuple[Any, ...]] = []
        first = bq.local(YEAR - 1, 11, 20).astimezone(dt.UTC)
        down = 0
        for monitor_id, _asset in pairs:
            outages: list[tuple[dt.datetime, dt.datetime]] = []
            for month in range(12):
                m0 = YEAR_START + dt.timedelta(days=month * 365 / 12)
                for _ in range(bq._poisson(rnd, 1.2)):
                    at = m0 + dt.timedelta(seconds=rnd.randrange(int(365 / 12 * 86400)))
                    minutes = min(max(2.0, rnd.lognormvariate(math.log(8), 1.0)), 600)
                    if rnd.random() < 0.01:
                        minutes = rnd.uniform(360, 1800)
                    outages.append((at, at + dt.timedelta(minutes=round(minutes))))
            outages.sort()
            t = first
            for a, b in outages:
                if a <= t + dt.timedelta(minutes=1) or b >= YEAR_END:
                    continue
                spells.append((monitor_id, "up", t, a, ""))
                spells.append((monitor_id, "down", a, b, REASON))
                down += 1
                t = b
            spells.append((monitor_id, "up", t, None, ""))
            if len(spells) >= 100_000:
                bq.copy_rows(
                    "monitoring_statespell",
                    ("monitor_id", "state", "start", "end", "reason"),
                    spells,
                )
                spells = []
                if time.monotonic() > deadline:
                    raise TimeoutError(f"seeding took more than {timeout:.0f} s")
        bq.copy_rows(
            "monitoring_statespell", ("monitor_id", "state", "start", "end", "reason"), spells
        )
        for k, (month, day) in enumerate(((2, 14), (5, 20), (8, 8), (11, 25))):
            start = bq.local(YEAR, month, day, 2)
            window = MaintenanceWindow.objects.create(
                title=f"核心设备升级 {k + 1}",
                title_en=f"Core equipment upgrade {k + 1}",
                start=start,
                end=start + dt.timedelta(hours=2),
                status=WindowStatus.SCHEDULED,
            )
            window.services.add(services[k % len(services)])
        span = int((YEAR_END - YEAR_START).total_seconds())
        incidents = []
        for i in range(len(assets) // 2):
            cls = rnd.choices(
                [Classification.EQUIPMENT_FAULT, Classification.EGRESS_LINK, Classification.OTHER],
                [20, 30, 50],
            )[0]
            sev = rnd.choice([Severity.CRITICAL, Severity.MAJOR, Severity.MINOR])
            target = RESTORE_TARGET_MINUTES[sev]
            detected = YEAR_START + dt.timedelta(seconds=rnd.randrange(span - 86400))
            minutes = max(1.0, rnd.lognormvariate(math.log(target * 0.45), 0.8))
            incidents.append(
                Incident(
                    reference=f"INC-A{i:06d}",
                    title=f"设备故障 {i} / fault {i}",
                    service_id=services[i % len(services)],
                    status=IncidentStatus.RESOLVED,
                    severity=sev,
                    restore_target_minutes=target,
                    restore_due_at=detected + dt.timedelta(minutes=target),
                    classification=cls,
                    responsibility=Responsibility.INSIDE,
                    source=Source.MONITOR,
                    detected_at=detected,
                    acknowledged_at=detected + dt.timedelta(minutes=2),
                    resolved_at=detected + dt.timedelta(minutes=minutes),
                )
            )
        made = Incident.objects.bulk_create(incidents, batch_size=2000)
        ids = [pk for pk, _k in assets]
        links = {(inc.pk, rnd.choice(ids)) for inc in made for _ in range(1 + inc.pk % 2)}
        bq.copy_rows("incidents_incident_assets", ("incident_id", "asset_id"), sorted(links))
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "assets": len(assets),
        "monitors": len(monitors),
        "down_spells": down,
        "incidents": len(made),
        "incident_links": len(links),
    }


# -- the parent -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=10_000, help="rows imported; assets figured")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each period")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per phase at most")
    parser.add_argument("--quick", action="store_true", help="1,000 assets")
    parser.add_argument("--short", action="store_true", help="tiny data, seconds (tests)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="cProfile import and year")
    parser.add_argument("--keep", action="store_true", help="keep the database (say its URL)")
    parser.add_argument(
        "--only",
        choices=["import", "figures"],
        help="one benchmark (the figures alone: the register is seeded in bulk)",
    )
    parser.add_argument("--child", nargs=2, metavar=("TASK", "ARG"))
    args = parser.parse_args()
    if args.child:
        return child(*args.child, profile=args.profile)
    if args.quick:
        args.assets = 1_000
    if args.short:
        args.assets, args.repeat = 60, 1
        args.timeout = min(args.timeout, 120)
    if args.assets < 10 or args.repeat < 1:
        parser.error("--assets at least 10, --repeat at least 1")
    run_started = time.monotonic()
    version = None if args.sqlite else support.postgres_version()
    name = f"bench_assets_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="bz-bench-assets-"))
    home = str(work / "home")
    url = None
    result: dict[str, Any] = {"database": "postgresql" if version else "sqlite"}
    try:
        url = support.create_postgres(name) if version else None
        support.setup_django(home, url)
        env = support.django_env(home, url)
        env["BENCH_REPEAT"] = str(args.repeat)
        db = f"PostgreSQL {version} on {support.HOST}" if version else "SQLite"
        print(support.machine(db), flush=True)
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
        import bench_desk

        bench_desk.seed_people(20)
        from django.db import connections

        connections.close_all()
        if args.only != "figures":
            result.update(import_bench(env, work, args))
        if args.only != "import":
            result.update(figures_bench(env, args))
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept: DATABASE_URL={url or 'sqlite'} BAOZHANG_HOME={home}")
        else:
            if version:
                support.drop_postgres(name)
            shutil.rmtree(work, ignore_errors=True)
    if "periods" in result:
        year = result["periods"][-1]
        result["targets"] = TARGETS
        result["met"] = {"year_figures": year["seconds"] < TARGETS["year_figures_s"]}
        print(f"\ntargets met: {result['met']}")
    support.json_line("assets", result)
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


def import_bench(env: dict[str, str], work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark 1: the file, the two baselines and the three imports, each in a child."""
    xlsx = work / "assets.xlsx"
    kinds = write_xlsx(xlsx, args.assets, seed=20261207)
    print(
        f"\nimport file: {args.assets:,} rows, {xlsx.stat().st_size / 1e6:.1f} MB: "
        + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())),
        flush=True,
    )
    steps: dict[str, dict[str, Any]] = {}
    for task, label in (
        ("read", "openpyxl read-only (baseline)"),
        ("bulk", "bulk_create (baseline)"),
        ("dry-run", "import --dry-run"),
        ("import", "import"),
        ("reimport", "import again (unchanged)"),
    ):
        steps[task] = run_child(
            env, "import" if task == "reimport" else task, str(xlsx), args.timeout
        )
        steps[task]["label"] = label
    _print_import(steps, args.assets)
    if args.profile:
        # A fresh import needs an empty register: profile the dry run (the whole
        # import but its writes) and the same file again (every row unchanged).
        run_child(env, "dry-run", str(xlsx), args.timeout, profile=True)
        run_child(env, "import", str(xlsx), args.timeout, profile=True)
    return {"rows": args.assets, "import": steps}


def figures_bench(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Benchmark 3: the records seeded, then each period's figures in a child."""
    from django.db import connections

    t0 = time.monotonic()
    seeded = seed_records(args.assets, 20261208, args.timeout)
    connections.close_all()
    print(
        f"\nrecords for the figures, seeded in {time.monotonic() - t0:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in seeded.items()),
        flush=True,
    )
    periods = [run_child(env, "figures", p, args.timeout) for p in PERIODS]
    _print_periods(periods)
    if args.profile:
        run_child(env, "figures", "year", args.timeout, profile=True)
    return {"seeded": seeded, "periods": periods}


def _print_import(steps: dict[str, dict[str, Any]], rows: int) -> None:
    read, bulk = steps["read"], steps["bulk"]
    print(f"\nimport of {rows:,} assets from XLSX (× openpyxl read-only; × bulk_create)")
    widths = [30, 9, 7, 10, 9, 8, 9, 9, 9, 9]
    heads = [
        "step",
        "seconds",
        "CPU s",
        "assets/s",
        "× read",
        "× bulk",
        "queries",
        "peak MB",
        "+ MB",
        "× +bulk",
    ]
    print(bq.fmt_row(heads, widths))
    bulk_mb = bulk["peak_mb"] - bulk["idle_mb"]
    for s in steps.values():
        grown = s["peak_mb"] - s["idle_mb"]
        print(
            bq.fmt_row(
                [
                    s["label"],
                    f"{s['seconds']:.2f}",
                    f"{s['cpu_s']:.2f}",
                    f"{rows / s['seconds']:,.0f}",
                    f"{s['seconds'] / read['seconds']:.1f}",
                    f"{s['seconds'] / bulk['seconds']:.1f}",
                    f"{s['queries']:,}",
                    f"{s['peak_mb']:.0f}",
                    f"{grown:.0f}",
                    f"{grown / bulk_mb:.1f}" if bulk_mb > 0 else "-",
                ],
                widths,
            )
        )
    for task in ("dry-run", "import", "reimport"):
        print(f"  {steps[task]['label']}: {steps[task].get('summary', '')[:160]}")


def _print_periods(periods: list[dict[str, Any]]) -> None:
    month = periods[0]
    print("\n设备完好率 and 线路可用率 (Q4(3) equipment_downtime) as the period grows")
    print(
        "(wall and this process's CPU, median of --repeat; × the month; × COUNT/SUM of the "
        "same spells and faults, same child)"
    )
    widths = [8, 9, 7, 8, 9, 9, 8, 12, 9, 8]
    heads = [
        "period",
        "seconds",
        "CPU s",
        "× month",
        "COUNT s",
        "× COUNT",
        "queries",
        "down spells",
        "faults",
        "peak MB",
    ]
    print(bq.fmt_row(heads, widths))
    for p in periods:
        print(
            bq.fmt_row(
                [
                    p["period"],
                    f"{p['seconds']:.2f}",
                    f"{p['cpu_s']:.2f}",
                    f"{p['seconds'] / month['seconds']:.1f}",
                    f"{p['baseline_s']:.3f}",
                    f"{p['seconds'] / p['baseline_s']:.0f}",
                    f"{p['queries']:,}",
                    f"{p['baseline']['spells']['count']:,}",
                    f"{p['baseline']['faults']['count']:,}",
                    f"{p['peak_mb']:.0f}",
                ],
                widths,
            )
        )
    for p in periods:
        print(f"  {p['period']}: {p['figures']}")


if __name__ == "__main__":
    sys.exit(main())
