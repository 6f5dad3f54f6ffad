"""The platform backup's heartbeat: each scheduled backup (platform_backup's BACKUP_DONE,
subscribed in MonitoringConfig.ready) is a ping of the push monitor whose token
BAOZHANG_BACKUP_HEARTBEAT names, stored through the platform's own ping store (no HTTP)."""

from __future__ import annotations

import logging

from django.conf import settings

from baozhang.events.announce import Announcement
from baozhang.monitoring.models import Monitor, MonitorKind
from baozhang.monitoring.push import ping_message, store_pings

log = logging.getLogger(__name__)


def push_monitor_for(token: str) -> int | None:
    """The id of the enabled push monitor with this token, or None."""
    return (
        Monitor.objects.filter(push_token=token, kind=MonitorKind.PUSH, enabled=True)
        .values_list("id", flat=True)
        .first()
    )


def on_backup_done(announcement: Announcement) -> None:
    """A backup's outcome as a ping of the heartbeat monitor (none when not configured)."""
    token = settings.BAOZHANG_BACKUP_HEARTBEAT
    if not token:
        return
    monitor_id = push_monitor_for(token)
    if monitor_id is None:
        log.warning(
            "BAOZHANG_BACKUP_HEARTBEAT names no enabled push monitor / 没有该令牌的推送监控"
        )
        return
    facts = announcement.payload
    # size and checksum: announced by platform_backup since the backup register (absent
    # from an older announcement: the ping is then as before).
    message = ping_message(
        facts["message"], size=facts.get("size"), checksum=facts.get("checksum") or ""
    )
    store_pings([(monitor_id, facts["at"], facts["ok"], message)])
