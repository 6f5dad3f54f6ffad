"""Migration monitoring.0007 writes the monthly sums of the days already rolled up (the
same rebuild as `baozhang rollups rebuild-months`, on the migration's models)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from baozhang.monitoring.figures import day_bounds

BEFORE = ("monitoring", "0006_snmp_monitors")
AFTER = ("monitoring", "0007_monthly_rollups")


@pytest.mark.django_db(transaction=True)
def test_the_migration_writes_the_sums_of_the_months_rolled_up() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        monitor = old.get_model("monitoring", "Monitor").objects.create(
            name="rolled up", kind="http", target="http://127.0.0.1/"
        )
        daily = old.get_model("monitoring", "DailyRollup")
        days = [dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 1)]
        for k, day in enumerate(days):
            d0, d1 = day_bounds(day)
            daily.objects.create(
                monitor=monitor,
                day=day,
                # The 31st's rollup begins before its day: a whole day would not read it.
                period_start=d0 - dt.timedelta(minutes=1) if k == 1 else d0,
                period_end=d1,
                checks=1400 + k,
                failures=k,
                missed=40 - k,
            )

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps
        rows = sorted(
            new.get_model("monitoring", "MonthlyRollup").objects.values_list(
                "monitor_id", "month", "start", "days", "first_day", "checks", "failures", "missed"
            )
        )
        january, february = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
        assert rows == [
            (monitor.pk, january, day_bounds(january)[0], 1, days[0], 1400, 0, 40),
            (monitor.pk, february, day_bounds(february)[0], 1, days[2], 1402, 2, 38),
        ]
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
