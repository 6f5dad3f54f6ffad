"""Availability from state spells and 完好率 from rollups, against hand calculations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from baozhang.catalog.models import Service
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring import ingest, rollups
from baozhang.monitoring.figures import day_bounds, monitor_figures
from baozhang.monitoring.models import DailyRollup, Monitor, ProbeResult, StateSpell

DAY = dt.date(2026, 11, 2)
D0, D1 = day_bounds(DAY)  # a local (Asia/Shanghai) day, in UTC
MIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class R:
    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None = 20.0
    error: str = ""


@pytest.fixture
def monitor(db: object) -> Monitor:
    m = Monitor.objects.create(name="官网", kind="http", target="http://127.0.0.1:9/", retries=1)
    Monitor.objects.filter(pk=m.pk).update(created_at=D0 - dt.timedelta(days=1))
    m.refresh_from_db()
    return m


def a_day_of_checks(monitor: Monitor, failing: set[int], skipped: set[int]) -> None:
    """One check per minute of the day, 7 s into each minute."""
    batch = [
        R(monitor.id, "local", D0 + i * MIN + dt.timedelta(seconds=7), i not in failing)
        for i in range(1440)
        if i not in skipped
    ]
    for k in range(0, len(batch), 500):
        ingest.ingest(batch[k : k + 500])


def test_availability_counts_down_time_and_outages_exactly(monitor: Monitor) -> None:
    failing = set(range(600, 630))  # 30 minutes down
    a_day_of_checks(monitor, failing, skipped=set())
    figures = monitor_figures(monitor, D0, D1, now=D1 + MIN)
    # Down from the first failed check (10:00:07) to the first good one (10:30:07).
    assert figures.availability.downtime == dt.timedelta(minutes=30)
    assert figures.availability.outages == 1
    # The first 7 s, before the first check, are not observed and not counted.
    observed = 86_400 - 7
    assert figures.availability.percent == Decimal(observed - 1800) / Decimal(observed) * 100


def test_integrity_is_normal_periods_over_all_periods(monitor: Monitor) -> None:
    a_day_of_checks(monitor, failing={1, 2, 3}, skipped={10, 11})
    figures = monitor_figures(monitor, D0, D1, now=D1 + MIN)
    assert (figures.integrity.periods, figures.integrity.abnormal) == (1440, 5)
    assert figures.integrity.percent == Decimal(1435) / Decimal(1440) * 100


def test_a_rolled_up_day_gives_the_same_figures_after_raw_results_are_pruned(
    monitor: Monitor,
) -> None:
    a_day_of_checks(monitor, failing={100, 101}, skipped={5})
    before = monitor_figures(monitor, D0, D1, now=D1 + MIN)
    row = rollups.roll_up_day(monitor, DAY)
    assert row is not None and (row.checks, row.failures, row.missed) == (1439, 2, 1)
    ProbeResult.objects.filter(monitor=monitor).delete()
    after = monitor_figures(monitor, D0, D1, now=D1 + MIN)
    assert after.integrity == before.integrity
    assert after.availability == before.availability


def test_maintenance_is_excluded_and_shown(monitor: Monitor) -> None:
    service = Service.objects.create(name="官网服务", slug="web")
    monitor.services.add(service)
    window = MaintenanceWindow.objects.create(
        title="升级 Upgrade", start=D0 + 60 * MIN, end=D0 + 120 * MIN, announced_at=D0
    )
    window.services.add(service)
    a_day_of_checks(monitor, failing=set(range(70, 100)), skipped=set())
    figures = monitor_figures(monitor, D0, D1, now=D1 + MIN)
    assert figures.availability.downtime == dt.timedelta(0)
    # The window's hour, and the 7 s before the first check (not observed).
    assert figures.availability.excluded_time == dt.timedelta(hours=1, seconds=7)
    assert {x.kind for x in figures.availability.excluded} == {"maintenance", "not_observed"}
    assert figures.availability.percent == Decimal(100)
    assert figures.integrity.excluded == 60
    assert (figures.integrity.periods, figures.integrity.abnormal) == (1380, 0)


def test_storage_grows_with_outages_not_with_checks(monitor: Monitor) -> None:
    a_day_of_checks(monitor, failing={300, 900}, skipped=set())
    rollups.roll_up_day(monitor, DAY)
    # 1,440 checks a day leave 5 spells (unknown→up, two outages) and one rollup row.
    assert StateSpell.objects.filter(monitor=monitor).count() == 5
    assert DailyRollup.objects.filter(monitor=monitor).count() == 1
    assert rollups.prune(D1 + dt.timedelta(days=9), keep_days=8) == 1440


def test_the_agreement_review_counts_the_monitors_down_time(
    monitor: Monitor, personas: object
) -> None:
    from baozhang.sla import services
    from baozhang.sla.evaluation import evaluate_review
    from baozhang.sla.models import Review

    agreement = services.create_agreement(
        personas.director,  # type: ignore[attr-defined]
        customer=personas.org_a,  # type: ignore[attr-defined]
        reference="SLA-MON-1",
        title="官网 Web",
    )
    target = services.add_target(
        personas.director,  # type: ignore[attr-defined]
        agreement,
        name="可用率 Availability",
        kind="availability",
        objective=Decimal("99.9"),
        calendar_key="24x7",
    )
    monitor.targets.add(target)
    a_day_of_checks(monitor, failing=set(range(600, 630)), skipped=set())
    review = Review(agreement=agreement, period_start=D0, period_end=D1)
    evaluate_review(review, now=D1 + MIN)
    (verdict,) = review.verdicts
    assert verdict["met"] is False
    assert "97.916" in verdict["figure"]


def test_time_before_the_first_check_is_not_observed_and_excluded(monitor: Monitor) -> None:
    ingest.ingest([R(monitor.id, "local", D0 + 12 * 60 * MIN, True)])  # first check at noon
    figures = monitor_figures(monitor, D0, D1, now=D1)
    assert figures.availability.excluded_time == dt.timedelta(hours=12)
    assert figures.availability.excluded[0].kind == "not_observed"
    assert figures.availability.percent == Decimal(100)
