"""Push heartbeats: pings stored durably by the heartbeat endpoint (:func:`store_pings`),
then turned into state, with their absence, by the periodic :func:`evaluate_push`; the
state changes themselves are ingest's (:mod:`baozhang.monitoring.ingest`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone, translation

from baozhang.core.monitor_state import CheckResult, Transition, step
from baozhang.events.announce import announce
from baozhang.events.text import in_english
from baozhang.monitoring import judging
from baozhang.monitoring.models import PUSH_REGION, Monitor, MonitorKind, ProbeResult
from baozhang.monitoring.topics import HEARTBEATS, PUSH_RESULTS
from baozhang.monitoring.windows import windows_for_monitors

# What a ping may say about the job that sent it (a backup: the size and checksum of what it
# wrote), kept at the head of the ping's stored message: "size=1048576 checksum=sha256:ab…".
_DETAILS = re.compile(r"^size=(?P<size>\d{1,19})?(?: ?checksum=(?P<sum>\S{1,140}))?(?:; |$)")
CHECKSUM = re.compile(r"^[A-Za-z0-9:+/=_.-]{1,140}$")
MAX_SIZE = 2**63 - 1


@dataclass(frozen=True)
class PingDetails:
    """A ping's size (bytes) and checksum when the job sent them, and its own text."""

    size: int | None
    checksum: str
    text: str


def ping_message(text: str = "", *, size: int | None = None, checksum: str = "") -> str:
    """The message stored with a ping: the size and checksum first when given (read back
    by :func:`ping_details`), then the text; at most 300 characters."""
    if size is None and not checksum:
        return text[:300]
    head = f"size={size if size is not None else ''}"
    if checksum:
        head += f" checksum={checksum}"
    return f"{head}; {text}"[:300] if text else head[:300]


def ping_details(message: str) -> PingDetails:
    """The size and checksum a ping carried (None and "" when it carried none)."""
    found = _DETAILS.match(message or "")
    if found is None or not (found.group("size") or found.group("sum")):
        return PingDetails(None, "", message or "")
    size = found.group("size")
    return PingDetails(
        int(size) if size else None, found.group("sum") or "", message[found.end() :]
    )


def store_pings(pings: Sequence[tuple[int, dt.datetime, bool, str]]) -> None:
    """Store heartbeat pings ``(monitor_id, at, ok, message)`` durably, in one
    transaction: one raw row each, and each monitor's ``last_ping_at`` moved forward. The
    state follows in :func:`evaluate_push`. The fast path of the heartbeat endpoint: plain
    SQL, no model instances."""
    if not pings:
        return
    result = ProbeResult._meta.db_table
    mon = Monitor._meta.db_table
    latest: dict[int, dt.datetime] = {}
    for monitor_id, at, _ok, _msg in pings:
        if monitor_id not in latest or at > latest[monitor_id]:
            latest[monitor_id] = at
    rows = [(m, at, ok, msg[:300]) for m, at, ok, msg in pings]
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Two statements over arrays: 3 times cheaper than a statement per ping.
            cur.execute(
                f"INSERT INTO {result} (monitor_id, region, at, ok, latency_ms, error) "
                "SELECT u.m, %s, u.a, u.o, NULL, u.e FROM unnest("
                "%s::bigint[], %s::timestamptz[], %s::boolean[], %s::text[]) AS u(m, a, o, e) "
                f"WHERE EXISTS (SELECT 1 FROM {mon} WHERE id = u.m)",
                [PUSH_REGION, *map(list, zip(*rows, strict=True))],
            )
            ids, ats = zip(*sorted(latest.items()), strict=True)
            cur.execute(
                f"UPDATE {mon} SET last_ping_at = u.a FROM unnest("
                "%s::bigint[], %s::timestamptz[]) AS u(m, a) "
                f"WHERE {mon}.id = u.m AND ({mon}.last_ping_at IS NULL "
                f"OR {mon}.last_ping_at < u.a)",
                [list(ids), list(ats)],
            )
            return
        # SQLite keeps datetimes as text: written as the ORM writes them (naive UTC), so
        # that the ORM's comparisons (pings newer than the state has seen) hold; the
        # sqlite3 adapter's own text ("…+00:00") compares after it and was judged again.
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(m, adapt(at), ok, msg) for m, at, ok, msg in rows]
        latest = {m: adapt(at) for m, at in latest.items()}
        cur.executemany(
            # A monitor deleted a moment ago (its token still cached) loses its ping
            # rather than failing the whole group.
            f"INSERT INTO {result} (monitor_id, region, at, ok, latency_ms, error) "
            f"SELECT %s, %s, %s, %s, NULL, %s WHERE EXISTS (SELECT 1 FROM {mon} WHERE id = %s)",
            [(m, PUSH_REGION, at, ok, msg, m) for m, at, ok, msg in rows],
        )
        cur.executemany(
            f"UPDATE {mon} SET last_ping_at = %s WHERE id = %s "
            "AND (last_ping_at IS NULL OR last_ping_at < %s)",
            [(at, m, at) for m, at in sorted(latest.items())],
        )


def _push_deadline(period_s: int | None, grace_s: int | None) -> dt.timedelta:
    """How long a push monitor may go without a ping: its period plus its grace."""
    return dt.timedelta(seconds=(period_s or 60) + (grace_s or 0))


def evaluate_push(now: dt.datetime | None = None) -> list[tuple[int, Transition]]:
    """Turn pings into state for every enabled push monitor: each ping newer than the
    state has seen is a successful check; no ping within period + grace is a failed one
    (stored as a raw result, once per missed period)."""
    now = now or timezone.now()
    monitors = Monitor.objects.filter(kind=MonitorKind.PUSH, enabled=True)
    rows = monitors.values_list(
        "id",
        "last_ping_at",
        "check_state__last_check_at",
        "created_at",
        "push_period_s",
        "push_grace_s",
    )
    out: list[tuple[int, Transition]] = []
    for monitor_id, last_ping, last_check, created, period, grace in rows:
        new_ping = last_ping is not None and (last_check is None or last_ping > last_check)
        allowed = _push_deadline(period, grace)
        if new_ping or now - (last_ping or created) >= allowed:
            out.extend(_evaluate_one_push(monitor_id, now))
    return out


def _missed_text(seconds: int) -> str:
    """A missed deadline as a result's error keeps it: its message in both languages
    (``no ping within 90 s / 90 秒内未收到心跳``), so that the monitor's reason takes each
    half in its language (core.monitor_state); the event says it as the message
    (judging.error_said), in the reader's language."""
    message = judging.missed_ping(seconds)
    with translation.override("zh-hans"):
        chinese = str(message)
    return f"{in_english(message)} / {chinese}"


def _evaluate_one_push(monitor_id: int, now: dt.datetime) -> list[tuple[int, Transition]]:
    """One push monitor's new pings, or its missed deadline, through the state machine.
    Maintenance boundaries and silence without results are judged by reevaluate_all."""
    out: list[tuple[int, Transition]] = []
    with transaction.atomic():
        row = judging.lock([monitor_id]).get(monitor_id)
        if row is None:
            return out
        monitor = Monitor.objects.get(pk=monitor_id)
        monitors = {monitor.id: monitor}
        state = judging.state_of(row)
        policy = row.policy
        seen = state.region(PUSH_REGION)
        pings = ProbeResult.objects.filter(monitor=monitor, region=PUSH_REGION, at__lte=now)
        if seen is not None:
            pings = pings.filter(at__gt=seen.last.at)
        results = [
            CheckResult(PUSH_REGION, at, ok, None, error)
            for at, ok, error in pings.order_by("at").values_list("at", "ok", "error")[:1000]
        ]
        allowed = _push_deadline(monitor.push_period_s, monitor.push_grace_s)
        period = dt.timedelta(seconds=monitor.push_period_s or 60)
        anchor = monitor.last_ping_at or monitor.created_at
        miss = None
        last = results[-1] if results else (seen.last if seen else None)
        failed_lately = last is not None and not last.ok and last.at > now - period
        if now - anchor >= allowed and not failed_lately:
            # No ping in time: one failed check, then one per further missed period.
            miss = CheckResult(
                PUSH_REGION, now, False, None, _missed_text(int(allowed.total_seconds()))
            )
            ProbeResult.objects.create(
                monitor=monitor, region=PUSH_REGION, at=now, ok=False, error=miss.error
            )
            results.append(miss)
        if not results:
            return out
        windows = windows_for_monitors([monitor.id], results[0].at, now + dt.timedelta(seconds=1))
        mine = windows.get(monitor.id, [])
        for result in results:
            state, tr = step(state, result, policy, in_maintenance=judging.inside(mine, result.at))
            if tr is not None:
                judging.apply(monitors, monitor.id, tr)
                out.append((monitor.id, tr))
        _record_heartbeats(monitor, [r for r in results if r.ok])
        announce(
            PUSH_RESULTS,
            monitor_id=monitor.pk,
            results=[
                {"at": r.at, "ok": r.ok, "message": r.error or "", "missed": r is miss}
                for r in results
            ],
        )
        judging.finish([(monitor.id, state, results[-1].at)], monitors, out)
    return out


def _record_heartbeats(monitor: Monitor, beats: list[CheckResult]) -> None:
    """Successful pings are announced (HEARTBEATS): the agreements record them as
    heartbeats of the frequency targets (S3: "a backup at least every 2 days") the monitor
    feeds, in their own service."""
    if not beats:
        return
    announce(HEARTBEATS, monitor_id=monitor.pk, monitor_name=monitor.name, at=[b.at for b in beats])
