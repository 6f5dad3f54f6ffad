"""How it will be checked (issue 19): "A missing backup heartbeat alarms and lowers the
agreement's frequency figure." A backup every 2 days reports through its push heartbeat
with size and checksum; one interval without a report turns its monitor down (an incident
opens: the alarm) and the agreement's frequency target (share of 2-day intervals with a
successful backup) falls from 100 % to 75 %, where the same agreement without the miss
stays at 100 %."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from baozhang.backups.models import BackupReport, ReportKind
from baozhang.incidents.models import Incident
from baozhang.monitoring.models import MonitorStatus
from baozhang.monitoring.push import evaluate_push, ping_message, store_pings
from baozhang.sla import services as sla
from baozhang.sla.evaluation import evaluate_review
from baozhang.sla.models import Review

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _agreement_with_frequency_target(personas: Any, reference: str) -> Any:
    agreement = sla.create_agreement(
        personas.director,
        customer=personas.org_a,
        reference=reference,
        title="数据库托管 Database hosting",
        monthly_fee=Decimal("10000.00"),
    )
    sla.add_target(
        personas.director,
        agreement,
        name="每 2 天备份一次 Backed up every 2 days",
        kind="frequency_share",
        objective=Decimal("48"),
        calendar_key="24x7",
        tiers=[{"threshold": "100", "credit_percent": "5"}],
    )
    return agreement


def _run(personas: Any, backup_factory: Any, *, miss: bool, reference: str) -> dict[str, Any]:
    job = backup_factory(name=f"备份 {reference}")
    agreement = _agreement_with_frequency_target(personas, reference)
    target = agreement.targets.get()
    job.monitor.targets.add(target)
    t0 = job.monitor.created_at
    # A backup 1 hour into each 2-day interval, but none in the third when ``miss``.
    for k in range(4):
        if miss and k == 2:
            # The deadline passes: last report + 2 days + 60 minutes' grace.
            evaluate_push(t0 + 2 * DAY + HOUR + 2 * DAY + 2 * HOUR)
            continue
        at = t0 + k * 2 * DAY + HOUR
        store_pings(
            [(job.monitor.pk, at, True, ping_message(size=1000 + k, checksum=f"sha256:{k}a"))]
        )
        evaluate_push(at + dt.timedelta(seconds=1))
    review = evaluate_review(
        Review(agreement=agreement, period_start=t0, period_end=t0 + 8 * DAY), now=t0 + 8 * DAY
    )
    job.monitor.refresh_from_db()
    return {"job": job, "verdict": review.verdicts[0], "monitor": job.monitor}


def test_a_missing_backup_heartbeat_alarms_and_lowers_the_agreements_frequency_figure(
    personas, backup_factory
):
    baseline = _run(personas, backup_factory, miss=False, reference="SLA-BK-1")
    assert baseline["verdict"]["met"] is True
    assert Decimal(baseline["verdict"]["figure"]) == Decimal("100")
    assert not Incident.objects.filter(monitors=baseline["monitor"]).exists()

    missed = _run(personas, backup_factory, miss=True, reference="SLA-BK-2")
    # The alarm: the backup's monitor went down and an incident opened on it.
    incident = Incident.objects.get(monitors=missed["monitor"])
    assert incident.detected_at == missed["monitor"].created_at + 4 * DAY + 3 * HOUR
    # It is up again after the next backup, and the register keeps every report.
    assert missed["monitor"].status == MonitorStatus.UP
    reports = list(BackupReport.objects.filter(job=missed["job"]).order_by("at"))
    assert [r.kind for r in reports] == [
        ReportKind.SUCCEEDED,
        ReportKind.SUCCEEDED,
        ReportKind.MISSED,
        ReportKind.SUCCEEDED,
    ], [(str(r.at - missed["monitor"].created_at), r.kind) for r in reports]
    assert (reports[0].size, reports[0].checksum) == (1000, "sha256:0a")
    # The agreement's frequency figure: 3 of 4 two-day intervals had a backup.
    verdict = missed["verdict"]
    assert verdict["met"] is False
    assert Decimal(verdict["figure"]) == Decimal("75") < Decimal(baseline["verdict"]["figure"])
    assert "3 of 4 intervals" in verdict["reason"] and "4 个" in verdict["reason"]
    assert Decimal(verdict["credit_amount"]) > 0
