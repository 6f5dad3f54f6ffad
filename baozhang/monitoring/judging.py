"""What every writer of monitor states shares: ingest's check results, push heartbeats and
the periodic re-evaluation all lock the monitors' CheckState rows here, read their states,
and write back new states, status changes, spells, events and incidents the same way.

Inside one transaction::

    rows = lock(ids)                          # the CheckState rows, locked
    state = state_of(rows[id])                # core.monitor_state.MonitorState
    ... step / reevaluate; apply(monitors, id, tr) for each transition ...
    finish(checked, monitors, transitions)    # states, status, events, incidents
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from baozhang.core.intervals import Interval
from baozhang.core.monitor_state import Message, MonitorPolicy, MonitorState, Transition
from baozhang.events.announce import announce
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import Said, said
from baozhang.monitoring.models import CheckState, Monitor, StateSpell
from baozhang.monitoring.state_codec import from_text, policy_for, to_text
from baozhang.monitoring.topics import MONITOR_TRANSITION


def inside(windows: Sequence[Interval], at: dt.datetime) -> bool:
    """Whether ``at`` falls in one of ``windows`` (maintenance)."""
    return any(w.start <= at < w.end for w in windows)


@dataclass(slots=True)
class _Settings:
    """The settings :func:`policy_for` reads, as read from a monitor's row."""

    kind: str
    interval_s: float
    timeout_s: float
    retries: int
    quorum: int
    regions: list[str]
    push_period_s: int | None
    push_grace_s: int | None

    @property
    def region_names(self) -> list[str]:
        return Monitor.region_names.fget(self)  # type: ignore[attr-defined, no-any-return]


_SETTINGS = tuple(_Settings.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class JudgeRow:
    """What judging a monitor reads: its policy (from its settings) and its state text
    (from its CheckState)."""

    id: int
    policy: MonitorPolicy
    state: str


class _Policies:
    """Policies by the settings they come from, as read: most monitors share a few, so
    a batch's rows are judged without building one each (nor parsing the regions' JSON).
    Bounded: past ``limit`` distinct settings it starts afresh."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._by_settings: dict[tuple[Any, ...], MonitorPolicy] = {}

    def get(self, settings: tuple[Any, ...]) -> MonitorPolicy:
        policy = self._by_settings.get(settings)
        if policy is None:
            values = list(settings)
            regions_at = _SETTINGS.index("regions")
            values[regions_at] = json.loads(values[regions_at])
            policy = policy_for(_Settings(*values))
            if len(self._by_settings) >= self._limit:
                self._by_settings.clear()
            self._by_settings[settings] = policy
        return policy


_POLICIES = _Policies()


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

    def get(self, monitor_id: int, stored: str) -> MonitorState:
        """The state of ``monitor_id`` whose stored text is ``stored``."""
        known = self._by_id.get(monitor_id)
        if known is not None and known[0] == stored:
            return known[1]
        return from_text(stored)

    def put(self, monitor_id: int, text: str, state: MonitorState) -> None:
        if len(self._by_id) >= self._limit and monitor_id not in self._by_id:
            self._by_id.clear()
        self._by_id[monitor_id] = (text, state)


_STATES = _StateCache()


_MONITOR_COLUMNS = ("id", *_SETTINGS)


def _select(ids: list[int]) -> list[tuple[Any, ...]]:
    q = connection.ops.quote_name
    mon, held = q(Monitor._meta.db_table), q(CheckState._meta.db_table)
    columns = ", ".join(f"m.{q(c)}" for c in _MONITOR_COLUMNS)
    joined = f"SELECT {columns}, h.state FROM {held} h JOIN {mon} m ON m.id = h.monitor_id"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Only the narrow row is locked: the monitor's own row is not written.
            cur.execute(
                f"{joined} WHERE h.monitor_id = ANY(%s) ORDER BY h.monitor_id FOR UPDATE OF h",
                [ids],
            )
        else:
            # One parameter for all the ids, not one each.
            cur.execute(
                f"{joined} WHERE h.monitor_id IN (SELECT value FROM json_each(%s))",
                [json.dumps(ids)],
            )
        return cur.fetchall()


def _create_missing(ids: list[int]) -> None:
    """CheckState rows for those of ``ids`` that are monitors and have none yet (never
    checked); a row another transaction makes first is left as it is."""
    q = connection.ops.quote_name
    mon, held = q(Monitor._meta.db_table), q(CheckState._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            where, param = "id = ANY(%s)", ids
        else:
            where, param = "id IN (SELECT value FROM json_each(%s))", json.dumps(ids)
        cur.execute(
            f"INSERT INTO {held} (monitor_id, state, last_check_at) "
            f"SELECT id, '{{}}', NULL FROM {mon} WHERE {where} "
            "ON CONFLICT (monitor_id) DO NOTHING",
            [param],
        )


def lock(ids: Iterable[int]) -> dict[int, JudgeRow]:
    """The monitors ``ids`` as judge rows, their CheckState rows locked for this
    transaction (PostgreSQL; SQLite has one writer at a time). Ids that are not monitors
    are left out. A monitor never checked gets its CheckState row here."""
    wanted = sorted(set(ids))
    raw = _select(wanted)
    if len(raw) < len(wanted):
        found = {r[0] for r in raw}
        missing = [m for m in wanted if m not in found]
        _create_missing(missing)
        raw += _select(missing)
    out: dict[int, JudgeRow] = {}
    for values in raw:
        settings = values[1:-1]
        if any(isinstance(v, list) for v in settings):  # a driver that parses JSON itself
            settings = tuple(json.dumps(v) if isinstance(v, list) else v for v in settings)
        out[values[0]] = JudgeRow(values[0], _POLICIES.get(settings), values[-1])
    return out


def state_of(row: JudgeRow) -> MonitorState:
    """The state stored for ``row``'s monitor."""
    return _STATES.get(row.id, row.state)


def apply(monitors: dict[int, Monitor], monitor_id: int, tr: Transition) -> None:
    """Monitor ``monitor_id``'s status and its state spells after ``tr`` (the current
    spell ends, a new one begins); the status is written by :func:`finish`. The monitor
    is taken from ``monitors``, or loaded into it at its first transition (most checks
    make none, so most monitors are never loaded as models)."""
    monitor = monitors.get(monitor_id)
    if monitor is None:
        monitor = monitors[monitor_id] = Monitor.objects.get(pk=monitor_id)
    StateSpell.objects.filter(monitor=monitor, end__isnull=True).update(end=tr.at)
    StateSpell.objects.create(
        monitor=monitor, state=str(tr.to), start=tr.at, reason=tr.reason[:500]
    )
    monitor.status = str(tr.to)
    monitor.status_since = tr.at
    monitor.status_reason = tr.reason[:500]


def finish(
    checked: Sequence[tuple[int, MonitorState, dt.datetime | None]],
    monitors: Mapping[int, Monitor],
    transitions: Sequence[tuple[int, Transition]],
) -> None:
    """Write what judging made: ``checked`` states ``(monitor id, state, newest check
    or None)``, the status of each monitor with a transition (from ``monitors``, as
    :func:`apply` changed it), then events and incidents for ``transitions``."""
    _save_checked(checked)
    _save_status([monitors[m] for m in dict.fromkeys(m for m, _ in transitions)])
    _after_transitions(monitors, transitions)


def _save_checked(checked: Sequence[tuple[int, MonitorState, dt.datetime | None]]) -> None:
    """New states and check times in one UPDATE from a JSON document (PostgreSQL) or one
    prepared UPDATE (SQLite). The database keeps the later of the stored and the new
    check time (it never moves back), so the stored one is never read. The state text
    is stored as written, so the cache knows it without reading it back."""
    if not checked:
        return
    table = connection.ops.quote_name(CheckState._meta.db_table)
    texts = []
    for m, s, _ in checked:
        text = to_text(s)
        texts.append(text)
        _STATES.put(m, text, s)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # Each state's text goes into the document as it is; json (not jsonb) keeps
            # it verbatim, so the column gets exactly that text.
            parts = []
            for (m, _, c), text in zip(checked, texts, strict=True):
                when = f'"{c.isoformat()}"' if c else "null"
                parts.append(f'{{"m":{m},"s":{text},"c":{when}}}')
            cur.execute(
                f"UPDATE {table} h SET state = u.s, "
                "last_check_at = GREATEST(h.last_check_at, u.c) "
                "FROM json_to_recordset(%s::json) AS u(m bigint, s text, c timestamptz) "
                "WHERE h.monitor_id = u.m",
                ["[" + ",".join(parts) + "]"],
            )
            return
    field = CheckState._meta.get_field("last_check_at")
    params = []
    for (m, _, c), text in zip(checked, texts, strict=True):
        when = field.get_db_prep_save(c, connection)
        params.append((text, when, when, m))
    # SQLite keeps times as ISO text, which sorts as time does; MAX of a NULL is NULL.
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table} SET state = %s, "
            "last_check_at = COALESCE(MAX(last_check_at, %s), last_check_at, %s) "
            "WHERE monitor_id = %s",
            params,
        )


_STATUS_FIELDS = ("status", "status_since", "status_reason")


def _save_status(monitors: Sequence[Monitor]) -> None:
    """The status of many monitors with one prepared UPDATE run for each (Django's
    ``bulk_update`` builds a CASE per field and row: 5 times slower for a batch of 500,
    bench/bench_probe.py)."""
    if not monitors:
        return
    meta = Monitor._meta
    columns = [meta.get_field(name) for name in _STATUS_FIELDS]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE id = %s"
    rows = [
        [f.get_db_prep_save(getattr(m, f.attname), connection) for f in columns] + [m.pk]
        for m in monitors
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# A push monitor's missed deadline (push.py writes it as ``missed_ping``'s two halves).
MISSED_PING = "no ping within %(seconds)s s"
_MISSED = re.compile(r"^no ping within (\d+) s(?: / [^/]*)?$")


def missed_ping(seconds: int) -> Said:
    """What a push monitor's missed deadline says: no ping within ``seconds``."""
    return said(MISSED_PING, seconds=seconds)


def error_said(error: str) -> Said | str:
    """A probe's error as a reader reads it: a text of ours (a missed ping) as its
    message, the probe's own text as it came."""
    found = _MISSED.match(error)
    return missed_ping(int(found.group(1))) if found else error


def _errors(errors: Sequence[str]) -> Said | str:
    """Several errors as one parameter: ``a; b; c``, each read as :func:`error_said`."""
    first = error_said(errors[0])
    if len(errors) == 1:
        return first
    return said("%(first)s; %(rest)s", first=first, rest=_errors(errors[1:]))


def transition_said(tr: Transition) -> Said | str:
    """Why the monitor changed state, as a message each reader reads in their language
    (the probes' errors as they came, ours as messages); a transition without one says
    its reason as written."""
    if tr.message is None:
        return tr.reason[:300]
    return _said(tr.message)


def _said(message: Message) -> Said:
    msgid, params = message
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key == "errors" and isinstance(value, list | tuple):
            shown[key] = _errors([str(e)[:300] for e in value][:10]) if value else ""
        elif isinstance(value, tuple):
            shown[key] = _said(value)
        else:
            shown[key] = value
    return Said(msgid, shown)


def _after_transitions(
    monitors: Mapping[int, Monitor], transitions: Sequence[tuple[int, Transition]]
) -> None:
    """Events, and each transition announced (MONITOR_TRANSITION: incidents are opened or
    resolved by their subscriber): after the monitors are saved, so that an incident that
    asks whether all its monitors are up reads the new status."""
    if not transitions:
        return
    for monitor_id, tr in transitions:
        monitor = monitors[monitor_id]
        record(
            EventKind.STATE_CHANGED,
            monitor,
            before={"status": str(tr.from_)},
            after={"status": str(tr.to)},
            summary=transition_said(tr),
            organisation=None,
            at=tr.at,
        )
        announce(
            MONITOR_TRANSITION,
            monitor_id=monitor.pk,
            before=str(tr.from_),
            after=str(tr.to),
            at=tr.at,
            reason=tr.reason,
        )
