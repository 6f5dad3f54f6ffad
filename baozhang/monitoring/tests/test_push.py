"""Push heartbeats: pings stored durably, their absence judged, backups measured (S3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from baozhang.monitoring import push
from baozhang.monitoring.models import Monitor, ProbeResult

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def backup(db: object) -> Monitor:
    monitor = Monitor.objects.create(
        name="备份 Backup",
        kind="push",
        push_token="tok-backup",
        push_period_s=2 * 86_400,
        push_grace_s=3600,
    )
    Monitor.objects.filter(pk=monitor.pk).update(created_at=T0)
    monitor.refresh_from_db()
    return monitor


def test_a_ping_is_stored_and_moves_last_ping_forward(backup: Monitor) -> None:
    push.store_pings([(backup.id, T0 + DAY, True, ""), (backup.id, T0 + 2 * DAY, True, "")])
    push.store_pings([(backup.id, T0 + DAY, True, "")])  # an older one never moves it back
    backup.refresh_from_db()
    assert backup.last_ping_at == T0 + 2 * DAY
    assert ProbeResult.objects.filter(monitor=backup, region="push").count() == 3


def test_pings_in_time_keep_it_up_and_a_missed_period_turns_it_down(backup: Monitor) -> None:
    push.store_pings([(backup.id, T0 + DAY, True, "")])
    push.evaluate_push(T0 + DAY + dt.timedelta(minutes=1))
    backup.refresh_from_db()
    assert backup.status == "up"
    # Nothing for 2 days + 1 hour of grace after the last ping: down, once.
    late = T0 + 3 * DAY + dt.timedelta(hours=1, minutes=1)
    push.evaluate_push(late)
    push.evaluate_push(late + dt.timedelta(minutes=5))
    backup.refresh_from_db()
    assert backup.status == "down"
    failures = ProbeResult.objects.filter(monitor=backup, ok=False)
    assert failures.count() == 1
    assert "no ping within 176400 s" in failures.get().error
    push.store_pings([(backup.id, late + dt.timedelta(minutes=10), True, "")])
    push.evaluate_push(late + dt.timedelta(minutes=11))
    backup.refresh_from_db()
    assert backup.status == "up"


def test_a_job_reporting_failure_turns_it_down(backup: Monitor) -> None:
    push.store_pings([(backup.id, T0 + DAY, False, "disk full")])
    push.evaluate_push(T0 + DAY + dt.timedelta(seconds=5))
    backup.refresh_from_db()
    assert backup.status == "down"
    assert "disk full" in backup.status_reason


def test_pings_become_heartbeats_of_the_frequency_target_it_feeds(
    backup: Monitor, personas: object
) -> None:
    from baozhang.sla import services
    from baozhang.sla.models import Observation

    agreement = services.create_agreement(
        personas.director,  # type: ignore[attr-defined]
        customer=personas.org_a,  # type: ignore[attr-defined]
        reference="SLA-PUSH-1",
        title="备份 Backups",
    )
    target = services.add_target(
        personas.director,  # type: ignore[attr-defined]
        agreement,
        name="至少每 2 天备份一次 Backup every 2 days",
        kind="max_gap",
        objective=Decimal("48"),
        calendar_key="24x7",
    )
    backup.targets.add(target)
    push.store_pings([(backup.id, T0 + DAY, True, ""), (backup.id, T0 + 2 * DAY, True, "")])
    push.evaluate_push(T0 + 2 * DAY + dt.timedelta(minutes=1))
    assert list(Observation.objects.filter(target=target).values_list("at", flat=True)) == [
        T0 + DAY,
        T0 + 2 * DAY,
    ]
