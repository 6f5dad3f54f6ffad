"""Read queries of the platform backup."""

from __future__ import annotations

from baozhang.monitoring.models import Monitor, MonitorKind


def push_monitor_for(token: str) -> int | None:
    """The id of the enabled push monitor with this token, or None."""
    return (
        Monitor.objects.filter(push_token=token, kind=MonitorKind.PUSH, enabled=True)
        .values_list("id", flat=True)
        .first()
    )
