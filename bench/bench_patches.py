"""Matching patch advisories against software inventories (issue 19 §5), on PostgreSQL.

    python bench/bench_patches.py               # 200 assets × 300 packages, 2,000 advisories
    python bench/bench_patches.py --assets 50 --advisories 500
    python bench/bench_patches.py --sqlite      # SQLite in a temporary BAOZHANG_HOME

On a fresh database bench_patches_<pid> (dropped at the end). Each asset reports its
inventory (services.report_inventory); then the advisories are imported
(services.import_advisories: checked, stored, matched, a status and an event per affected
asset, its deadline on the business calendar). Baseline of the same run: the same
advisories written by bulk_create alone (the floor of writing those rows through the ORM),
then removed. A second import must change no status. Prints seconds, rows/s and ratios.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def _fresh_database(sqlite: bool) -> tuple[str, object]:
    if sqlite:
        home = tempfile.mkdtemp(prefix="bench_patches_")
        os.environ["BAOZHANG_HOME"] = home
        os.environ.pop("DATABASE_URL", None)
        return "sqlite", lambda: shutil.rmtree(home, ignore_errors=True)
    import psycopg

    name = f"bench_patches_{os.getpid()}"
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
    parser.add_argument("--assets", type=int, default=200)
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--advisories", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=200, help="statuses set one at a time")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    engine, cleanup = _fresh_database(args.sqlite)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    import django

    django.setup()
    try:
        return _run(engine, args.assets, args.packages, args.advisories, args.sample)
    finally:
        cleanup()  # type: ignore[operator]


def _run(engine: str, n_assets: int, n_packages: int, n_advisories: int, sample_size: int) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from baozhang.accounts import services as accounts
    from baozhang.accounts.models import Role
    from baozhang.assets.models import Asset
    from baozhang.events.models import Event
    from baozhang.patches import services
    from baozhang.patches.models import Advisory, AdvisorySource, PatchStatus

    operator = accounts.operator_organisation()
    engineer = accounts.create_user(
        None,
        organisation=operator,
        roles=[Role.ENGINEER],
        username="engineer",
        password="bench-only-7-horses",
    )
    Asset.objects.bulk_create(
        Asset(name=f"srv-{i:05d}", kind="server", owner=operator) for i in range(n_assets)
    )
    assets = list(Asset.objects.order_by("pk"))
    now = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    # Every asset runs every package; half the assets an older build (1.<p>.0-1), half a
    # newer one (1.<p>.5-1).
    started = time.perf_counter()
    for i, asset in enumerate(assets):
        minor = 0 if i % 2 == 0 else 5
        packages = [(f"pkg{p:04d}", f"1.{p}.{minor}-1") for p in range(n_packages)]
        services.report_inventory(engineer, asset, packages, now=now)
    reported = time.perf_counter() - started

    # Each advisory fixes one package at 1.<p>.3-1: the older half of the assets match.
    rows = []
    for a in range(n_advisories):
        p = a % n_packages
        rows.append(
            (
                a + 1,
                {
                    "reference": f"BENCH-{a:05d}",
                    "title": f"pkg{p:04d} update",
                    "product": f"pkg{p:04d}",
                    "fixed_version": f"1.{p}.3-1",
                    "scheme": "debian",
                    "severity": ("critical", "high", "medium", "low")[a % 4],
                    "cve_ids": [f"CVE-2027-{10000 + a}"],
                    "released_on": None,
                    "source_text": "bench",
                    "description": "",
                },
            )
        )
    expected = n_advisories * ((n_assets + 1) // 2)
    # Baseline: the same advisories, the same number of statuses and as many events
    # written by bulk_create alone (the floor of writing those rows), then removed.
    # In a transaction rolled back after the clock stops (events are append-only).
    with transaction.atomic():
        started = time.perf_counter()
        made = Advisory.objects.bulk_create(
            (Advisory(**{k: v for k, v in r.items() if k != "released_on"}) for _n, r in rows),
            batch_size=500,
        )
        older = assets[::2]
        floor = PatchStatus.objects.bulk_create(
            (
                PatchStatus(advisory=a, asset=asset, matched_at=now, due_at=now)
                for a in made
                for asset in older
            ),
            batch_size=500,
        )
        Event.objects.bulk_create(
            (
                Event(
                    at=now, kind="created", object_type="patches.patchstatus", object_id=str(s.pk)
                )
                for s in floor
            ),
            batch_size=500,
        )
        baseline = time.perf_counter() - started
        transaction.set_rollback(True)

    started = time.perf_counter()
    created, _updated = services.import_advisories(
        engineer, rows, source=AdvisorySource.CSV, now=now
    )
    first = time.perf_counter() - started
    statuses = PatchStatus.objects.count()
    started = time.perf_counter()
    _c, updated = services.import_advisories(engineer, rows, source=AdvisorySource.CSV, now=now)
    second = time.perf_counter() - started
    # Marking them installed: one at a time (set_state, as a page or API call per status
    # does) for a sample, then all the others at once (set_states), in the same run.
    ids = list(PatchStatus.objects.order_by("pk").values_list("pk", flat=True))
    sample = ids[:sample_size]
    started = time.perf_counter()
    for status in PatchStatus.objects.filter(pk__in=sample).select_related("advisory", "asset"):
        services.set_state(engineer, status, "installed", now=now)
    one_by_one = (time.perf_counter() - started) / len(sample)
    bulk = None
    if hasattr(services, "set_states"):
        rest = ids[sample_size:]
        started = time.perf_counter()
        for i in range(0, len(rest), 5000):
            services.set_states(engineer, rest[i : i + 5000], "installed", now=now)
        bulk = (time.perf_counter() - started) / max(len(rest), 1)
    print(
        f"engine: {engine} ({connection.vendor}); {n_assets} assets x {n_packages} packages, "
        f"{n_advisories} advisories"
    )
    print(
        f"inventories reported: {n_assets} in {reported:.1f} s "
        f"({n_assets * n_packages / reported:,.0f} packages/s)"
    )
    print(
        f"baseline bulk_create of the advisories, {expected} statuses and their events: "
        f"{baseline:.2f} s ({expected / baseline:,.0f} statuses/s)"
    )
    print(
        f"import_advisories, first: {created} advisories, {statuses} statuses in {first:.1f} s "
        f"({statuses / first:,.0f} statuses/s; {first / baseline:.1f}x the baseline)"
    )
    print(
        f"import_advisories, again: {updated} updated in {second:.1f} s "
        f"({second / baseline:.1f}x the baseline); statuses {PatchStatus.objects.count()}"
    )
    print(
        f"set_state one at a time: {len(sample)} in {one_by_one * len(sample):.2f} s "
        f"({1 / one_by_one:,.0f} statuses/s)"
    )
    if bulk is not None:
        print(
            f"set_states at once: {len(ids) - len(sample)} in "
            f"{bulk * (len(ids) - len(sample)):.2f} s ({1 / bulk:,.0f} statuses/s; "
            f"{one_by_one / bulk:.0f}x faster than one at a time)"
        )
    ok = statuses == expected == PatchStatus.objects.count() and created == n_advisories
    print("OK" if ok else f"MISMATCH (expected {expected} statuses)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
