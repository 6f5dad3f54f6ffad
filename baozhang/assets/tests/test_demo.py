"""The demo shows the asset register: a room and rack, a critical core switch with two
people responsible, and the egress line and the network-management software each watched
by a monitor."""

from __future__ import annotations

from typing import Any

from baozhang.assets.models import Asset
from baozhang.demo import load_demo


def test_the_demo_has_a_line_with_a_monitor_and_a_critical_switch(db: Any) -> None:
    load_demo()
    line = Asset.objects.get(kind="line")
    assert [m.name for m in line.monitors.all()] == ["门户端口 Portal TCP port"]
    assert line.bandwidth_mbps == 1000 and line.carrier.startswith("中国电信")
    switch = Asset.objects.get(kind="network_device")
    assert switch.is_critical and switch.responsible.count() == 2
    assert switch.location.location.kind == "room"
    assert Asset.objects.get(kind="nms").monitors.count() == 1
