"""Monitor state (core.monitor_state.MonitorState) to and from the JSON text kept in a
monitor's CheckState, and the policy a monitor's settings give."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any, Protocol

from baozhang.core.monitor_state import (
    CheckResult,
    MonitorPolicy,
    MonitorState,
    MonitorStatus,
    RegionState,
)
from baozhang.monitoring.models import Monitor, MonitorKind


class JudgedMonitor(Protocol):
    """What :func:`policy_for` reads of a monitor (a model or ingest's plain row)."""

    kind: str
    interval_s: float
    timeout_s: float
    retries: int
    quorum: int
    push_period_s: int | None
    push_grace_s: int | None

    @property
    def region_names(self) -> list[str]: ...


def policy_for(monitor: JudgedMonitor | Monitor) -> MonitorPolicy:
    """Retries and quorum from the monitor; a region's vote stays fresh for three
    intervals plus the timeout (at least a minute), so a silent region drops out."""
    if monitor.kind == MonitorKind.PUSH:
        period = (monitor.push_period_s or monitor.interval_s) + (monitor.push_grace_s or 0)
        return _policy(1, 1, 3 * period)
    fresh = max(60.0, 3 * monitor.interval_s + monitor.timeout_s)
    regions = len(monitor.region_names)
    return _policy(max(1, monitor.retries), max(1, min(monitor.quorum, regions)), fresh)


@functools.lru_cache(maxsize=256)
def _policy(retries: int, quorum: int, freshness_s: float) -> MonitorPolicy:
    # Few distinct policies, asked for once per monitor of every ingest batch.
    return MonitorPolicy(retries, quorum, dt.timedelta(seconds=freshness_s))


def _t(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def decode(data: dict[str, Any] | None) -> MonitorState:
    """The state stored on a monitor; a fresh ``unknown`` state for an empty or damaged
    value (the next results rebuild it)."""
    if not data:
        return MonitorState()
    try:
        regions = tuple(
            RegionState(
                r["region"],
                int(r["failures"]),
                CheckResult(
                    r["region"],
                    dt.datetime.fromisoformat(r["at"]),
                    bool(r["ok"]),
                    r.get("latency_ms"),
                    r.get("error", ""),
                ),
            )
            for r in data.get("regions", [])
        )
        return MonitorState(
            MonitorStatus(data.get("state", MonitorStatus.UNKNOWN)),
            _t(data.get("since")),
            _t(data.get("as_of")),
            regions,
        )
    except (KeyError, TypeError, ValueError):
        return MonitorState()


def encode(state: MonitorState) -> dict[str, Any]:
    as_of = state.as_of.isoformat() if state.as_of else None
    return {
        "state": str(state.state),
        "since": state.since.isoformat() if state.since else None,
        "as_of": as_of,
        "regions": [
            {
                "region": r.region,
                "failures": r.failures,
                # Usually the newest check is the state's as_of: spelled once.
                "at": as_of if r.last.at is state.as_of else r.last.at.isoformat(),
                "ok": r.last.ok,
                "latency_ms": r.last.latency_ms,
                "error": r.last.error[:300],
            }
            for r in state.regions
        ],
    }


# One encoder for every state: json.dumps with separators builds a new one per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def to_text(state: MonitorState) -> str:
    """``state`` as the JSON text stored for it (compact: no spaces)."""
    return _COMPACT.encode(encode(state))


def from_text(text: str | None) -> MonitorState:
    """The state stored as ``text``; a fresh ``unknown`` state for an empty or damaged
    one, as :func:`decode`."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return MonitorState()
    return decode(data if isinstance(data, dict) else None)
