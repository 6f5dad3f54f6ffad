"""A backup that reports its own failure (``/fail``) turns its monitor down at once, which
opens an incident (the alarm), and is kept as a failed report with its message; it does
not count as a backup of its interval."""

from __future__ import annotations

import datetime as dt

from baozhang.backups.models import ReportKind
from baozhang.backups.selectors import figures_of
from baozhang.incidents.models import Incident
from baozhang.monitoring.models import MonitorStatus
from baozhang.monitoring.push import evaluate_push, ping_message, store_pings


def test_a_failed_backup_alarms_and_does_not_count(personas, backup_factory):
    job = backup_factory(every=1, every_unit="days")
    t0 = job.monitor.created_at
    at = t0 + dt.timedelta(hours=2)
    store_pings([(job.monitor.pk, at, False, ping_message("disk full / 磁盘已满", size=0))])
    evaluate_push(at + dt.timedelta(seconds=1))
    job.monitor.refresh_from_db()
    assert job.monitor.status == MonitorStatus.DOWN
    assert Incident.objects.filter(monitors=job.monitor).count() == 1
    report = job.reports.get()
    assert (report.kind, report.size, report.message) == (
        ReportKind.FAILED,
        0,
        "disk full / 磁盘已满",
    )
    share = figures_of(job, t0, t0 + dt.timedelta(days=1, hours=1)).share
    assert (share.covered, share.judged) == (0, 1)
