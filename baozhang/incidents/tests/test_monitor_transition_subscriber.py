"""Monitoring announces a monitor's transition; incidents subscribes (IncidentsConfig.ready).
A failing incident subscriber is logged and the monitor's transition still commits."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pytest

from baozhang.events import announce
from baozhang.incidents import opening
from baozhang.incidents.models import Incident
from baozhang.monitoring import ingest
from baozhang.monitoring.models import Monitor, StateSpell
from baozhang.monitoring.topics import MONITOR_TRANSITION

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class R:
    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None = 12.0
    error: str = ""


def test_incidents_subscribe_to_monitor_transitions_in_ready() -> None:
    # Given the installed apps  # Then the incident subscriber listens to transitions
    assert opening.on_monitor_transition in announce.subscribers(MONITOR_TRANSITION)


@pytest.mark.django_db(transaction=True)
def test_a_failing_incident_subscriber_leaves_the_monitor_down_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a monitor (allowed one failure), and opening incidents broken
    web = Monitor.objects.create(
        name="官网 Web site", kind="http", target="http://127.0.0.1:9/", retries=1
    )
    Monitor.objects.filter(pk=web.pk).update(created_at=T0 - dt.timedelta(hours=1))
    ingest.ingest([R(web.id, "local", T0, True)])

    def broken(monitor: Monitor, *, at: dt.datetime, reason: str) -> list[Incident]:
        raise RuntimeError("incidents unavailable")

    monkeypatch.setattr(opening, "monitor_down", broken)

    # When the monitor fails
    with caplog.at_level(logging.ERROR, logger="baozhang.announce"):
        ingest.ingest([R(web.id, "local", T0 + MIN, False, None, "503")])

    # Then the transition is committed (status and spell), no incident exists, and the
    # failure is logged with the announcement
    web.refresh_from_db()
    assert web.status == "down" and web.status_since == T0 + MIN
    assert StateSpell.objects.filter(monitor=web, state="down", end=None).count() == 1
    assert not Incident.objects.exists()
    [logged] = [r for r in caplog.records if r.name == "baozhang.announce"]
    assert MONITOR_TRANSITION in logged.getMessage()
    assert f"'monitor_id': {web.pk}" in logged.getMessage()
