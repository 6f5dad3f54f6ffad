"""The web role against a bare Django view, side by side in one run (issue 17).

    python bench/bench_web.py            # 5 s per load run, 2 rounds, 100,000 tickets
    python bench/bench_web.py --quick    # 2 s, 1 round, 10,000 tickets, fewer candidates
    python bench/bench_web.py --short --json   # 1 s, 1 round, 1,000 tickets, the web role
                                               # only, Python load generator; figures as
                                               # one JSON line (the test)

On a fresh PostgreSQL database (BENCH_WEB_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/baozhang_bench_web, dropped and re-created):

1. the baseline: a JSON "hello" of a bare Django project (Django's own middleware, no
   database; bench/_bare_django.py) under `gunicorn -w 2`;
2. the serving candidates, each with two processes: how the web role served before
   (uvicorn ASGI, a new database connection per request), uvicorn with psycopg's pool,
   gunicorn sync and gthread workers with persistent connections (WSGI), and what
   `baozhang web --workers 2` runs now. Each is loaded with `GET /api/v1/me` (token,
   trivial), `POST /api/v1/tickets` and `GET /accounts/login/`, 16 connections (wrk -t2
   -c16 when wrk is installed, else a Python load generator: threads with keep-alive,
   bounded in time and count). Every figure is given as a ratio to the baseline of the
   same round; rounds alternate baseline and candidates so drift hits all alike;
3. every ticket answered 201 must be stored with its two clocks and its acknowledgement
   in the outbox;
4. `baozhang web --workers 2`: the queue page /desk/ at `--tickets` tickets with 8 agents
   loading it at once (p50/p99); 200 concurrent connections on /api/v1/me (error answers,
   the most PostgreSQL connections seen, the bound); heartbeats at 64 connections with
   the answers counted by status;
5. outbox delivery to a webhook on loopback with two workers (bench_outbox.run_once): msg/s
   and the TCP connections the receiver accepted; with BENCH_WEB_BEFORE_TREE, that
   checkout's workers first and the ratio.

Exit 0 and "skipped" when PostgreSQL does not answer. Loopback only; every server is
stopped in any case.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import bench_desk as desk  # noqa: E402

desk.PG_URL = os.environ.get(
    "BENCH_WEB_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/baozhang_bench_web"
)
HOST = "127.0.0.1"
WRK = shutil.which("wrk")
BIN = Path(sys.executable).parent

# -- servers -----------------------------------------------------------------------------------

# How each candidate is started: argv (with {port}) and extra environment. All have two
# processes, as `baozhang web --workers 2`.
UVICORN = [str(BIN / "uvicorn"), "baozhang.asgi:application", "--workers", "2"]
UVICORN += ["--lifespan", "off", "--no-access-log", "--log-level", "warning"]
UVICORN += ["--host", HOST, "--port", "{port}"]
GUNICORN = [str(BIN / "gunicorn"), "baozhang.wsgi:application", "-w", "2"]
GUNICORN += ["-b", f"{HOST}:{{port}}", "--log-level", "warning"]
WEB = [sys.executable, "-m", "baozhang", "web", "--workers", "2", "--host", HOST]
WEB += ["--port", "{port}"]
PERSISTENT = {"DATABASE_POOL_MAX": "0", "DATABASE_CONN_MAX_AGE": "600"}
CANDIDATES: dict[str, tuple[list[str], dict[str, str]]] = {
    "before: uvicorn, a connection per request": (
        UVICORN,
        {"DATABASE_POOL_MAX": "0", "DATABASE_CONN_MAX_AGE": "0"},
    ),
    "uvicorn, psycopg pool ≤ 8 a process": (UVICORN, {"DATABASE_POOL_MAX": "8"}),
    "gunicorn sync, persistent connections": (GUNICORN, PERSISTENT),
    "gunicorn gthread ×4, persistent connections": (
        [*GUNICORN, "-k", "gthread", "--threads", "4"],
        PERSISTENT,
    ),
    "now: baozhang web --workers 2": (WEB, {}),
}
NOW = "now: baozhang web --workers 2"
QUICK = ("before: uvicorn, a connection per request", NOW)
# The web role of another checkout (e.g. the commit before issue 17), run in the same
# round: BENCH_WEB_BEFORE_TREE=/path/to/that/checkout.
BEFORE_TREE = os.environ.get("BENCH_WEB_BEFORE_TREE", "")
BEFORE = "start commit: baozhang web --workers 2"
BARE_ARGV = [str(BIN / "gunicorn"), "-w", "2", "-b", f"{HOST}:{{port}}"]
BARE_ARGV += ["--log-level", "warning", "--chdir", str(HERE), "_bare_django:application"]


def start(
    argv: list[str], env: dict[str, str], log: Path, cwd: Path = REPO, ready: str = "/healthz"
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server and wait until `ready` answers 200 several times in a row (uvicorn
    binds the port before its processes have loaded the application)."""
    port = desk.free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [a.replace("{port}", str(port)) for a in argv],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    answered = 0
    while time.monotonic() < deadline and answered < 8:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request("GET", ready)
            answered = answered + 1 if conn.getresponse().status == 200 else 0
            conn.close()
        except OSError:
            answered = 0
            time.sleep(0.2)
    if answered < 8:
        stop(proc)
        raise RuntimeError(f"{argv[0]} was not ready within 90 s")
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


# -- load --------------------------------------------------------------------------------------

LUA = """\
local statuses = {}
local threads = {}
wrk.method = "%(method)s"
wrk.body = %(body)s
%(headers)s
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        local c = t:get("counts")
        for s, n in pairs(c) do total[s] = (total[s] or 0) + n end
    end
    for s, n in pairs(total) do io.write(string.format("STATUS %%d %%d\\n", s, n)) end
    io.write(string.format("P50 %%d\\nP99 %%d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def load(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: float = 5.0,
    max_requests: int = 200_000,
) -> dict[str, Any]:
    """`connections` keep-alive connections for `seconds`: answers by status, the rate of
    answers with a status below 400, p50 and p99 in ms, transport errors."""
    headers = dict(headers or {})
    if WRK:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(
                LUA
                % {
                    "method": method,
                    "body": _lua_string(body) if body else "nil",
                    "headers": "\n".join(
                        f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}"
                        for k, v in headers.items()
                    ),
                }
            )
            script = f.name
        try:
            out = subprocess.run(
                [
                    WRK,
                    f"-t{min(2, connections)}",
                    f"-c{connections}",
                    f"-d{seconds:g}s",
                    *("--timeout", "10s", "-s", script, f"http://{HOST}:{port}{path}"),
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
            )
        finally:
            os.unlink(script)
        text = out.stdout
        statuses = {int(s): int(n) for s, n in re.findall(r"^STATUS (\d+) (\d+)$", text, re.M)}
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        errors = sum(int(x) for x in m.groups()) if m else 0
        m = re.search(r"requests in ([\d.]+)(m?s)", text)
        secs = float(m.group(1)) / (1000 if m and m.group(2) == "ms" else 1) if m else seconds
        p50 = float(re.search(r"^P50 (\d+)$", text, re.M).group(1)) / 1000  # type: ignore[union-attr]
        p99 = float(re.search(r"^P99 (\d+)$", text, re.M).group(1)) / 1000  # type: ignore[union-attr]
        good = sum(n for s, n in statuses.items() if s < 400)
        return {
            "statuses": statuses,
            "errors": errors,
            "rate": good / secs,
            "p50": p50,
            "p99": p99,
            "tool": "wrk",
        }
    return _python_load(port, path, method, body, headers, connections, seconds, max_requests)


def _python_load(
    port: int,
    path: str,
    method: str,
    body: str,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    max_requests: int,
) -> dict[str, Any]:
    """The fallback load generator: one thread per connection, bounded by time and count."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = [0]
    sent = [0]
    deadline = time.monotonic() + seconds
    data = body.encode() if body else None

    # The client keeps a cookie jar that replaces a Cookie header once the server sets a
    # cookie (the language, CSRF): the session goes into the jar instead.
    cookie = headers.pop("Cookie", "")

    def run() -> None:
        client = desk.Client(port, headers)
        for pair in filter(None, (p.strip() for p in cookie.split(";"))):
            name, _, value = pair.partition("=")
            client.cookies[name] = value
        try:
            while time.monotonic() < deadline:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                t0 = time.perf_counter()
                try:
                    status, _ = client.request(method, path, data)
                except Exception:
                    with lock:
                        errors[0] += 1
                    continue
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    latencies.append((time.perf_counter() - t0) * 1000)
        finally:
            client.close()

    threads = [threading.Thread(target=run) for _ in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    good = sum(n for s, n in statuses.items() if s < 400)
    return {
        "statuses": statuses,
        "errors": errors[0],
        "rate": good / secs if secs else 0.0,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p99": desk.pct(latencies, 99) if latencies else 0.0,
        "tool": "python",
    }


def bad(result: dict[str, Any], ok: tuple[int, ...]) -> int:
    """Answers that are not in `ok`, and transport errors."""
    return result["errors"] + sum(n for s, n in result["statuses"].items() if s not in ok)


# -- PostgreSQL connections ----------------------------------------------------------------------


class ConnectionWatch:
    """Samples the bench database's connections in pg_stat_activity every 50 ms."""

    def __init__(self) -> None:
        import psycopg

        base, _, self.name = desk.PG_URL.rpartition("/")
        self.conn = psycopg.connect(f"{base}/postgres", autocommit=True)
        self.most = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            (n,) = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name]
            ).fetchone()  # type: ignore[misc]
            self.most = max(self.most, int(n))
            self._stop.wait(0.05)

    def __enter__(self) -> ConnectionWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.conn.close()


# -- the run -------------------------------------------------------------------------------------


def ticket_body(customer_id: int) -> str:
    return json.dumps(
        {
            "kind": "fault",
            "subject": "bench_web ticket / 压测工单",
            "description": "Created by bench/bench_web.py",
            "customer_id": customer_id,
            "priority": "P2",
        }
    )


def check_tickets(created: int) -> dict[str, Any]:
    """Every ticket the API answered 201 is stored with its clocks and acknowledgement."""
    from baozhang.desk.models import Clock, Ticket
    from baozhang.notify.models import Message

    ids = list(
        Ticket.objects.filter(subject="bench_web ticket / 压测工单").values_list("pk", flat=True)
    )
    no_clocks = (
        len(ids) - Clock.objects.filter(ticket_id__in=ids).values("ticket_id").distinct().count()
    )
    # The acknowledgement: "desk:<ticket>:received:c<channel>" on the customer's channel.
    acknowledged = {
        int(k.split(":")[1])
        for k in Message.objects.filter(dedup_key__regex=r"^desk:[0-9]+:received:").values_list(
            "dedup_key", flat=True
        )
    }
    missing_ack = sum(1 for pk in ids if pk not in acknowledged)
    verdict = "ok" if len(ids) >= created and not no_clocks and not missing_ack else "FAILED"
    return {
        "answered_201": created,
        "stored": len(ids),
        "without_clocks": no_clocks,
        "without_acknowledgement": missing_ack,
        "ok": verdict == "ok",
        "text": f"tickets answered 201: {created:,}; stored: {len(ids):,}; without clocks:"
        f" {no_clocks}; without acknowledgement: {missing_ack} → {verdict}",
    }


def _run_figures(
    name: str, key: str, r: dict[str, Any], ok: tuple[int, ...], bare: dict[str, Any]
) -> dict[str, Any]:
    return {
        "candidate": name,
        "load": key,
        "statuses": {str(s): n for s, n in r["statuses"].items()},
        "errors": r["errors"],
        "bad": bad(r, ok),
        "rate": r["rate"],
        "ratio": r["rate"] / bare["rate"] if bare["rate"] else 0.0,
        "p99_ms": r["p99"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per load run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", action="append", help="candidates whose label contains this")
    parser.add_argument(
        "--short", action="store_true", help="the test's form: 1 s, 1 round, 1,000 tickets"
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    names = list(CANDIDATES)
    if BEFORE_TREE:
        names.insert(0, BEFORE)
        CANDIDATES[BEFORE] = (WEB, {"PYTHONPATH": BEFORE_TREE})
    if args.quick:
        args.seconds, args.rounds, args.tickets = 2, 1, 10_000
        names = list(QUICK)
    if args.short:
        # The Python load generator: it waits for the answers in flight when time is up,
        # so that each connection is answered at least once however busy the machine.
        global WRK
        args.seconds, args.rounds, args.tickets, WRK = 1, 1, 1_000, None
        names = [NOW]
    if args.only:
        names = [n for n in names if any(o in n for o in args.only)]

    pg_version = desk.fresh_postgres()
    if pg_version is None:
        return 0
    home = tempfile.mkdtemp(prefix="bz-bench-web-")
    desk.setup_django(home)
    from django.core.management import call_command
    from django.db import connection

    print(desk.machine(pg_version), flush=True)
    print(
        f"load: {'wrk -t2 -c16' if WRK else 'Python threads, 16 connections'}, "
        f"{args.seconds:g} s a run, {args.rounds} round(s)",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    seeded = desk.seed_people(20)
    _customer_channel(seeded["customer_ids"][0])
    connection.close()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": desk.PG_URL,
        "BAOZHANG_HOME": home,
    }
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    post = {**auth, "Content-Type": "application/json"}
    body = ticket_body(seeded["customer_ids"][0])
    log = Path(home) / "servers.log"
    created = 0
    results: dict[str, dict[str, list[float]]] = {}
    # What the test reads (--json): per load run its answers by status and transport errors.
    figures: dict[str, Any] = {"runs": [], "seconds": args.seconds}
    try:
        for rnd in range(args.rounds):
            print(f"\nround {rnd + 1}", flush=True)
            bare_proc, bare_port = start(BARE_ARGV, env, log, ready="/hello")
            try:
                load(bare_port, "/hello", seconds=1)
                bare = load(bare_port, "/hello", seconds=args.seconds)
            finally:
                stop(bare_proc)
            print(
                f"  {'bare Django view, gunicorn -w 2':<46} {bare['rate']:8.0f} req/s  1",
                flush=True,
            )
            figures["runs"].append(_run_figures("bare", "hello", bare, (200,), bare))
            for name in names:
                argv, extra = CANDIDATES[name]
                before = name == BEFORE  # the start commit has no /healthz
                cwd, ready = (
                    (Path(BEFORE_TREE), "/accounts/login/") if before else (REPO, "/healthz")
                )
                proc, port = start(argv, {**env, **extra}, log, cwd, ready)
                try:
                    load(port, "/api/v1/me", headers=auth, seconds=2)  # warm up
                    load(port, "/accounts/login/", seconds=1)
                    me = load(port, "/api/v1/me", headers=auth, seconds=args.seconds)
                    made = load(
                        port,
                        "/api/v1/tickets",
                        method="POST",
                        body=body,
                        headers=post,
                        seconds=args.seconds,
                    )
                    login = load(port, "/accounts/login/", seconds=args.seconds)
                finally:
                    stop(proc)
                created += made["statuses"].get(201, 0)
                row = results.setdefault(name, {"me": [], "tickets": [], "login": []})
                for key, r, ok in (
                    ("me", me, (200,)),
                    ("tickets", made, (201,)),
                    ("login", login, (200,)),
                ):
                    row[key].append(r["rate"] / bare["rate"])
                    figures["runs"].append(_run_figures(name, key, r, ok, bare))
                    errs = bad(r, ok)
                    print(
                        f"  {name[:46]:<46} {key:<8} {r['rate']:7.0f}/s"
                        f"  ×bare {r['rate'] / bare['rate']:.3f}"
                        f"  p99 {r['p99']:6.1f} ms"
                        + (f"  NOT OK: {errs} {r['statuses']}" if errs else ""),
                        flush=True,
                    )
        print(
            "\nsummary: rate ÷ bare Django view of the same round (median of rounds); "
            "goals /me ≥ 0.25, tickets ≥ 0.125"
        )
        for name, row in results.items():
            me, tickets, login = (statistics.median(row[k]) for k in ("me", "tickets", "login"))
            print(f"  {name:<46} /me {me:.3f}  tickets {tickets:.3f}  login {login:.3f}")
        stored = check_tickets(created)
        figures["tickets"] = stored
        print("  " + stored["text"], flush=True)

        # -- the web role as shipped: queue, 200 connections, heartbeats ------------------------
        _added, _clocks, secs = desk.bulk_tickets(args.tickets)
        from baozhang.desk.models import Ticket

        print(
            f"\nqueue at {Ticket.objects.count():,} tickets (bulk insert {secs:.0f} s)", flush=True
        )
        tokens = _push_tokens(100)
        connection.close()
        argv, extra = CANDIDATES["now: baozhang web --workers 2"]
        proc, port = start(argv, {**env, **extra}, log)
        try:
            agents = [desk.sign_in(port, "agent", seeded["password"]) for _ in range(8)]
            cookie = "; ".join(f"{k}={v}" for k, v in agents[0].cookies.items())
            for a in agents:
                a.close()
            load(port, "/desk/", headers={"Cookie": cookie}, connections=8, seconds=1)
            q = load(
                port, "/desk/", headers={"Cookie": cookie}, connections=8, seconds=args.seconds * 2
            )
            figures["queue"] = {
                "tickets": args.tickets,
                **_run_figures("now", "queue", q, (200,), q),
                "p50_ms": q["p50"],
            }
            print(
                f"  GET /desk/ queue page, 8 agents at once: {q['rate']:.0f} pages/s"
                f"  p50 {q['p50']:.1f} ms  p99 {q['p99']:.1f} ms (goal < 100)"
                + (f"  NOT OK {q['statuses']}" if bad(q, (200,)) else ""),
                flush=True,
            )
            with ConnectionWatch() as watch:
                # At least 5 s: with 200 connections each must have its turn (wrk counts
                # only the answers that arrive before the end).
                many = load(
                    port,
                    "/api/v1/me",
                    headers=auth,
                    connections=200,
                    seconds=max(args.seconds, 5),
                )
            # The bound docs/deploy.md states: processes × DATABASE_POOL_MAX (each
            # process's heartbeat writer takes its connection from the pool too).
            bound = 2 * int(os.environ.get("DATABASE_POOL_MAX", "8"))
            figures["connections_200"] = {
                **_run_figures("now", "me", many, (200,), many),
                "postgres_connections_most": watch.most,
                "bound": bound,
            }
            print(
                f"  200 connections on /api/v1/me: {many['rate']:.0f} req/s, error answers"
                f" {bad(many, (200,))}, PostgreSQL connections at most {watch.most}"
                f" (bound {bound}: 2 processes × pool)",
                flush=True,
            )
            hb = _heartbeats(port, tokens, args.seconds)
            figures["heartbeats"] = _run_figures("now", "ping", hb, (200, 503), hb)
            print(
                f"  heartbeats, 64 connections: {hb['rate']:.0f} pings/s answered 200,"
                f" statuses {hb['statuses']}, transport errors {hb['errors']},"
                f" p99 {hb['p99']:.0f} ms",
                flush=True,
            )
        finally:
            stop(proc)
        figures["outbox"] = _outbox(500 if args.quick else 200 if args.short else 3000)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(figures), flush=True)
    return 0


def _customer_channel(customer_id: int) -> None:
    """A webhook channel for the customer the bench opens tickets for, so that each ticket
    writes its acknowledgement to the outbox (no worker runs: it stays there)."""
    from baozhang.notify.models import Channel

    Channel.objects.create(
        organisation_id=customer_id,
        name="bench acknowledgements",
        kind="webhook",
        config={"webhook_url": "http://127.0.0.1:9/bench", "webhook_headers": {}},
    )


def _push_tokens(n: int) -> list[str]:
    from baozhang.monitoring.models import Monitor, MonitorKind

    tokens = [f"benchweb-{i:04d}-{'x' * 20}" for i in range(n)]
    Monitor.objects.bulk_create(
        [
            Monitor(
                name=f"bench push {i:04d}",
                kind=MonitorKind.PUSH,
                push_token=t,
                push_period_s=60,
                push_grace_s=60,
            )
            for i, t in enumerate(tokens)
        ]
    )
    return tokens


def _heartbeats(port: int, tokens: list[str], seconds: float) -> dict[str, Any]:
    """Pings over 64 connections, one token per connection in turn (wrk: the first token
    for all, the Python generator likewise)."""
    return load(port, f"/ping/{tokens[0]}", connections=64, seconds=seconds)


def _outbox(n: int) -> dict[str, Any]:
    """Outbox → webhook on loopback, two workers on PostgreSQL (bench_outbox.run_once); with
    BENCH_WEB_BEFORE_TREE the other checkout's workers first, in the same run."""
    import bench_outbox

    out: dict[str, Any] = {"messages": n}
    runs = [("before", Path(BEFORE_TREE))] if BEFORE_TREE else []
    for label, tree in [*runs, ("now", REPO)]:
        r = bench_outbox.run_once("postgresql", 2, n, 120, tree)
        if not r:
            return out
        out[label] = r
        print(
            f"{'' if runs and label == 'now' else chr(10)}outbox → webhook on loopback,"
            f" 2 workers ({label}): {r['delivered']}/{n} delivered, duplicates"
            f" {r['duplicates']}, {r['connections']} connections, {r['rate']:.0f} msg/s"
            f" (goal ≥ 1,000)",
            flush=True,
        )
    if runs and out["before"]["rate"]:
        out["ratio"] = out["now"]["rate"] / out["before"]["rate"]
        print(f"  outbox now / before: {out['ratio']:.1f} ×", flush=True)
    # The figures of this checkout stay at the top level, as before.
    out.update(out["now"])
    return out


if __name__ == "__main__":
    sys.exit(main())
