"""The demo shows issue 19's records beside the register: a construction project handed
over (its servers in service), two backups with their reports, one late and alarming, and
advisories matched against the servers' inventory, one installed, one overdue."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from baozhang.assets.models import ConstructionProject
from baozhang.backups.models import BackupJob, ReportKind
from baozhang.demo import load_demo
from baozhang.monitoring.models import MonitorStatus
from baozhang.patches import selectors as patches
from baozhang.patches.models import Advisory, PatchState


def test_the_demo_has_a_handover_two_backups_one_late_and_an_overdue_patch(db: Any) -> None:
    load_demo()
    project = ConstructionProject.objects.get()
    assert project.accepted
    assert sorted(project.assets.values_list("status", flat=True)) == ["in_service"] * 2
    assert project.handover_items.filter(checked_at__isnull=True).count() == 0

    jobs = {job.every_unit: job for job in BackupJob.objects.select_related("monitor")}
    assert len(jobs) == 2
    on_time, late = jobs["days"], jobs["hours"]
    assert on_time.reports.filter(kind=ReportKind.SUCCEEDED).count() == 3
    assert on_time.reports.exclude(size=None).count() == 3
    assert on_time.monitor.status == MonitorStatus.UP
    assert late.monitor.status == MonitorStatus.DOWN
    assert late.reports.filter(kind=ReportKind.MISSED).exists()

    now = timezone.now()
    overdue = patches.overdue(patches.visible_statuses(project.requested_by), now)
    assert {s.advisory.reference for s in overdue} == {"DSA-5764-1"}
    assert overdue.count() == 2
    nginx = Advisory.objects.get(reference="DSA-5767-1")
    assert set(nginx.statuses.values_list("state", flat=True)) == {PatchState.INSTALLED}
    curl = Advisory.objects.get(reference="DSA-5786-1")
    assert set(curl.statuses.values_list("state", flat=True)) == {PatchState.PENDING}
    assert all(s.due_at > now for s in curl.statuses.all())
