"""The monthly sums of the daily rollups (MonthlyRollup, kept by rollups.py) give exactly the
完好率 the raw computation gives (each monitor's own figures, day by day from its daily
rollups and raw results: figures.integrity_rollup), over a period with partial months at
both ends, with results arriving late, a monitor created mid-month, a paused and a deleted
monitor, a month whose days were not all rolled up, a maintenance window across a month's
end and another time zone; and a period of whole months reads no daily rollup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from baozhang.catalog.models import Service
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring import rollups
from baozhang.monitoring.figures import (
    integrity_of,
    integrity_total,
    monitor_figures,
)
from baozhang.monitoring.models import DailyRollup, Monitor, MonthlyRollup, ProbeResult

ZONE = ZoneInfo("Asia/Shanghai")
HOUR = dt.timedelta(hours=1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE)


NOW1 = at(2026, 3, 20, 9)  # the first housekeeping run
NOW2 = at(2026, 5, 10, 9)  # the second, after late results


def _monitor(name: str, created: dt.datetime, interval_s: int) -> Monitor:
    m = Monitor.objects.create(
        name=name, kind="http", target="http://127.0.0.1:9/", interval_s=interval_s
    )
    Monitor.objects.filter(pk=m.pk).update(created_at=created)
    m.refresh_from_db()
    return m


def _results(m: Monitor, start: dt.datetime, end: dt.datetime, seed: int) -> None:
    """One result per period of ``m`` over ``[start, end)``, 5 s into it, with some
    periods missed (no result) and some failed, in a pattern set by ``seed``."""
    step = dt.timedelta(seconds=m.interval_s)
    rows, t, k = [], start, seed
    while t < end:
        k += 1
        if k % 17 != 0:  # every 17th period missed
            ok = k % 23 != 0  # every 23rd failed
            rows.append(
                ProbeResult(
                    monitor=m, region="local", at=t + dt.timedelta(seconds=5), ok=ok, latency_ms=9
                )
            )
        t += step
    ProbeResult.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def world(db: object, settings: object) -> dict[str, Monitor]:
    old = at(2025, 12, 1)
    steady = _monitor("steady", old, 3600)
    newcomer = _monitor("created mid-month", at(2026, 2, 14, 10, 17), 1800)
    paused = _monitor("paused", old, 3600)
    gone = _monitor("deleted", old, 7200)
    # Created mid-March, every day from then on rolled up: March's row holds its month.
    march = _monitor("created in March", at(2026, 3, 16, 13, 41), 600)
    # An announced window across February's end, on the steady monitor's service.
    service = Service.objects.create(name="官网服务", slug="web")
    steady.services.add(service)
    window = MaintenanceWindow.objects.create(
        title="升级 Upgrade", start=at(2026, 2, 28, 20), end=at(2026, 3, 1, 4), announced_at=old
    )
    window.services.add(service)
    # Results up to the first run (the paused monitor's stop on 10 March).
    _results(steady, at(2026, 1, 1), NOW1, 0)
    _results(newcomer, at(2026, 2, 14, 10, 30), NOW1, 3)
    _results(paused, at(2026, 1, 1), at(2026, 3, 10, 15), 5)
    _results(gone, at(2026, 1, 1), NOW1, 7)
    _results(march, at(2026, 3, 16, 13, 50), NOW1, 19)
    # The first run keeps 30 days of raw results: it rolls up 19 February to 19 March
    # (January and most of February are never rolled up; their raw results stay).
    settings.MONITOR_RAW_DAYS = 30  # type: ignore[attr-defined]
    assert rollups.roll_up_due(NOW1) > 0
    Monitor.objects.filter(pk=paused.pk).update(enabled=False)
    # Late: results of 15 March that arrived after its rollup (periods missed before),
    # rolled up again; then the results after the first run, rolled up by the second.
    late_day = [
        ProbeResult(monitor=steady, region="local", at=at(2026, 3, 15, h, 0, 30), ok=True)
        for h in range(24)
    ]
    ProbeResult.objects.bulk_create(late_day)
    before = DailyRollup.objects.get(monitor=steady, day=dt.date(2026, 3, 15)).missed
    rollups.roll_up_day(steady, dt.date(2026, 3, 15))
    assert DailyRollup.objects.get(monitor=steady, day=dt.date(2026, 3, 15)).missed < before
    _results(steady, NOW1, NOW2 + 2 * HOUR, 11)
    _results(newcomer, NOW1, NOW2 + 2 * HOUR, 13)
    _results(gone, NOW1, NOW2, 17)
    _results(march, NOW1, NOW2, 23)
    settings.MONITOR_RAW_DAYS = 60  # type: ignore[attr-defined]
    assert rollups.roll_up_due(NOW2) > 0
    return {
        "steady": steady,
        "newcomer": newcomer,
        "paused": paused,
        "gone": gone,
        "march": march,
    }


def _raw(monitors: Iterable[Monitor], start: dt.datetime, end: dt.datetime, now: dt.datetime):
    """Each monitor's (periods, abnormal, excluded) by its own figures, day by day."""
    out = {}
    for m in monitors:
        i = monitor_figures(m, start, end, now=now).integrity
        out[m.id] = (i.periods, i.abnormal, i.excluded)
    return out


def _check(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    monitors = list(Monitor.objects.order_by("pk"))
    raw = _raw(monitors, start, end, now)
    each = integrity_of(monitors, start, end, now=now)
    assert {k: (i.periods, i.abnormal, i.excluded) for k, i in each.items()} == raw
    expected = tuple(sum(r[k] for r in raw.values()) for k in range(3))
    for among in (Monitor.objects.all(), monitors):
        total = integrity_total(among, start, end, now=now)
        assert (total.periods, total.abnormal, total.excluded) == expected


def test_the_monthly_sums_give_the_raw_figures(world: dict[str, Monitor]) -> None:
    steady, newcomer = world["steady"], world["newcomer"]
    march = dt.date(2026, 3, 1)
    # The sums were kept by the runs: March holds every day for each monitor; February
    # holds the 10 days the first run rolled up; the newcomer's February is partial.
    rows = {
        (r.monitor_id, r.month): r.days
        for r in MonthlyRollup.objects.filter(month__in=[dt.date(2026, 2, 1), march])
    }
    assert rows[steady.id, march] == 31 and rows[newcomer.id, march] == 31
    assert rows[steady.id, dt.date(2026, 2, 1)] == 10
    assert rows[world["march"].id, march] == 16  # 16 to 31 March
    # The late day's rollup, written again, is in March's sums.
    march_row = MonthlyRollup.objects.get(monitor=steady, month=march)
    daily = DailyRollup.objects.filter(monitor=steady, day__gte=march, day__lt=dt.date(2026, 4, 1))
    assert march_row.missed == sum(daily.values_list("missed", flat=True))
    assert march_row.excluded == sum(daily.values_list("excluded", flat=True)) > 0

    # Partial months at both ends, whole months between (February lacking days).
    _check(at(2026, 1, 10), at(2026, 4, 21), NOW2)
    # Cut mid-day at both ends; a period still running at `now`; a whole year.
    _check(at(2026, 1, 10, 13, 20), at(2026, 4, 20, 7, 45), NOW2)
    _check(at(2026, 2, 20), at(2026, 6, 1), NOW2)
    _check(at(2026, 1, 1), at(2027, 1, 1), NOW2)
    # The deleted monitor's sums go with it; the figures still equal the raw ones.
    gone = world["gone"].id
    Monitor.objects.filter(pk=gone).delete()
    assert not MonthlyRollup.objects.filter(monitor_id=gone).exists()
    _check(at(2026, 1, 10), at(2026, 4, 21), NOW2)


def test_whole_months_read_no_daily_rollup(world: dict[str, Monitor]) -> None:
    # March and April: each of their days is summed for each monitor (one created in
    # March: each day from its creation).
    start, end = at(2026, 3, 1), at(2026, 5, 1)
    monitors = list(Monitor.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        each = integrity_of(monitors, start, end, now=NOW2)
        total = integrity_total(Monitor.objects.all(), start, end, now=NOW2)
    assert not [q for q in queries if "monitoring_dailyrollup" in q["sql"]]
    assert total.periods == sum(i.periods for i in each.values()) > 0
    raw = _raw(monitors, start, end, NOW2)
    assert {k: (i.periods, i.abnormal, i.excluded) for k, i in each.items()} == raw


def test_sums_of_another_time_zone_are_not_read(world: dict[str, Monitor]) -> None:
    with override_settings(TIME_ZONE="UTC"):
        start = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
        _check(start, dt.datetime(2026, 4, 21, tzinfo=dt.UTC), NOW2)


def test_rebuilding_the_months_writes_what_the_runs_kept(world: dict[str, Monitor]) -> None:
    fields = ("monitor_id", "month", "start", "days", "checks", "failures", "missed", "excluded")
    kept = sorted(MonthlyRollup.objects.values_list(*fields))
    MonthlyRollup.objects.all().delete()
    call_command("rollups", "rebuild-months")
    assert sorted(MonthlyRollup.objects.values_list(*fields)) == kept
    # From a month on: the earlier months are left as they are.
    MonthlyRollup.objects.filter(month__gte=dt.date(2026, 4, 1)).update(checks=0)
    assert rollups.rebuild_months(dt.date(2026, 4, 15)) > 0
    assert sorted(MonthlyRollup.objects.values_list(*fields)) == kept
