"""Check results into the database: raw rows in one insert, each monitor's state through
core's state machine, and only the transitions touch state spells, incidents and events
(DESIGN.md, "Probe engine and ingest").

Every entry point takes a whole batch and commits it in one transaction: the local probe
engine and the remote regions (through the API) call :func:`ingest` with hundreds of
results at a time. Push heartbeats (:mod:`baozhang.monitoring.push`) and the periodic
re-evaluation here lock, read and write states the same way (:mod:`baozhang.monitoring.judging`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from baozhang.core.monitor_state import (
    CheckResult,
    MonitorState,
    Transition,
    reevaluate,
    step,
)
from baozhang.monitoring import judging
from baozhang.monitoring.models import Monitor, MonitorStatus, ProbeResult
from baozhang.monitoring.windows import monitors_in_maintenance, windows_for_monitors

log = logging.getLogger(__name__)


class OutcomeLike(Protocol):
    """What a check result carries (probe.specs.Outcome has these)."""

    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None
    error: str


@dataclass(frozen=True, slots=True)
class Result:
    """A check result as the remote probes' API and the ingest process pass it on."""

    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None
    error: str


@dataclass
class IngestReport:
    stored: int = 0
    unknown_monitor: int = 0
    transitions: list[tuple[int, Transition]] = field(default_factory=list)


def ingest(outcomes: Sequence[OutcomeLike]) -> IngestReport:
    """Store ``outcomes`` and apply them to their monitors' states, in one transaction.

    Results of deleted monitors are counted and dropped. Results are applied in time
    order per monitor; core ignores late and out-of-order ones for the state (they are
    still stored as raw results). Returns what was stored and the transitions made.

    The hot path of every probe: monitors and their CheckState rows are read as plain
    rows (no model instances), their states written back in one statement; only a
    monitor whose judged state changes is loaded as a model, for its status, spells,
    event and incident.
    """
    report = IngestReport()
    if not outcomes:
        return report
    by_monitor: dict[int, list[OutcomeLike]] = defaultdict(list)
    for o in outcomes:
        by_monitor[o.monitor_id].append(o)
    with transaction.atomic():
        rows_by_id = judging.lock(by_monitor)
        rows: list[tuple[int, str, dt.datetime, bool, float | None, str]] = []
        for monitor_id, items in by_monitor.items():
            if monitor_id not in rows_by_id:
                report.unknown_monitor += len(items)
                continue
            rows.extend(
                (monitor_id, o.region[:40], o.at, o.ok, o.latency_ms, (o.error or "")[:300])
                for o in items
            )
        _insert_results(rows)
        report.stored = len(rows)
        if not rows:
            return report
        start = min(r[2] for r in rows)
        end = max(r[2] for r in rows) + dt.timedelta(microseconds=1)
        windows = windows_for_monitors(rows_by_id, start, end)
        checked: list[tuple[int, MonitorState, dt.datetime | None]] = []
        loaded: dict[int, Monitor] = {}
        for monitor_id, row in rows_by_id.items():
            items = sorted(by_monitor[monitor_id], key=lambda o: o.at)
            state = judging.state_of(row)
            policy = row.policy
            mine = windows.get(monitor_id, [])
            for o in items:
                result = CheckResult(o.region, o.at, o.ok, o.latency_ms, (o.error or "")[:300])
                state, tr = step(state, result, policy, in_maintenance=judging.inside(mine, o.at))
                if tr is not None:
                    report.transitions.append((monitor_id, tr))
                    judging.apply(loaded, monitor_id, tr)
            checked.append((monitor_id, state, items[-1].at))  # items are in time order
        judging.finish(checked, loaded, report.transitions)
    return report


def _insert_results(rows: Sequence[tuple[int, str, dt.datetime, bool, float | None, str]]) -> None:
    """Raw results with COPY (PostgreSQL: no statement to parse per row, a third less
    server time than an INSERT from a JSON array) or one prepared INSERT (SQLite): no
    model instances."""
    if not rows:
        return
    table = connection.ops.quote_name(ProbeResult._meta.db_table)
    columns = "(monitor_id, region, at, ok, latency_ms, error)"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        at = ProbeResult._meta.get_field("at")
        cur.executemany(
            f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (m, r, at.get_db_prep_save(t, connection), ok, lat, e)
                for m, r, t, ok, lat, e in rows
            ],
        )


def reevaluate_all(now: dt.datetime | None = None) -> list[tuple[int, Transition]]:
    """Judge enabled monitors again at ``now`` without a new result: a maintenance window
    that began or ended, a monitor whose regions all fell silent. Only the candidates
    are read and locked (those entering or leaving maintenance, and those not checked
    for a minute, the shortest freshness), so that the rest keep ingesting; only
    monitors whose judged state changes are written."""
    now = now or timezone.now()
    enabled = Monitor.objects.filter(enabled=True)
    inside = monitors_in_maintenance(now)
    silent_since = now - dt.timedelta(seconds=60)
    candidates = set(
        enabled.filter(
            Q(id__in=inside) & ~Q(status=MonitorStatus.MAINTENANCE)
            | Q(status=MonitorStatus.MAINTENANCE) & ~Q(id__in=inside)
            | Q(check_state__last_check_at__lt=silent_since) & ~Q(status=MonitorStatus.UNKNOWN)
        ).values_list("id", flat=True)
    )
    if not candidates:
        return []
    out: list[tuple[int, Transition]] = []
    with transaction.atomic():
        windows = windows_for_monitors(candidates, now, now + dt.timedelta(microseconds=1))
        checked: list[tuple[int, MonitorState, dt.datetime | None]] = []
        loaded: dict[int, Monitor] = {}
        for monitor_id, row in judging.lock(candidates).items():
            state = judging.state_of(row)
            in_maintenance = bool(windows.get(monitor_id))
            if state.as_of is None and not in_maintenance:
                continue  # never checked: nothing to judge yet
            state, tr = reevaluate(state, row.policy, now=now, in_maintenance=in_maintenance)
            if tr is not None:
                judging.apply(loaded, monitor_id, tr)
                checked.append((monitor_id, state, None))  # no new check
                out.append((monitor_id, tr))
        judging.finish(checked, loaded, out)
    return out


def prune(now: dt.datetime | None = None, *, keep_days: int) -> int:
    """Delete raw results older than ``keep_days`` (run after the rollups, which read
    them). Returns the count deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=keep_days)
    deleted, _ = ProbeResult.objects.filter(Q(at__lt=cutoff)).delete()
    return deleted


def store_batch(outcomes: Sequence[object]) -> None:
    """Ingest one batch of a long-running probe (on a thread of the probe, or in its
    ingest process, ingest_child.py): old connections closed first, and a connection that
    broke while storing is closed, never reused by the next batch."""
    from django.db import close_old_connections

    close_old_connections()
    try:
        ingest(outcomes)  # type: ignore[arg-type]
    except Exception:
        connection.close()  # a broken connection must not be reused by the next batch
        raise
