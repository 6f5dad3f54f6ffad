"""The demo has an SNMP monitor of its UPS, paused: it probes nothing when the demo starts
(there is no UPS to ask), and an operator points it at one and enables it."""

from __future__ import annotations

from typing import Any

from baozhang.demo import load_demo
from baozhang.monitoring.models import Monitor
from baozhang.monitoring.probe_api import assigned_monitors


def test_the_demo_has_a_paused_snmp_monitor_of_its_ups(db: Any) -> None:
    load_demo()
    monitor = Monitor.objects.get(kind="snmp")
    assert not monitor.enabled
    assert monitor.registered_assets.get().kind == "ups"
    assert (monitor.snmp_oid, monitor.snmp_min, monitor.snmp_max) == (
        "1.3.6.1.2.1.33.1.2.5.0",
        13.2,
        13.8,
    )
    assert monitor not in list(assigned_monitors("local"))
