"""A ping is judged once, on SQLite as on PostgreSQL: a later look at the monitor does not
announce it again (a ping with microseconds, as the heartbeat endpoint stores it, was
judged again on SQLite when it was written as the sqlite3 adapter's "…+00:00" text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from baozhang.events.announce import Announcement, subscribe, unsubscribe
from baozhang.monitoring import push
from baozhang.monitoring.models import Monitor
from baozhang.monitoring.topics import HEARTBEATS, PUSH_RESULTS

T0 = dt.datetime(2026, 11, 2, 2, 0, 0, 123456, tzinfo=dt.UTC)


def test_a_ping_is_announced_once_across_later_looks(db: Any) -> None:
    monitor = Monitor.objects.create(
        name="备份", kind="push", push_token="tok-once", push_period_s=86_400, push_grace_s=600
    )
    Monitor.objects.filter(pk=monitor.pk).update(created_at=T0)
    heard: list[tuple[str, Any]] = []

    def listen(a: Announcement) -> None:
        heard.append((a.topic, a.payload.get("at") or [r["at"] for r in a.payload["results"]]))

    subscribe(HEARTBEATS, listen)
    subscribe(PUSH_RESULTS, listen)
    try:
        ping = T0 + dt.timedelta(hours=1, microseconds=654321)
        push.store_pings([(monitor.pk, ping, True, "")])
        push.evaluate_push(ping + dt.timedelta(seconds=1))
        push.evaluate_push(ping + dt.timedelta(hours=2))  # a later look, nothing new
        push.store_pings([(monitor.pk, ping + dt.timedelta(hours=3), True, "")])
        push.evaluate_push(ping + dt.timedelta(hours=3, seconds=1))
    finally:
        unsubscribe(HEARTBEATS, listen)
        unsubscribe(PUSH_RESULTS, listen)
    assert heard == [
        (HEARTBEATS, [ping]),
        (PUSH_RESULTS, [ping]),
        (HEARTBEATS, [ping + dt.timedelta(hours=3)]),
        (PUSH_RESULTS, [ping + dt.timedelta(hours=3)]),
    ]
