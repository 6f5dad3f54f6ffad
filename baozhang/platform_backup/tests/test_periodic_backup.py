"""The worker's periodic backup keeps the newest N archives and reports each run to a
push monitor of the platform itself, so a backup that stops running raises the usual
alert."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from baozhang.monitoring import catalog
from baozhang.monitoring.models import PUSH_REGION, Monitor, ProbeResult
from baozhang.monitoring.push import ping_details
from baozhang.platform_backup import services

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads on a connection of its own

T0 = dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def heartbeat(personas, settings, tmp_path):
    monitor = catalog.create_monitor(
        personas.admin,
        name="平台备份 Platform backup",
        kind="push",
        push_period_s=3600,
        push_grace_s=600,
    )
    settings.BAOZHANG_BACKUP_DIR = str(tmp_path / "backups")
    settings.BAOZHANG_BACKUP_KEEP = 2
    settings.BAOZHANG_BACKUP_EVERY = 3600
    settings.BAOZHANG_BACKUP_HEARTBEAT = monitor.push_token
    return monitor


def test_runs_when_due_prunes_to_n_and_records_a_heartbeat_each_time(heartbeat, tmp_path):
    # Given three runs an hour apart
    written = [services.run_scheduled_backup(T0 + dt.timedelta(hours=h)) for h in range(3)]
    # Then each wrote an archive, and only the newest two are kept
    assert all(written)
    kept = services.archives_in(tmp_path / "backups")
    assert [p.name for p in kept] == [
        "baozhang-backup-20260501T030000Z.zip",
        "baozhang-backup-20260501T040000Z.zip",
    ]
    # And each run is a successful ping of the monitor, the last one moving last_ping_at
    pings = ProbeResult.objects.filter(monitor=heartbeat, region=PUSH_REGION).order_by("at")
    assert [(p.at, p.ok) for p in pings] == [(T0 + dt.timedelta(hours=h), True) for h in range(3)]
    assert "rows" in pings.last().error
    # And it carries the size and SHA-256 of the newest archive (the backup register reads them)
    newest = kept[-1]
    details = ping_details(pings.last().error)
    assert details.size == newest.stat().st_size
    assert details.checksum == "sha256:" + hashlib.sha256(newest.read_bytes()).hexdigest()
    heartbeat.refresh_from_db()
    assert heartbeat.last_ping_at == T0 + dt.timedelta(hours=2)


def test_does_nothing_before_the_next_backup_is_due(heartbeat, tmp_path):
    # Given a backup just written
    assert services.run_scheduled_backup(T0) is not None
    # When the worker looks again half an hour later
    again = services.run_scheduled_backup(T0 + dt.timedelta(minutes=30))
    # Then nothing is written and no ping recorded
    assert again is None
    assert len(services.archives_in(tmp_path / "backups")) == 1
    assert ProbeResult.objects.filter(monitor=heartbeat).count() == 1


def test_a_failed_backup_is_a_failing_ping(heartbeat, monkeypatch):
    # Given a backup that fails (the disk is full)
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services, "backup", full)
    # When the job runs
    with pytest.raises(OSError):
        services.run_scheduled_backup(T0)
    # Then the monitor got a failing ping naming the error
    ping = ProbeResult.objects.get(monitor=heartbeat)
    assert ping.ok is False
    assert "No space left" in ping.error
    assert Monitor.objects.get(pk=heartbeat.pk).last_ping_at == T0
