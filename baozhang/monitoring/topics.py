"""What monitoring announces (baozhang/events/announce.py) for the areas above it.

MONITOR_TRANSITION: a monitor's status changed, announced inside the transaction that saved
it, after the save. Payload: ``monitor_id`` (int), ``before`` and ``after`` (MonitorStatus
values), ``at`` (aware datetime of the transition), ``reason`` (str).

HEARTBEATS: a push monitor's successful pings were judged, inside the transaction that
judged them. Payload: ``monitor_id`` (int), ``monitor_name`` (str), ``at`` (list of aware
datetimes, one a ping, oldest first). The agreements record them as heartbeats of the
frequency targets the monitor feeds.

PUSH_RESULTS: a push monitor's pings, and a deadline it missed, were judged, inside the
transaction that judged them, after HEARTBEATS. Payload: ``monitor_id`` (int), ``results``
(list, oldest first, of ``{"at": aware datetime, "ok": bool, "message": str, "missed":
bool}``; ``missed``: no ping came within the period and grace). A ping's size and checksum
are read from its message with ``push.ping_details``. The backup register records them as
the reports of its backups.
"""

from __future__ import annotations

MONITOR_TRANSITION = "monitoring.monitor_transition"
HEARTBEATS = "monitoring.heartbeats"
PUSH_RESULTS = "monitoring.push_results"
