"""Fault statistics per class (Q4 (1)(3)): count, duration, missed restore targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baozhang.incidents import services
from baozhang.incidents.selectors import fault_statistics


def test_statistics_count_faults_and_their_duration_per_class(personas, incident_factory):
    now = timezone.now()
    start = now - dt.timedelta(days=1)
    a = incident_factory(detected_at=now - dt.timedelta(minutes=100))
    services.resolve(
        personas.agent, a, cause="", resolution="ok", at=a.detected_at + dt.timedelta(minutes=20)
    )
    b = incident_factory(detected_at=now - dt.timedelta(minutes=90))
    services.resolve(
        personas.agent, b, cause="", resolution="ok", at=b.detected_at + dt.timedelta(minutes=50)
    )
    c = incident_factory(
        detected_at=now - dt.timedelta(minutes=60), classification="software", severity="minor"
    )
    incident_factory(detected_at=start - dt.timedelta(minutes=1))  # before the window

    rows = {r["classification"]: r for r in fault_statistics(start, now)}

    disconnect = rows["server_disconnection"]
    assert disconnect["count"] == 2
    assert disconnect["duration"] == dt.timedelta(minutes=70)
    assert disconnect["missed"] == 1
    assert disconnect["open"] == 0
    software = rows["software"]
    assert software["count"] == 1 and software["open"] == 1
    assert software["duration"] == now - c.detected_at
    assert software["missed"] == 0  # 480 minutes not over yet
    assert software["limit"] == 3
    assert rows["egress_link"]["count"] == 0
    assert list(rows) == [
        "server_disconnection",
        "equipment_fault",
        "egress_link",
        "human_caused",
        "major_outage",
        "software",
        "other",
    ]


def test_statistics_refuse_an_empty_window():
    now = timezone.now()
    with pytest.raises(ValueError, match="must be after"):
        fault_statistics(now, now)
