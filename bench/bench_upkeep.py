"""Generating a year of maintenance work orders (issue 19 §9.2): N assets × 5 plans
(monthly, monthly, quarterly, yearly, every 30 days), on PostgreSQL, and that a second run
adds nothing.

    python bench/bench_upkeep.py                 # 10,000 assets
    python bench/bench_upkeep.py --assets 2000   # smaller
    python bench/bench_upkeep.py --sqlite        # SQLite in a temporary BAOZHANG_HOME

On a fresh database bench_upkeep_<pid> (dropped at the end). Baseline of the same run: the
same work-order rows, computed beforehand, written by bulk_create alone (the floor of
writing that many rows through the ORM); then the table is emptied and
``upkeep.services.generate`` makes them from the plans (periods, time limits, assignees,
the unique key), then runs again and must add nothing. Prints seconds, rows and rows/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SH = ZoneInfo("Asia/Shanghai")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def _fresh_database(sqlite: bool) -> tuple[str, object]:
    if sqlite:
        home = tempfile.mkdtemp(prefix="bench_upkeep_")
        os.environ["BAOZHANG_HOME"] = home
        os.environ.pop("DATABASE_URL", None)
        return "sqlite", lambda: shutil.rmtree(home, ignore_errors=True)
    import psycopg

    name = f"bench_upkeep_{os.getpid()}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = PG.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return "postgresql", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    engine, cleanup = _fresh_database(args.sqlite)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    import django

    django.setup()
    try:
        return _run(engine, args.assets)
    finally:
        cleanup()  # type: ignore[operator]


def _run(engine: str, n_assets: int) -> int:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from baozhang.accounts import services as accounts
    from baozhang.accounts.models import Role
    from baozhang.assets.models import Asset
    from baozhang.core import upkeep as core
    from baozhang.upkeep import services
    from baozhang.upkeep.models import WorkOrder

    operator = accounts.operator_organisation()
    director = accounts.create_user(
        None,
        organisation=operator,
        roles=[Role.SERVICE_DIRECTOR],
        username="director",
        password="bench-only-7-horses",
    )
    engineer = accounts.create_user(
        None,
        organisation=operator,
        roles=[Role.ENGINEER],
        username="engineer",
        password="bench-only-7-horses",
    )
    Asset.objects.bulk_create(
        (Asset(name=f"UPS-{i:05d}", kind="ups", owner=operator) for i in range(n_assets)),
        batch_size=2000,
    )
    assets = list(Asset.objects.all())
    step = [{"title": "V", "requirement": "range", "low": 13.2, "high": 13.8, "unit": "V"}]
    plans = []
    for item, period, every in (
        ("UPS monthly", "monthly", None),
        ("Room monthly", "monthly", None),
        ("Batteries quarterly", "quarterly", None),
        ("Discharge test yearly", "yearly", None),
        ("Filters every 30 days", "every_n_days", 30),
    ):
        plans.append(
            services.create_plan(
                director,
                assets=assets,
                team=[engineer],
                steps=step,
                item=item,
                period=period,
                every_days=every,
                starts_on=dt.date(2027, 1, 1),
                team_name="Power",
                time_limit_days=10,
            )
        )
    now = dt.datetime(2027, 1, 1, 9, tzinfo=SH)
    until = dt.date(2027, 12, 31)

    # Baseline: the same rows, computed beforehand, written by bulk_create alone.
    rows = []
    for plan in plans:
        for start, end in core.periods(
            plan.period, plan.starts_on, now.date(), until, every=plan.every_days
        ):
            due = core.due_at(start, plan.time_limit_days, SH)
            for asset in assets:
                rows.append(
                    WorkOrder(
                        plan=plan,
                        asset=asset,
                        period_start=start,
                        period_end=end,
                        due_at=due,
                        warn_at=due - dt.timedelta(hours=24),
                        assignee=engineer,
                    )
                )
    started = time.perf_counter()
    for chunk in range(0, len(rows), 1000):
        WorkOrder.objects.bulk_create(rows[chunk : chunk + 1000])
    baseline = time.perf_counter() - started
    expected = len(rows)
    WorkOrder.objects.all().delete()
    del rows

    started = time.perf_counter()
    created = services.generate(now, until=until)
    first = time.perf_counter() - started
    stored = WorkOrder.objects.count()
    started = time.perf_counter()
    again = services.generate(now, until=until)
    second = time.perf_counter() - started
    print(f"engine: {engine} ({connection.vendor}); {n_assets} assets x {len(plans)} plans, 2027")
    print(
        f"baseline bulk_create of the same rows: {expected} rows in {baseline:.1f} s "
        f"({expected / baseline:,.0f} rows/s)"
    )
    print(
        f"generate, first run: {created} work orders in {first:.1f} s "
        f"({created / first:,.0f} rows/s; {first / baseline:.2f}x the baseline)"
    )
    print(f"generate, second run: {again} added in {second:.1f} s; stored {stored}")
    ok = created == expected == stored and again == 0
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
