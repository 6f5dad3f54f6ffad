"""Restore targets by severity (F2, F9) and the periodic flag of a missed one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.events.models import Event
from baozhang.incidents import services
from baozhang.incidents.tasks import flag_missed_restore_targets
from baozhang.incidents.tests.conftest import minutes_ago


def test_the_restore_target_follows_the_severity(personas, incident_factory):
    detected = minutes_ago(5)
    critical = incident_factory(detected_at=detected)
    minor = incident_factory(detected_at=detected, severity="minor")

    assert critical.restore_target_minutes == 30
    assert critical.restore_due_at == detected + dt.timedelta(minutes=30)
    assert minor.restore_target_minutes == 480

    services.update_fields(personas.agent, critical, severity="major")
    critical.refresh_from_db()
    assert critical.restore_target_minutes == 120
    assert critical.restore_due_at == detected + dt.timedelta(minutes=120)

    services.update_fields(personas.agent, critical, restore_target_minutes=45)
    critical.refresh_from_db()
    assert critical.restore_due_at == detected + dt.timedelta(minutes=45)


def test_a_missed_restore_target_is_flagged_once(personas, incident_factory):
    late = incident_factory(detected_at=minutes_ago(40))
    in_time = incident_factory(detected_at=minutes_ago(10))
    done = incident_factory(detected_at=minutes_ago(50))
    services.resolve(personas.agent, done, cause="", resolution="ok", at=minutes_ago(45))
    now = timezone.now()

    assert flag_missed_restore_targets(now) == 1
    assert flag_missed_restore_targets(now) == 0
    assert flag_missed_restore_targets(now + dt.timedelta(minutes=1)) == 0

    late.refresh_from_db()
    in_time.refresh_from_db()
    assert late.restore_missed_at == now
    assert in_time.restore_missed_at is None
    notes = late.updates.filter(is_public=False, message__contains="restore target missed")
    assert notes.count() == 1
    flagged = Event.objects.filter(object_id=str(late.pk), summary__contains="restore target")
    assert flagged.count() == 1


def test_a_longer_target_lets_the_check_watch_again(personas, incident_factory):
    incident = incident_factory(detected_at=minutes_ago(40))
    flag_missed_restore_targets()

    services.update_fields(personas.agent, incident, severity="minor")

    incident.refresh_from_db()
    assert incident.restore_missed_at is None
    assert flag_missed_restore_targets() == 0


def test_the_check_is_registered_to_run_every_minute():
    from baozhang.jobs.registry import periodic_jobs

    [job] = [j for j in periodic_jobs() if j.name == "incidents.flag_missed_restore_targets"]
    assert job.every_seconds == 60
