"""Check results into the database: raw rows in one insert, each monitor's state through
core's state machine, and only the transitions touch state spells, incidents and events
(DESIGN.md, "Probe engine and ingest").

Every entry point takes a whole batch and commits it in one transaction: the local probe
engine and the remote regions (through the API) call :func:`ingest` with hundreds of
results at a time. Push heartbeats go through the same state changes from
:mod:`baozhang.monitoring.push`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from baozhang.core.intervals import Interval
from baozhang.core.monitor_state import (
    CheckResult,
    MonitorState,
    Transition,
    reevaluate,
    step,
)
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.maintenance.selectors import monitors_in_maintenance, windows_for_monitors
from baozhang.monitoring.models import (
    Monitor,
    MonitorStatus,
    ProbeResult,
    StateSpell,
)
from baozhang.monitoring.state_codec import decode, encode, policy_for

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


def _inside(windows: Sequence[Interval], at: dt.datetime) -> bool:
    return any(w.start <= at < w.end for w in windows)


# What judging a monitor reads (the check settings, JSON headers included, stay unread).
_JUDGE_FIELDS = (
    "id",
    "name",
    "kind",
    "enabled",
    "interval_s",
    "timeout_s",
    "retries",
    "quorum",
    "regions",
    "push_period_s",
    "push_grace_s",
    "last_ping_at",
    "created_at",
    "state",
    "status",
    "status_since",
    "status_reason",
    "last_check_at",
)


def _lock(ids: Iterable[int]) -> dict[int, Monitor]:
    qs = Monitor.objects.filter(id__in=list(ids)).order_by("id").only(*_JUDGE_FIELDS)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return {m.id: m for m in qs}


def ingest(outcomes: Sequence[OutcomeLike]) -> IngestReport:
    """Store ``outcomes`` and apply them to their monitors' states, in one transaction.

    Results of deleted monitors are counted and dropped. Results are applied in time
    order per monitor; core ignores late and out-of-order ones for the state (they are
    still stored as raw results). Returns what was stored and the transitions made.

    The hot path of every probe: monitors are read and written as plain rows (no model
    instances), their states written back in one statement; only a monitor whose judged
    state changes is loaded as a model, for its spells, event and incident.
    """
    report = IngestReport()
    if not outcomes:
        return report
    by_monitor: dict[int, list[OutcomeLike]] = defaultdict(list)
    for o in outcomes:
        by_monitor[o.monitor_id].append(o)
    with transaction.atomic():
        rows_by_id = _lock_rows(by_monitor)
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
        kept: list[tuple[int, MonitorState, dt.datetime]] = []
        moved: dict[int, Monitor] = {}
        for monitor_id, row in rows_by_id.items():
            items = sorted(by_monitor[monitor_id], key=lambda o: o.at)
            state = _STATES.get(monitor_id, row.state)
            policy = policy_for(row)
            mine = windows.get(monitor_id, [])
            for o in items:
                result = CheckResult(o.region, o.at, o.ok, o.latency_ms, (o.error or "")[:300])
                state, tr = step(state, result, policy, in_maintenance=_inside(mine, o.at))
                if tr is not None:
                    report.transitions.append((monitor_id, tr))
                    if monitor_id not in moved:
                        moved[monitor_id] = Monitor.objects.get(pk=monitor_id)
                    _apply(moved[monitor_id], tr)
            last_at = items[-1].at  # the newest: items are in time order
            if monitor_id in moved:
                _keep(moved[monitor_id], state, last_at)
            else:
                kept.append((monitor_id, state, last_at))
        _save_checked(kept)
        _save_states(list(moved.values()), _STATE_FIELDS)
        _after_transitions(moved, report.transitions)
    return report


@dataclass(slots=True)
class _JudgeRow:
    """What judging a monitor reads, as a plain row (policy_for takes it like a monitor)."""

    id: int
    kind: str
    interval_s: float
    timeout_s: float
    retries: int
    quorum: int
    regions: list[str]
    push_period_s: int | None
    push_grace_s: int | None
    state: str | dict[str, Any]  # as stored: JSON text (a dict from a driver that parses)

    @property
    def region_names(self) -> list[str]:
        return Monitor.region_names.fget(self)  # type: ignore[attr-defined, no-any-return]


_ROW_FIELDS = tuple(_JudgeRow.__dataclass_fields__)


class _StateCache:
    """Monitor states as this process last wrote them, each with the JSON text stored
    for it: when a monitor's stored text is still that text, the state is taken as it
    is instead of parsed again (every check reads and writes its monitor's state). A
    text written by another process, or a write rolled back, differs and is parsed:
    the text is the key, so a state found here is always the stored one. Bounded: past
    ``limit`` monitors it starts afresh."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._by_id: dict[int, tuple[str, MonitorState]] = {}

    def get(self, monitor_id: int, stored: str | dict[str, Any]) -> MonitorState:
        """The state of ``monitor_id`` whose stored value is ``stored``."""
        known = self._by_id.get(monitor_id)
        if known is not None and known[0] == stored:
            return known[1]
        data = json.loads(stored) if isinstance(stored, str | bytes) else stored
        return decode(data)

    def put(self, monitor_id: int, text: str, state: MonitorState) -> None:
        if len(self._by_id) >= self._limit and monitor_id not in self._by_id:
            self._by_id.clear()
        self._by_id[monitor_id] = (text, state)


_STATES = _StateCache()


def _lock_rows(ids: Iterable[int]) -> dict[int, _JudgeRow]:
    """The monitors ``ids`` as judge rows, locked for this transaction (PostgreSQL). One
    parameter for all the ids, not one each."""
    table = connection.ops.quote_name(Monitor._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _ROW_FIELDS)
    if connection.vendor == "postgresql":
        sql = f"SELECT {columns} FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
        param: object = list(ids)
    else:
        sql = f"SELECT {columns} FROM {table} WHERE id IN (SELECT value FROM json_each(%s))"
        param = json.dumps(list(ids))
    regions_at = _ROW_FIELDS.index("regions")
    out: dict[int, _JudgeRow] = {}
    with connection.cursor() as cur:
        cur.execute(sql, [param])
        for raw in cur.fetchall():
            row = list(raw)
            if isinstance(row[regions_at], str | bytes):
                row[regions_at] = json.loads(row[regions_at])
            out[row[0]] = _JudgeRow(*row)
    return out


def _save_checked(kept: Sequence[tuple[int, MonitorState, dt.datetime]]) -> None:
    """The new state and last check time of monitors whose judged state did not change:
    one UPDATE from a JSON document (PostgreSQL) or one prepared UPDATE (SQLite). The
    database keeps the later of the stored and the new check time (it never moves back),
    so the stored one is never read: loading timestamps costs more than the rest of the
    row."""
    if not kept:
        return
    table = connection.ops.quote_name(Monitor._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One JSON document for the whole batch: arrays of JSON text would be quoted
            # element by element on the client, three times slower.
            doc = json.dumps(
                [{"m": m, "s": encode(s), "c": c.isoformat()} for m, s, c in kept],
                separators=(",", ":"),
            )
            cur.execute(
                f"UPDATE {table} SET state = u.s, last_check_at = "
                f"GREATEST({table}.last_check_at, u.c) FROM "
                "jsonb_to_recordset(%s::jsonb) AS u(m bigint, s jsonb, c timestamptz) "
                f"WHERE {table}.id = u.m RETURNING {table}.id, {table}.state",
                [doc],
            )
            # The server's own spelling of each new state, to know it when read next.
            states = {m: s for m, s, _ in kept}
            for m, text in cur.fetchall():
                _STATES.put(m, text, states[m])
            return
        at = Monitor._meta.get_field("last_check_at")
        params = []
        for m, s, c in kept:
            when = at.get_db_prep_save(c, connection)
            text = json.dumps(encode(s), separators=(",", ":"))
            params.append((text, when, when, m))
            _STATES.put(m, text, s)
        # SQLite keeps times as ISO text, which sorts as time does.
        cur.executemany(
            f"UPDATE {table} SET state = %s, "
            "last_check_at = MAX(COALESCE(last_check_at, %s), %s) WHERE id = %s",
            params,
        )


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


_STATE_FIELDS = ("state", "status", "status_since", "status_reason", "last_check_at")


def _save_states(monitors: Sequence[Monitor], fields: Sequence[str]) -> None:
    """Write ``fields`` of many monitors with one prepared UPDATE run for each (Django's
    ``bulk_update`` builds a CASE per field and row: 5 times slower for a batch of 500,
    bench/bench_probe.py)."""
    if not monitors:
        return
    meta = Monitor._meta
    columns = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE id = %s"
    rows = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in columns] + [m.pk]
        for m in monitors
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _keep(monitor: Monitor, state: MonitorState, last_at: dt.datetime) -> None:
    monitor.state = encode(state)
    if monitor.last_check_at is None or last_at > monitor.last_check_at:
        monitor.last_check_at = last_at  # it never moves back


def _apply(monitor: Monitor, tr: Transition) -> None:
    """The monitor's status and its state spells after ``tr`` (the current spell ends, a
    new one begins)."""
    StateSpell.objects.filter(monitor=monitor, end__isnull=True).update(end=tr.at)
    StateSpell.objects.create(
        monitor=monitor, state=str(tr.to), start=tr.at, reason=tr.reason[:500]
    )
    monitor.status = str(tr.to)
    monitor.status_since = tr.at
    monitor.status_reason = tr.reason[:500]


def _after_transitions(
    monitors: dict[int, Monitor], transitions: list[tuple[int, Transition]]
) -> None:
    """Events, and incidents opened or resolved: after the monitors are saved, so that an
    incident that asks whether all its monitors are up reads the new status."""
    if not transitions:
        return
    from baozhang.incidents import services as incidents

    for monitor_id, tr in transitions:
        monitor = monitors[monitor_id]
        record(
            EventKind.STATE_CHANGED,
            monitor,
            before={"status": str(tr.from_)},
            after={"status": str(tr.to)},
            summary=tr.reason[:300],
            organisation=None,
            at=tr.at,
        )
        if tr.to == MonitorStatus.DOWN:
            incidents.monitor_down(monitor, at=tr.at, reason=tr.reason)
        elif tr.from_ == MonitorStatus.DOWN:
            incidents.monitor_up(monitor, at=tr.at, reason=tr.reason)


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
            | Q(last_check_at__lt=silent_since) & ~Q(status=MonitorStatus.UNKNOWN)
        ).values_list("id", flat=True)
    )
    if not candidates:
        return []
    out: list[tuple[int, Transition]] = []
    with transaction.atomic():
        windows = windows_for_monitors(candidates, now, now + dt.timedelta(microseconds=1))
        monitors = _lock(candidates)
        changed = []
        for monitor_id, monitor in monitors.items():
            state = decode(monitor.state)
            in_maintenance = bool(windows.get(monitor_id))
            if state.as_of is None and not in_maintenance:
                continue  # never checked: nothing to judge yet
            state, tr = reevaluate(
                state, policy_for(monitor), now=now, in_maintenance=in_maintenance
            )
            if tr is not None:
                _apply(monitor, tr)
                monitor.state = encode(state)
                changed.append(monitor)
                out.append((monitor_id, tr))
        _save_states(changed, _STATE_FIELDS)
        _after_transitions(monitors, out)
    return out


def prune(now: dt.datetime | None = None, *, keep_days: int) -> int:
    """Delete raw results older than ``keep_days`` (run after the rollups, which read
    them). Returns the count deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=keep_days)
    deleted, _ = ProbeResult.objects.filter(Q(at__lt=cutoff)).delete()
    return deleted
