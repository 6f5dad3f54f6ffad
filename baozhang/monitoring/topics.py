"""What monitoring announces (baozhang/events/announce.py) for the areas above it.

MONITOR_TRANSITION: a monitor's status changed, announced inside the transaction that saved
it, after the save. Payload: ``monitor_id`` (int), ``before`` and ``after`` (MonitorStatus
values), ``at`` (aware datetime of the transition), ``reason`` (str).
"""

from __future__ import annotations

MONITOR_TRANSITION = "monitoring.monitor_transition"
