"""Heartbeats of a push monitor become observations of the frequency targets it feeds,
written by the agreements' own service from monitoring's announcement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from baozhang.events.announce import announce, subscribers
from baozhang.monitoring.models import Monitor
from baozhang.monitoring.topics import HEARTBEATS
from baozhang.sla import services
from baozhang.sla.models import Agreement, Observation

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def _target(personas: Any, agreement: Agreement, kind: str, name: str) -> Any:
    return services.add_target(
        personas.director,
        agreement,
        name=name,
        kind=kind,
        objective=Decimal("48"),
        calendar_key="24x7",
    )


def test_announced_heartbeats_are_observations_of_the_frequency_targets_only(
    personas: Any, agreement_factory: Callable[..., Agreement]
) -> None:
    # given a push monitor feeding a frequency target and a count target, and one feeding none
    agreement = agreement_factory()
    every_two_days = _target(personas, agreement, "max_gap", "每 2 天备份 Backup every 2 days")
    count = _target(personas, agreement, "min_count", "并发用户 Concurrent users")
    backup = Monitor.objects.create(name="备份 Backup", kind="push", push_token="tok-1")
    backup.targets.add(every_two_days, count)
    other = Monitor.objects.create(name="其他 Other", kind="push", push_token="tok-2")

    # when monitoring announces their heartbeats
    assert services.on_heartbeats in subscribers(HEARTBEATS)
    announce(
        HEARTBEATS,
        monitor_id=backup.pk,
        monitor_name=backup.name,
        at=[T0, T0 + dt.timedelta(days=1)],
    )
    announce(HEARTBEATS, monitor_id=other.pk, monitor_name=other.name, at=[T0])

    # then the frequency target holds one observation a heartbeat, the count target none
    assert list(Observation.objects.values_list("target_id", "at", "value", "note")) == [
        (every_two_days.pk, T0, None, "heartbeat / 心跳 · 备份 Backup"),
        (every_two_days.pk, T0 + dt.timedelta(days=1), None, "heartbeat / 心跳 · 备份 Backup"),
    ]
