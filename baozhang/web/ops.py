"""What load balancers and monitoring systems ask the web role (N1, docs/deploy.md).

- ``/healthz``: the process answers (no database): 200 "ok".
- ``/readyz``: the database answers and every migration of this version is applied: 200
  "ready", else 503 with Retry-After and the reason in both languages.
- ``/metrics``: Prometheus text format: the outbox backlog and the age of its oldest
  message, probe lag and checks per second, open tickets by state, each worker's heartbeat
  (its loop writes one every 15 s, jobs/beats.py) and when each worker last delivered.
  Only for a client that sends ``Authorization: Bearer <METRICS_TOKEN>`` or comes from an
  address of METRICS_ALLOW_FROM (default: this machine's loopback); anyone else gets 403.
  The address is the connection's (REMOTE_ADDR): behind a proxy, name the proxy's address
  or use the token.

None of them reads a session or a person; they answer in plain text, without caching.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import time
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from baozhang.cli import schema_problem
from baozhang.core.outbound import AllowList, parse_allow_list
from baozhang.desk.models import FINISHED_STATUSES, Status, Ticket
from baozhang.jobs.beats import BEAT_EVERY
from baozhang.jobs.models import WorkerBeat
from baozhang.monitoring.models import CheckState, MonitorKind, ProbeResult
from baozhang.notify.models import DeliveryAttempt, Message, MessageStatus

RETRY_AFTER_SECONDS = 5
# A successful migration check holds this long in a process (the check reads every
# migration file, about 0.2 s); a failed one is repeated at each request.
_MIGRATIONS_OK_FOR = 60.0
_migrations_ok_until = [0.0]
# Checks per second are counted over the last minute, among the newest results only (the
# primary key's index, read backwards): at most this many rows per scrape.
_RATE_WINDOW_S = 60
_RATE_ROWS = 300_000
# Workers that delivered, or beat without having stopped, within this time are listed.
_WORKERS_SEEN_WITHIN = dt.timedelta(hours=1)
# A worker counts as running while its last heartbeat is younger than this.
_WORKER_ALIVE_WITHIN = dt.timedelta(seconds=3 * BEAT_EVERY)


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return _text("ok\n")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if time.monotonic() >= _migrations_ok_until[0]:
            problem = schema_problem()
            if problem is not None:
                return _text(f"not ready: {problem}\n", 503)
            _migrations_ok_until[0] = time.monotonic() + _MIGRATIONS_OK_FOR
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return _text(
            f"not ready: 数据库不可用 / the database is unavailable ({type(exc).__name__}:"
            f" {first})\n",
            503,
        )
    return _text("ready\n")


@lru_cache(maxsize=8)
def _allowed(entries: tuple[str, ...]) -> AllowList:
    return parse_allow_list(entries)


def metrics_allowed(request: HttpRequest) -> bool:
    """A client with the metrics token, or from an allowed address."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return _allowed(tuple(settings.METRICS_ALLOW_FROM)).allows_address(address)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _family(name: str, kind: str, help_text: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def metrics_text(now: dt.datetime | None = None) -> str:
    """The figures, in Prometheus text format (version 0.0.4)."""
    now = now or timezone.now()
    lines: list[str] = []

    # The outbox: messages waiting (pending or being sent) and the oldest one's age.
    waiting = Message.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING])
    by_status = dict(
        waiting.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
    lines += _family(
        "baozhang_outbox_backlog",
        "gauge",
        "Outbox messages not yet sent, by status.",
        (
            f'baozhang_outbox_backlog{{status="{s}"}} {by_status.get(s, 0)}'
            for s in (MessageStatus.PENDING, MessageStatus.SENDING)
        ),
    )
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    lines += _family(
        "baozhang_outbox_oldest_age_seconds",
        "gauge",
        "Age of the oldest outbox message not yet sent (0 when none waits).",
        [f"baozhang_outbox_oldest_age_seconds {age:.3f}"],
    )

    # Probes: how far the most overdue check is behind its schedule, and checks a second.
    lag = 0.0
    for interval, last in (
        CheckState.objects.filter(monitor__enabled=True, last_check_at__isnull=False)
        .exclude(monitor__kind=MonitorKind.PUSH)
        .values_list("monitor__interval_s", "last_check_at")
    ):
        lag = max(lag, (now - last).total_seconds() - interval)
    lines += _family(
        "baozhang_probe_lag_seconds",
        "gauge",
        "How long the most overdue enabled monitor has waited past its interval.",
        [f"baozhang_probe_lag_seconds {lag:.3f}"],
    )
    newest = ProbeResult.objects.order_by("-id").values("id")[:_RATE_ROWS]
    checks = (
        ProbeResult.objects.filter(
            id__in=newest, at__gte=now - dt.timedelta(seconds=_RATE_WINDOW_S)
        )
        .exclude(region="push")
        .count()
    )
    lines += _family(
        "baozhang_probe_checks_per_second",
        "gauge",
        f"Checks stored over the last {_RATE_WINDOW_S} s, per second (heartbeat pings not"
        " counted).",
        [f"baozhang_probe_checks_per_second {checks / _RATE_WINDOW_S:.3f}"],
    )

    # The desk: open tickets by state.
    open_by_status = dict(
        Ticket.objects.exclude(status__in=FINISHED_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    lines += _family(
        "baozhang_open_tickets",
        "gauge",
        "Tickets not resolved or closed, by state.",
        (
            f'baozhang_open_tickets{{status="{s.value}"}} {open_by_status.get(s.value, 0)}'
            for s in Status
            if s not in FINISHED_STATUSES
        ),
    )

    # Workers: each one's heartbeat (not stopped as asked, seen within the last hour), how
    # many beat lately, and when each last started a delivery (within the last hour).
    beating = sorted(
        WorkerBeat.objects.filter(
            stopped_at__isnull=True, beat_at__gte=now - _WORKERS_SEEN_WITHIN
        ).values_list("name", "beat_at")
    )
    lines += _family(
        "baozhang_worker_heartbeat_age_seconds",
        "gauge",
        f"Seconds since each worker (host:pid) last beat (every {BEAT_EVERY:g} s while it"
        " runs); workers that stopped as asked are not listed.",
        (
            f'baozhang_worker_heartbeat_age_seconds{{worker="{_label(w)}"}}'
            f" {max(0.0, (now - at).total_seconds()):.3f}"
            for w, at in beating
        ),
    )
    lines += _family(
        "baozhang_workers_running",
        "gauge",
        f"Workers whose last heartbeat is younger than {_WORKER_ALIVE_WITHIN.seconds} s.",
        [
            "baozhang_workers_running"
            f" {sum(1 for _, at in beating if now - at < _WORKER_ALIVE_WITHIN)}"
        ],
    )
    seen = (
        DeliveryAttempt.objects.filter(started_at__gte=now - _WORKERS_SEEN_WITHIN)
        .order_by()
        .values("worker")
        .annotate(last=Max("started_at"))
        .values_list("worker", "last")
    )
    lines += _family(
        "baozhang_worker_last_delivery_age_seconds",
        "gauge",
        "Seconds since each worker (host:pid) last started a delivery, for workers seen in"
        " the last hour.",
        (
            f'baozhang_worker_last_delivery_age_seconds{{worker="{_label(w)}"}}'
            f" {max(0.0, (now - last).total_seconds()):.3f}"
            for w, last in sorted(seen)
        ),
    )
    return "\n".join(lines) + "\n"


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return _text(
            "metrics: 需要令牌或受允许的地址 / a token or an allowed address is needed\n", 403
        )
    response = _text(metrics_text())
    response["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
    return response
