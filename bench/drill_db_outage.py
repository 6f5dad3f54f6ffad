"""Drill 2: the database unavailable for `--seconds` under load.

    .venv/bin/python bench/drill_db_outage.py [--seconds 60]

The drill starts a PostgreSQL server of its own (initdb into a temporary folder, its own
loopback port; the shared server is never touched), migrates, and runs `baozhang web`,
`baozhang worker` and `baozhang probe` on it, with an SMTP server and a webhook receiver
and an HTTP target for the probe on loopback. Load, all along: API clients opening and
listing tickets, a signed-in client reading the queue page, an anonymous one reading the
status page, heartbeat pings (each failure ping carries a unique note), and `baozhang
mail-in` run with a new message every few seconds. After a warm-up the server is stopped
as a crash would stop it (`pg_ctl stop -m immediate`), left down for `--seconds`, and
started again. The drill checks:

- during the outage every answer of the web role is 503 with Retry-After: the API's JSON
  error, a page in the reader's language for pages, the heartbeat endpoint's refusal;
  never a 500, never a traceback in a body (the public status page may also be served
  from its 30-second cache);
- `mail-in` exits 75 (EX_TEMPFAIL) during the outage, so the MTA keeps the message;
- the worker and the probe log their backoff in a few lines (no traceback storm) and
  resume: the backlog is delivered, and the probe stores the results it kept in memory;
- afterwards nothing acknowledged is missing: every ticket answered 201, every heartbeat
  answered 200 and every message mail-in accepted (exit 0) is in the database, and every
  outbox message arrived.

Prints the figures (and, with --json, one JSON line); exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _drill_support import (
    REPO,
    OwnPostgres,
    Role,
    Target,
    count_tracebacks,
    free_port,
    log_has,
    port_open,
    request,
    role_env,
    say,
    seed,
    setup_django,
    wait_for,
)

from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver


class Answers:
    """Every answer the web role gave, by kind of request and phase."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.phase = "before"
        self.counts: dict[str, dict[str, dict[str, int]]] = {}
        self.bad: list[str] = []
        self.tickets: list[int] = []
        self.heartbeats: list[str] = []
        self.mails: list[tuple[str, int]] = []  # (Message-ID, exit status)

    def add(self, kind: str, status: int | str, problem: str = "", started: str = "") -> None:
        """Count an answer in its phase; one whose request began in an earlier phase (a
        mail-in that stored its message just before the stop and exited after it) counts
        under "edge", where only 500s, tracebacks and losses are judged."""
        with self.lock:
            phase = self.phase if started in ("", self.phase) else "edge"
            by_status = self.counts.setdefault(phase, {}).setdefault(kind, {})
            by_status[str(status)] = by_status.get(str(status), 0) + 1
            if problem and len(self.bad) < 50:
                self.bad.append(f"{phase} {kind}: {problem}")


def judge(kind: str, status: int, body: bytes, headers: dict[str, str]) -> str:
    """What is wrong with a 503 answer (empty: nothing), and any 500."""
    text = body.decode("utf-8", "replace")
    if status >= 500 and status != 503:
        return f"{status}: {text[:200]}"
    if "Traceback" in text:
        return "a traceback in the body"
    if status != 503:
        return ""
    if kind != "heartbeat" and not headers.get("retry-after"):
        return "503 without Retry-After"
    if kind.startswith("api"):
        try:
            error = json.loads(body)["error"]
        except (ValueError, KeyError):
            return f"503 not in the API's error shape: {text[:200]}"
        # The drill's clients send no Accept-Language: the site's default, Chinese.
        if "重试" not in error["message"]:
            return f"503 message not in the reader's language: {error['message']}"
    elif kind == "heartbeat":
        if "try again" not in text or "重试" not in text:
            return f"heartbeat refusal not bilingual: {text}"
    elif "暂时无法使用" not in text:
        return f"503 page not in the reader's language: {text[:200]}"
    return ""


def client_loop(
    answers: Answers, stop: threading.Event, port: int, kind: str, seeded: dict[str, Any]
) -> None:
    n = 0
    api = {"Authorization": f"Bearer {seeded['token']}", "Content-Type": "application/json"}
    while not stop.is_set():
        n += 1
        if kind == "api-create":
            body = json.dumps({"kind": "fault", "subject": f"outage drill {n}"}).encode()
            method, path, headers = "POST", "/api/v1/tickets", api
        elif kind == "api-list":
            method, path, headers, body = "GET", "/api/v1/tickets", api, None
        elif kind == "page-signed-in":
            headers = {"Cookie": f"sessionid={seeded['session']}"}
            method, path, body = "GET", "/desk/", None
        elif kind == "page-status":
            method, path, headers, body = "GET", "/status/", {}, None
        else:  # heartbeat: a failure ping carries a note we can find afterwards
            note = f"hb-{n}"
            method, path = "POST", f"/ping/{seeded['push_token']}/fail"
            headers, body = {"Content-Type": "text/plain"}, note.encode()
        started = answers.phase
        try:
            status, raw, got = request(port, method, path, body, headers, timeout=60)
        except OSError as exc:
            answers.add(kind, "no-answer", f"{type(exc).__name__}: {exc}", started)
            time.sleep(0.2)
            continue
        answers.add(kind, status, judge(kind, status, raw, got), started)
        if kind == "api-create" and status == 201:
            with answers.lock:
                answers.tickets.append(int(json.loads(raw)["id"]))
        if kind == "heartbeat" and status == 200:
            with answers.lock:
                answers.heartbeats.append(note)
        time.sleep(0.1 if kind == "heartbeat" else 0.2)


def mail_loop(
    answers: Answers, stop: threading.Event, env: dict[str, str], sender: str, every: float
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        message_id = f"<outage-drill-{n}-{time.time_ns()}@drill.example>"
        raw = (
            f"From: {sender}\r\nTo: support@drill.example\r\nSubject: outage drill mail {n}\r\n"
            f"Message-ID: {message_id}\r\nDate: Mon, 07 Dec 2026 10:00:00 +0800\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nplease help\r\n"
        ).encode()
        started = answers.phase
        proc = subprocess.run(
            [sys.executable, "-m", "baozhang", "mail-in"],
            input=raw,
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=120,
        )
        problem = ""
        if proc.returncode not in (0, 75):
            problem = f"exit {proc.returncode}: {proc.stderr.decode()[-300:]}"
        elif count_tracebacks(proc.stderr.decode()):
            problem = "a traceback on stderr"
        answers.add("mail-in", f"exit {proc.returncode}", problem, started)
        with answers.lock:
            answers.mails.append((message_id, proc.returncode))
        stop.wait(every)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the database is down")
    parser.add_argument("--warmup", type=float, default=8)
    parser.add_argument("--after", type=float, default=20, help="load after the restart, s")
    parser.add_argument("--mail-every", type=float, default=3)
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    home = tempfile.mkdtemp(prefix="bz-drill-outage-")
    server = OwnPostgres()
    try:
        say(f"drill 2: own PostgreSQL on 127.0.0.1:{server.port} ({server.bin})")
        server.init()
        with SmtpReceiver() as smtp, WebhookReceiver() as hook, Target() as target:
            env = role_env(server.url, home, LOG_LEVEL="INFO")
            setup_django(env)
            seeded = seed(smtp.port, hook.url, target.base, 3)
            figures = run(args, server, env, seeded, smtp, hook, Path(home))
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        server.remove()
    figures["seconds_total"] = round(time.monotonic() - started)
    report(figures)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["ok"] else 1


def run(
    args: Any,
    server: OwnPostgres,
    env: dict[str, str],
    seeded: dict[str, Any],
    smtp: SmtpReceiver,
    hook: WebhookReceiver,
    home: Path,
) -> dict[str, Any]:
    from django.db import connections

    port = free_port()
    roles = {
        "web": Role("web", ["web", "--port", str(port)], env, home / "web.log"),
        "worker": Role("worker", ["worker", "--concurrency", "4"], env, home / "worker.log"),
        "probe": Role("probe", ["probe"], env, home / "probe.log"),
    }
    for role in roles.values():
        role.start()
    problems: list[str] = []
    if not (
        wait_for(lambda: port_open(port), 120)
        and wait_for(lambda: log_has(roles["worker"], " running (", 0), 120)
        and wait_for(lambda: log_has(roles["probe"], "probe engine", 0), 120)
    ):
        problems.append("a role did not start")
    answers = Answers()
    stop = threading.Event()
    kinds = ["api-create", "api-create", "api-list", "page-signed-in", "page-status", "heartbeat"]
    threads = [
        threading.Thread(target=client_loop, args=(answers, stop, port, k, seeded)) for k in kinds
    ]
    threads.append(
        threading.Thread(
            target=mail_loop, args=(answers, stop, env, seeded["contact_email"], args.mail_every)
        )
    )
    offsets = {n: r.log.stat().st_size for n, r in roles.items()}
    for t in threads:
        t.start()
    try:
        time.sleep(args.warmup)
        connections.close_all()
        server.stop("immediate")
        # from here until the server is up again, the database is away
        with answers.lock:
            answers.phase = "outage"
        down_at = time.time()
        say(f"database stopped (pg_ctl stop -m immediate) for {args.seconds:.0f} s")
        time.sleep(args.seconds)
        # From the start command on, the server may accept connections at any moment (its
        # recovery takes a few seconds): answers from here on count as "after", where 503
        # is still allowed and success is expected.
        with answers.lock:
            answers.phase = "after"
        up_at = time.time()
        server.start()
        say(f"database started again (ready {time.time() - up_at:.1f} s after the start command)")
        time.sleep(args.after)
    finally:
        stop.set()
        for t in threads:
            t.join(180)
    recovered = recovery(answers, up_at, seeded, smtp, hook)
    drained = wait_for(lambda: _pending() == 0, args.drain_timeout, 0.5)
    if not drained:
        problems.append("the outbox did not empty after the outage")
    for role in roles.values():
        role.stop()
    time.sleep(1)
    logs = {n: _since(r, offsets[n]) for n, r in roles.items()}
    figures = verify(answers, seeded, smtp, hook, down_at, up_at, problems)
    figures["outage_seconds"] = round(up_at - down_at, 1)
    figures["recovery_seconds"] = recovered
    figures["role_logs"] = {
        n: {
            "tracebacks": count_tracebacks(text),
            "lines": text.count("\n"),
            "outage_lines": sum(
                1
                for line in text.splitlines()
                if "unavailable" in line or "failed" in line or "again" in line
            ),
        }
        for n, text in logs.items()
    }
    for name, counts in figures["role_logs"].items():
        if counts["tracebacks"]:
            figures["problems"].append(f"{counts['tracebacks']} tracebacks in the {name} log")
    figures["ok"] = not figures["problems"]
    return figures


def _since(role: Role, offset: int) -> str:
    with role.log.open("rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def _pending() -> int:
    from django.db import connection

    from baozhang.notify.models import Message, MessageStatus

    try:
        return Message.objects.exclude(status__in=[MessageStatus.SENT, MessageStatus.DEAD]).count()
    except Exception:
        return -1
    finally:
        connection.close()


def recovery(
    answers: Answers,
    up_at: float,
    seeded: dict[str, Any],
    smtp: SmtpReceiver,
    hook: WebhookReceiver,
) -> dict[str, float | None]:
    """Seconds from the restart to the first stored result of each role's work."""
    from django.db import connection

    from baozhang.desk.models import Ticket
    from baozhang.monitoring.models import ProbeResult
    from baozhang.notify.models import Message

    up = dt.datetime.fromtimestamp(up_at, dt.UTC)

    def first(qs: Any, field: str) -> float | None:
        row = qs.order_by(field).values_list(field, flat=True).first()
        return None if row is None else round(row.timestamp() - up_at, 1)

    try:
        return {
            "web_first_ticket": first(Ticket.objects.filter(created_at__gte=up), "created_at"),
            "heartbeat_first_stored": first(
                ProbeResult.objects.filter(monitor_id=seeded["push"], region="push", at__gte=up),
                "at",
            ),
            "worker_first_sent": first(Message.objects.filter(sent_at__gte=up), "sent_at"),
        }
    finally:
        connection.close()


def verify(
    answers: Answers,
    seeded: dict[str, Any],
    smtp: SmtpReceiver,
    hook: WebhookReceiver,
    down_at: float,
    up_at: float,
    problems: list[str],
) -> dict[str, Any]:
    from baozhang.desk.models import Ticket
    from baozhang.mailin.models import InboundMessage
    from baozhang.monitoring.models import ProbeResult
    from baozhang.notify.models import Message, MessageStatus

    problems = problems + answers.bad
    outage = answers.counts.get("outage", {})
    for kind, by_status in outage.items():
        if kind == "mail-in":
            if set(by_status) - {"exit 75"}:
                problems.append(f"mail-in during the outage: {by_status}")
        elif kind == "page-status":
            # the public status page may be served from its 30-second cache
            if set(by_status) - {"503", "200"}:
                problems.append(f"{kind} during the outage: {by_status}")
        elif set(by_status) - {"503"}:
            problems.append(f"{kind} during the outage: {by_status}")
    for kind in ("api-create", "api-list", "page-signed-in", "heartbeat", "mail-in"):
        if kind not in outage:
            problems.append(f"no {kind} request was made during the outage")
    tickets = set(answers.tickets)
    present = set(Ticket.objects.filter(pk__in=tickets).values_list("pk", flat=True))
    if tickets - present:
        problems.append(f"{len(tickets - present)} tickets answered 201 are missing")
    notes = set(answers.heartbeats)
    stored_notes = set(
        ProbeResult.objects.filter(monitor_id=seeded["push"], region="push").values_list(
            "error", flat=True
        )
    )
    if notes - stored_notes:
        problems.append(f"{len(notes - stored_notes)} heartbeats answered 200 are missing")
    accepted = {m for m, code in answers.mails if code == 0}
    deferred = [m for m, code in answers.mails if code == 75]
    accepted = {m.strip("<>") for m in accepted}
    stored_mails = {
        m.strip("<>")
        for m in InboundMessage.objects.filter(
            email_message_id__in=accepted | {f"<{m}>" for m in accepted}
        ).values_list("email_message_id", flat=True)
    }
    if accepted - stored_mails:
        problems.append(f"{len(accepted - stored_mails)} mails accepted by mail-in are missing")
    messages = dict(Message.objects.values_list("dedup_key", "status"))
    unsent = [k for k, s in messages.items() if s != MessageStatus.SENT]
    arrived = set(smtp.keys()) | set(hook.keys())
    if unsent:
        problems.append(f"{len(unsent)} outbox messages not sent")
    if set(messages) - arrived:
        problems.append(f"{len(set(messages) - arrived)} outbox messages never arrived")
    down = dt.datetime.fromtimestamp(down_at, dt.UTC)
    up = dt.datetime.fromtimestamp(up_at, dt.UTC)
    kept = ProbeResult.objects.filter(
        monitor_id__in=seeded["monitors"], region="local", at__gte=down, at__lt=up
    ).count()
    after = ProbeResult.objects.filter(
        monitor_id__in=seeded["monitors"], region="local", at__gte=up
    ).count()
    if not after:
        problems.append("the probe stored nothing after the outage")
    return {
        "ok": not problems,
        "problems": problems[:40],
        "answers": answers.counts,
        "acknowledged": {
            "tickets_201": len(tickets),
            "tickets_present": len(present),
            "heartbeats_200": len(notes),
            "heartbeats_present": len(notes & stored_notes),
            "mails_accepted": len(accepted),
            "mails_present": len(stored_mails),
            "mails_deferred_75": len(deferred),
        },
        "outbox": {
            "messages": len(messages),
            "sent": len(messages) - len(unsent),
            "arrived_keys": len(arrived & set(messages)),
        },
        "probe": {
            "results_taken_during_outage_stored_after": kept,
            "results_after_restart": after,
        },
    }


def report(f: dict[str, Any]) -> None:
    print()
    print(
        f"drill 2 (database down {f.get('outage_seconds')} s under load), "
        f"{f['seconds_total']} s in all"
    )
    for phase in ("before", "outage", "edge", "after"):
        counts = f["answers"].get(phase, {})
        line = "; ".join(
            f"{kind} " + ", ".join(f"{s}×{n}" for s, n in sorted(by.items()))
            for kind, by in sorted(counts.items())
        )
        print(f"  {phase}: {line}")
    a = f["acknowledged"]
    print(
        f"  acknowledged and present: tickets {a['tickets_present']}/{a['tickets_201']}, "
        f"heartbeats {a['heartbeats_present']}/{a['heartbeats_200']}, "
        f"mails {a['mails_present']}/{a['mails_accepted']} "
        f"({a['mails_deferred_75']} deferred with exit 75)"
    )
    o, p = f["outbox"], f["probe"]
    print(f"  outbox: {o['sent']}/{o['messages']} sent, {o['arrived_keys']} arrived")
    print(
        f"  probe: {p['results_taken_during_outage_stored_after']} results taken during the "
        f"outage stored after it, {p['results_after_restart']} after the restart"
    )
    print(f"  recovery after the restart (s): {f['recovery_seconds']}")
    print(f"  role logs during the drill: {f['role_logs']}")
    print(f"  result: {'OK' if f['ok'] else 'FAILED'}")
    for problem in f["problems"]:
        print(f"    - {problem}")


if __name__ == "__main__":
    sys.exit(main())
