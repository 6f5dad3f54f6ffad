"""Service desk on PostgreSQL: ticket creation through the API (tickets per second) and the
agent queue page's latency with 100,000 tickets (median and 99th percentile).

    python bench/bench_desk.py            # 2,000 API tickets, 100,000 in the queue
    python bench/bench_desk.py --quick    # 200 API tickets, 10,000 in the queue

Steps, on a fresh PostgreSQL database (BENCH_DESK_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/baozhang_bench_desk, dropped and re-created):

1. `migrate`, the demo people (`baozhang.demo.load_demo`), more customers, the four level
   groups and the green-channel group, an API token for the demo agent.
2. The web role as a subprocess (`python -m baozhang web --port <free>`, uvicorn ASGI).
   `--clients` threads (default 8), each with one keep-alive connection, send
   `GET /api/v1/me` (the baseline: authenticated, trivial) and then
   `POST /api/v1/tickets` (`--creates` times in all). Rates count from the first request
   to the last answer.
3. Tickets are bulk-inserted (bulk_create of Ticket and Clock rows; clocks computed by
   `desk.clocks.refresh`, the code the services use) up to `--tickets` in all: spread
   over the customers, kinds, priorities and statuses, 3 % green channel, three quarters
   resolved or closed. Then ANALYZE.
4. The agent signs in through /accounts/login/ (CSRF cookie and form token) and one
   connection requests, in turn, /accounts/login/ (anonymous, the baseline), the dashboard,
   the queue page /desk/ and GET /api/v1/tickets, `--requests` times each (interleaved, so
   drift hits all alike). Median and 99th percentile in ms.
5. EXPLAIN ANALYZE of the queue's two queries (the page and the paginator's count), then,
   in this database only, the candidate indexes are created and the queue measured again.

Every phase is capped in time (`--timeout` seconds each). Skips (exit 0) when PostgreSQL
does not answer. Loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PG_URL = os.environ.get(
    "BENCH_DESK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/baozhang_bench_desk"
)
HOST = "127.0.0.1"


# -- the database ----------------------------------------------------------------------------


def fresh_postgres() -> str | None:
    """Drop and re-create the bench database; the server's version, or None to skip."""
    try:
        import psycopg
    except ImportError:
        print("skipped: psycopg is not installed")
        return None
    base, _, name = PG_URL.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"skipped: PostgreSQL at {base} does not answer ({type(exc).__name__}: {exc})")
        return None
    return str(version)


def setup_django(home: str) -> None:
    os.environ["DATABASE_URL"] = PG_URL
    os.environ["BAOZHANG_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def seed_people(customers: int) -> dict[str, Any]:
    """Demo people, `customers` customers in all, the groups, a token for the agent."""
    from baozhang.accounts import services as accounts
    from baozhang.accounts.models import Organisation, OrganisationKind, User
    from baozhang.demo import load_demo
    from baozhang.desk.models import Group, Level

    password = load_demo()
    have = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).count()
    for i in range(have, customers):
        org = accounts.create_organisation(
            None, name=f"Bench customer {i:03d}", email_domains=f"c{i:03d}.example.cn"
        )
        if i % 10 == 3:  # a tenth of the customers take the green channel (D6)
            Organisation.objects.filter(pk=org.pk).update(green_channel=True)
    for level in Level:
        Group.objects.get_or_create(name=f"L{level.value} {level.label}", level=level)
    Group.objects.get_or_create(name="Green channel 绿色通道", is_green_channel=True)
    agent = User.objects.get(username="agent")
    _token, secret = accounts.create_token(None, agent, name="bench")
    return {
        "password": password,
        "token": secret,
        "customer_ids": list(
            Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).values_list("pk", flat=True)
        ),
    }


def bulk_tickets(total: int, seed: int = 20261127) -> tuple[int, int, float]:
    """Insert tickets with their clocks until there are `total`; returns (tickets added,
    clocks added, seconds)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from baozhang.accounts.models import Organisation, OrganisationKind, User
    from baozhang.desk import clocks as desk_clocks
    from baozhang.desk.models import Channel as TicketChannel
    from baozhang.desk.models import (
        Clock,
        ClockKind,
        Group,
        Priority,
        Status,
        Ticket,
        TicketKind,
    )
    from baozhang.desk.policy import clock_target

    # One calendar per key for the whole run (the service asks the database each time).
    desk_clocks.calendar_for = functools.lru_cache(maxsize=None)(desk_clocks.calendar_for)  # type: ignore[assignment]

    started = time.monotonic()
    missing = total - Ticket.objects.count()
    if missing <= 0:
        return 0, 0, 0.0
    rnd = random.Random(seed)
    now = timezone.now()
    customers = list(Organisation.objects.filter(kind=OrganisationKind.CUSTOMER))
    staff = list(User.objects.filter(organisation__kind=OrganisationKind.OPERATOR))
    groups = list(Group.objects.filter(is_green_channel=False).order_by("level"))
    green_group = Group.objects.filter(is_green_channel=True).first()
    kinds = [
        (TicketKind.FAULT, 40),
        (TicketKind.REQUEST, 25),
        (TicketKind.CONSULTATION, 20),
        (TicketKind.COMPLAINT, 10),
        (TicketKind.REFUND, 5),
    ]
    priorities = [(Priority.P1, 5), (Priority.P2, 15), (Priority.P3, 60), (Priority.P4, 20)]
    statuses = [
        (Status.CLOSED, 55),
        (Status.RESOLVED, 20),
        (Status.OPEN, 13),
        (Status.NEW, 7),
        (Status.WAITING_CUSTOMER, 5),
    ]
    channels = [c for c, _label in TicketChannel.choices]

    def pick(weighted: list[tuple[Any, int]]) -> Any:
        return rnd.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]

    def clock(ticket: Ticket, kind: str, start: dt.datetime, **facts: Any) -> Clock | None:
        target = clock_target(ticket, kind)
        if target is None:
            return None
        c = Clock(
            ticket=ticket,
            kind=kind,
            target=target.target,
            calendar_key=target.calendar_key,
            source=target.source,
            started_at=start,
            **facts,
        )
        desk_clocks.refresh(c, now)
        return c

    batch = 5000
    added_tickets = added_clocks = 0
    for first in range(0, missing, batch):
        tickets: list[Ticket] = []
        plans: list[tuple[Ticket, list[tuple[str, dt.datetime, dict[str, Any]]]]] = []
        for i in range(first, min(first + batch, missing)):
            status = pick(statuses)
            finished = status in (Status.RESOLVED, Status.CLOSED)
            # Finished tickets spread over a year, unfinished ones over the last 3 weeks.
            age = dt.timedelta(minutes=rnd.randrange(60 * 24 * (365 if finished else 21)))
            created = now - age
            customer = rnd.choice(customers)
            green = (customer.green_channel and rnd.random() < 0.3) or rnd.random() < 0.02
            kind = pick(kinds)
            t = Ticket(
                reference=f"BZB-{added_tickets + len(tickets):07d}",
                kind=kind,
                customer=customer,
                requester=f"bench {i}",
                subject=f"Bench ticket {i} / 测试工单",
                channel=rnd.choice(channels),
                priority=pick(priorities),
                status=status,
                green_channel=green,
                group=green_group if green else rnd.choice(groups),
                level=1 + (rnd.random() < 0.15) + (rnd.random() < 0.05),
                assignee=None if status == Status.NEW or rnd.random() < 0.2 else rnd.choice(staff),
                created_at=created,
            )
            span = age.total_seconds()
            plan: list[tuple[str, dt.datetime, dict[str, Any]]] = []
            if status == Status.NEW:
                plan = [
                    (ClockKind.FIRST_RESPONSE, created, {}),
                    (ClockKind.RESOLUTION, created, {}),
                ]
            else:
                answered = created + dt.timedelta(seconds=span * rnd.uniform(0.0, 0.3))
                t.first_response_at = answered
                plan.append((ClockKind.FIRST_RESPONSE, created, {"stopped_at": answered}))
                if finished:
                    done = answered + dt.timedelta(seconds=span * rnd.uniform(0.0, 0.6))
                    t.resolved_at = done
                    if status == Status.CLOSED:
                        t.closed_at = done + dt.timedelta(seconds=(now - done).total_seconds() / 2)
                    plan.append((ClockKind.RESOLUTION, created, {"stopped_at": done}))
                    if kind == TicketKind.FAULT:
                        plan.append((ClockKind.NEXT_UPDATE, answered, {"stopped_at": done}))
                else:
                    running: dict[str, Any] = {}
                    if status == Status.WAITING_CUSTOMER:
                        since = answered + dt.timedelta(
                            seconds=(now - answered).total_seconds() / 2
                        )
                        running = {"pauses": [[since.isoformat(), None]]}
                    plan.append((ClockKind.RESOLUTION, created, dict(running)))
                    if kind == TicketKind.FAULT:
                        plan.append((ClockKind.NEXT_UPDATE, answered, dict(running)))
            tickets.append(t)
            plans.append((t, plan))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            rows = [
                c
                for t, plan in plans
                for kind, start, facts in plan
                if (c := clock(t, kind, start, **facts)) is not None
            ]
            Clock.objects.bulk_create(rows, batch_size=2000)
        added_tickets += len(tickets)
        added_clocks += len(rows)
    with connection.cursor() as cur:
        # The services keep each ticket's nearest running deadline (Ticket.next_due_at);
        # bulk_create bypasses them, so fill it the same way here.
        cur.execute(
            "UPDATE desk_ticket AS t SET next_due_at = m.due FROM (SELECT ticket_id, "
            "MIN(due_at) AS due FROM desk_clock WHERE stopped_at IS NULL GROUP BY ticket_id) m "
            "WHERE m.ticket_id = t.id"
        )
        cur.execute("ANALYZE")
    return added_tickets, added_clocks, time.monotonic() - started


# -- HTTP on loopback ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Client:
    """One keep-alive connection with a cookie jar (enough for Django's session and CSRF)."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        h = {**self.headers, **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def close(self) -> None:
        self.conn.close()


def start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """The web role; its output goes to `log` (never a pipe nobody reads)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "baozhang", "web", "--host", HOST, "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"web role exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("web role did not start within 60 s")


def stop_web(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def concurrent(
    port: int, token: str, clients: int, count: int, timeout: float, make: Any
) -> dict[str, Any]:
    """`count` requests from `clients` threads; `make(i)` gives (method, path, body,
    expected status). Returns done, errors, seconds, rate and latencies."""
    lock = threading.Lock()
    next_i = [0]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + timeout
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def run() -> None:
        c = Client(port, auth)
        try:
            while time.monotonic() < deadline:
                with lock:
                    i = next_i[0]
                    if i >= count:
                        return
                    next_i[0] += 1
                method, path, body, expected = make(i)
                t0 = time.perf_counter()
                try:
                    status, data = c.request(method, path, body)
                except Exception as exc:  # counted, not fatal
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    if status == expected:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"{status}: {data[:200]!r}")
        finally:
            c.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    return {
        "done": len(latencies),
        "errors": errors,
        "seconds": seconds,
        "rate": len(latencies) / seconds if seconds else 0.0,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99": pct(latencies, 99) * 1000 if latencies else 0.0,
        "capped": len(latencies) + len(errors) < count,
    }


def sign_in(port: int, username: str, password: str) -> Client:
    c = Client(port)
    status, page = c.request("GET", "/accounts/login/")
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or m is None or "csrftoken" not in c.cookies:
        raise RuntimeError(f"login page: {status}")
    body = urlencode(
        {"csrfmiddlewaretoken": m.group(1).decode(), "username": username, "password": password}
    ).encode()
    status, _ = c.request(
        "POST",
        "/accounts/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    if status != 302 or "sessionid" not in c.cookies:
        raise RuntimeError(f"sign-in failed: {status}")
    return c


def sequential(
    targets: list[tuple[str, Client, str]], rounds: int, timeout: float
) -> dict[str, dict[str, Any]]:
    """Each round requests every target once, in turn (one request at a time)."""
    for _label, client, path in targets:  # warm up: templates, caches, connections
        for _ in range(3):
            client.request("GET", path)
    samples: dict[str, list[float]] = {label: [] for label, _c, _p in targets}
    bad: dict[str, int] = {label: 0 for label, _c, _p in targets}
    deadline = time.monotonic() + timeout
    for _ in range(rounds):
        if time.monotonic() >= deadline:
            break
        for label, client, path in targets:
            t0 = time.perf_counter()
            status, _data = client.request("GET", path)
            elapsed = time.perf_counter() - t0
            if status == 200:
                samples[label].append(elapsed * 1000)
            else:
                bad[label] += 1
    return {
        label: {
            "n": len(v),
            "bad": bad[label],
            "p50": statistics.median(v) if v else 0.0,
            "p99": pct(v, 99) if v else 0.0,
        }
        for label, v in samples.items()
    }


# -- the queue's queries -----------------------------------------------------------------------


def queue_sql() -> list[tuple[str, str, list[Any]]]:
    """(label, SQL, params) of the queue page's two queries as the agent sees them."""
    from baozhang.accounts.models import User
    from baozhang.desk.selectors import queue

    agent = User.objects.get(username="agent")
    qs = queue(agent, "open")
    page_sql, page_params = qs[:50].query.sql_with_params()
    count_sql, count_params = _count_sql(qs)  # what the paginator runs
    return [
        ("queue page (first 50)", page_sql, list(page_params)),
        ("paginator count", count_sql, count_params),
    ]


def _count_sql(qs: Any) -> tuple[str, list[Any]]:
    """The SQL Django runs for qs.count(), captured on the connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        qs.count()
    return ctx.captured_queries[-1]["sql"], []


def explain(sql: str, params: list[Any], repeat: int = 5) -> tuple[float, list[str]]:
    """EXPLAIN ANALYZE `repeat` times: the median execution time and the last plan."""
    from django.db import connection

    times = []
    with connection.cursor() as cur:
        for _ in range(repeat):
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [r[0] for r in cur.fetchall()]
            times.extend(
                float(m.group(1))
                for ln in lines
                if (m := re.search(r"Execution Time: ([\d.]+)", ln))
            )
    return statistics.median(times) if times else 0.0, lines


def queries_per_request() -> dict[str, int]:
    """Database queries of one queue page and one API list, in this process (test client)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext, override_settings

    from baozhang.accounts import services as accounts
    from baozhang.accounts.models import User

    agent = User.objects.get(username="agent")
    _token, secret = accounts.create_token(None, agent, name="bench-count")
    out = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        web = DjangoClient()
        web.force_login(agent, backend="baozhang.accounts.backends.ActiveOrganisationBackend")
        api = DjangoClient(headers={"Authorization": f"Bearer {secret}"})
        for label, client, path in (
            ("/desk/", web, "/desk/"),
            ("/api/v1/tickets", api, "/api/v1/tickets"),
        ):
            client.get(path)
            with CaptureQueriesContext(connection) as ctx:
                client.get(path)
            out[label] = len(ctx.captured_queries)
    return out


# -- main --------------------------------------------------------------------------------------


def machine(pg_version: str) -> str:
    cpu = platform.processor() or "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = models[0] if models else cpu
    import django

    return (
        f"machine: nproc={os.cpu_count()}, {cpu}; Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {pg_version} on {HOST}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the queue")
    parser.add_argument("--creates", type=int, default=2000, help="tickets created by the API")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=120, help="seconds per API run at most")
    parser.add_argument(
        "--page-timeout", type=float, default=300, help="seconds per page-latency run at most"
    )
    parser.add_argument("--explain", action="store_true", help="print the full query plans")
    parser.add_argument("--plan-lines", type=int, default=14, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="200 creates, 10,000 tickets")
    args = parser.parse_args()
    if args.quick:
        args.tickets, args.creates, args.requests = 10_000, 200, 50
        args.timeout, args.page_timeout = min(args.timeout, 30), min(args.page_timeout, 30)
    run_started = time.monotonic()

    pg_version = fresh_postgres()
    if pg_version is None:
        return 0
    home = tempfile.mkdtemp(prefix="bz-bench-desk-")
    setup_django(home)
    from django.core.management import call_command
    from django.db import connection

    print(machine(pg_version), flush=True)
    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    seeded = seed_people(args.customers)
    print(
        f"setup: migrate + demo people + {len(seeded['customer_ids'])} customers "
        f"in {time.monotonic() - t0:.1f} s",
        flush=True,
    )
    env = {
        **{k: v for k, v in os.environ.items()},
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "LOG_LEVEL": "WARNING",
    }
    port = free_port()
    connection.close()  # no connection of ours is held open while the server works
    log = Path(home) / "web.log"
    web = start_web(env, port, log)
    try:
        # -- 2. ticket creation through the API -------------------------------------------------
        customers = seeded["customer_ids"]
        kinds = ["fault", "request", "consultation", "complaint", "refund"]

        def me(_i: int) -> tuple[str, str, bytes | None, int]:
            return "GET", "/api/v1/me", None, 200

        def create(i: int) -> tuple[str, str, bytes | None, int]:
            body = {
                "kind": kinds[i % len(kinds)],
                "subject": f"API bench ticket {i} / 接口测试工单",
                "description": "Created by bench/bench_desk.py",
                "customer_id": customers[i % len(customers)],
                "priority": ["P1", "P2", "P3", "P3", "P4"][i % 5],
            }
            return "POST", "/api/v1/tickets", json.dumps(body).encode(), 201

        # Warm up both paths (imports, templates, connections); not counted.
        concurrent(port, seeded["token"], args.clients, 2 * args.clients, 30, me)
        concurrent(port, seeded["token"], args.clients, args.clients, 30, create)
        print(
            f"\nAPI, {args.clients} clients with keep-alive, {args.creates} requests each run",
            flush=True,
        )
        base = concurrent(port, seeded["token"], args.clients, args.creates, args.timeout, me)
        made = concurrent(port, seeded["token"], args.clients, args.creates, args.timeout, create)
        for label, r in (("GET /api/v1/me (baseline)", base), ("POST /api/v1/tickets", made)):
            print(
                f"  {label:<27} {r['done']:>6} ok  {len(r['errors'])} errors"
                f"{'  (time cap)' if r['capped'] else ''}  {r['seconds']:6.2f} s"
                f"  {r['rate']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms",
                flush=True,
            )
            for e in sorted(set(r["errors"]))[:3]:
                print(f"    error: {e[:100]}")
        if base["errors"] or made["errors"]:
            causes = [
                ln
                for ln in log.read_text(errors="replace").splitlines()
                if re.match(r"^[A-Za-z_.]+(Error|Exception)\b", ln)
            ]
            print("  server log: " + "; ".join(sorted(set(causes))[:5]), flush=True)
        if base["rate"]:
            print(f"  tickets/s ÷ /me req/s = {made['rate'] / base['rate']:.3f}", flush=True)

        # -- 3. the queue with many tickets ----------------------------------------------------
        added, clocks_added, secs = bulk_tickets(args.tickets)
        from baozhang.desk.models import Clock, Ticket

        unfinished = Ticket.objects.exclude(status__in=["resolved", "closed"]).count()
        print(
            f"\nqueue: {Ticket.objects.count():,} tickets ({unfinished:,} unfinished), "
            f"{Clock.objects.count():,} clocks; bulk insert of {added:,} tickets + "
            f"{clocks_added:,} clocks and ANALYZE in {secs:.1f} s",
            flush=True,
        )
        connection.close()

        def pages(title: str) -> dict[str, dict[str, Any]]:
            agent = sign_in(port, "agent", seeded["password"])
            api = Client(port, {"Authorization": f"Bearer {seeded['token']}"})
            anon = Client(port)
            targets = [
                ("GET /accounts/login/ (anonymous, baseline)", anon, "/accounts/login/"),
                ("GET / dashboard (agent)", agent, "/"),
                ("GET /desk/ queue page (agent)", agent, "/desk/"),
                ("GET /api/v1/tickets (agent token)", api, "/api/v1/tickets"),
            ]
            result = sequential(targets, args.requests, args.page_timeout)
            for c in (agent, api, anon):
                c.close()
            base_ms = result[targets[0][0]]["p50"] or 1.0
            print(f"\n{title}: one request at a time, {args.requests} rounds", flush=True)
            for label, r in result.items():
                print(
                    f"  {label:<44} n={r['n']:>4}"
                    + (f" bad={r['bad']}" if r["bad"] else "")
                    + f"  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
                    f"  p50 × baseline {r['p50'] / base_ms:6.1f}",
                    flush=True,
                )
            return result

        before = pages("latency, schema as migrated")

        # -- 5. the plan, and candidate indexes in this database only --------------------------
        def show(title: str, queries: list[tuple[str, str, list[Any]]]) -> float:
            print(f"\n{title}")
            first = 0.0
            for label, sql, params in queries:
                ms, lines = explain(sql, params)
                first = first or ms
                print(f"  {label}: {ms:.1f} ms (median of 5 EXPLAIN ANALYZE)")
                for ln in lines if args.explain else lines[: args.plan_lines]:
                    print(f"    {ln}")
            return first

        try:
            counts = queries_per_request()
            print(
                "\nqueries per request: " + ", ".join(f"{p} {n}" for p, n in counts.items()),
                flush=True,
            )
        except Exception as exc:  # the working tree may be mid-edit; the figures stand
            print(f"\nqueries per request: not counted ({type(exc).__name__}: {exc})")
        queries = queue_sql()
        show("EXPLAIN ANALYZE of the queue's queries:", queries)
        del before
    finally:
        stop_web(web)
        shutil.rmtree(home, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
