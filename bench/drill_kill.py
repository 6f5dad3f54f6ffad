"""Drill 1: kill -9 at random points, of the worker, the probe engine and the web role.

    .venv/bin/python bench/drill_kill.py [--rounds 50] [--database postgres|sqlite]

The three roles run as separate processes (`baozhang worker`, `baozhang probe`,
`baozhang web`) on one database (PostgreSQL: a scratch database on 127.0.0.1:5432,
created and dropped; SQLite: a fresh home), with an SMTP server (aiosmtpd) and a webhook
receiver on loopback and an HTTP target for the probe's monitors (one check a second
each). Two clients open tickets through the API all along. Each role is killed with
SIGKILL (its whole process group) `--rounds` times, each time at a random point between
0.2 s and `--max-delay` s after it is ready, then started again at once. At the end the
roles run undisturbed until the outbox is empty, and the drill checks:

- every ticket answered 201 is in the database, with its acknowledgement in the outbox
  (one message per customer channel, key desk:<id>:received:c<channel>);
- every outbox message is sent and arrived at its receiver; a message sent again after a
  kill (the receiver took it, the worker died before recording it) arrives with the same
  dedup key (Idempotency-Key / X-Baozhang-Dedup-Key), so repeats are counted and dropped
  by key;
- every check the target saw is stored, or was lost in the probe's memory at a kill (at
  most the last few seconds before it) and its monitor was checked again after the
  restart; no result is stored for a check the target never saw.

Prints the figures (and, with --json, one JSON line); exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _drill_support import (
    Role,
    Target,
    count_tracebacks,
    free_port,
    log_has,
    port_open,
    request,
    role_env,
    say,
    scratch_postgres,
    seed,
    setup_django,
    wait_for,
)

from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver

# A result is lost with the probe's memory only if it was taken within this long before
# the kill: the engine hands results to the store at least every second, and a batch
# being stored when the kill came is lost with it.
LOSS_WINDOW_S = 6.0
# A stored result's time is when its check started; the target sees it a moment later.
MATCH_S = 3.0


class Load:
    """Clients opening tickets through the API; records each 201's ticket id."""

    def __init__(self, port: int, token: str, clients: int) -> None:
        self.port = port
        self.token = token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: list[int] = []
        self.refused = 0  # no connection (the web role was down)
        self.cut = 0  # connection dropped mid-request (killed while answering)
        self.other: dict[int, int] = {}
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, index: int) -> None:
        n = 0
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        while not self.stop.is_set():
            n += 1
            body = json.dumps({"kind": "fault", "subject": f"drill {index}-{n}"}).encode()
            try:
                status, raw, _ = request(self.port, "POST", "/api/v1/tickets", body, headers)
            except ConnectionRefusedError:
                with self.lock:
                    self.refused += 1
                time.sleep(0.1)
                continue
            except OSError:
                with self.lock:
                    self.cut += 1
                continue
            with self.lock:
                if status == 201:
                    self.acknowledged.append(int(json.loads(raw)["id"]))
                else:
                    self.other[status] = self.other.get(status, 0) + 1
            time.sleep(0.05)

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def killer(
    role: Role,
    rounds: int,
    max_delay: float,
    ready: Any,
    kills: list[float],
    rng: random.Random,
    failures: list[str],
) -> None:
    """Start `role`, wait until it is ready, kill -9 it at a random point; `rounds` times."""
    for r in range(rounds):
        offset = role.log.stat().st_size if role.log.exists() else 0
        role.start()
        if not wait_for(lambda o=offset: ready(o), 120, 0.05):
            failures.append(f"{role.name} not ready within 120 s in round {r + 1}")
            role.kill9()
            return
        time.sleep(rng.uniform(0.2, max_delay))
        kills.append(time.time())
        role.kill9()


def check_probe(
    hits: dict[int, list[float]], stored: dict[int, list[float]], probe_kills: list[float]
) -> dict[str, Any]:
    seen = matched = lost = rerun = unmatched_stored = 0
    problems: list[str] = []
    for monitor, times in hits.items():
        times = sorted(times)
        results = sorted(stored.get(monitor, []))
        seen += len(times)
        used = [False] * len(times)
        for at in results:
            i = bisect.bisect_left(times, at - 0.05)
            while i < len(times) and (used[i] or times[i] < at - 0.05):
                i += 1
            if i < len(times) and times[i] - at <= MATCH_S:
                used[i] = True
                matched += 1
            else:
                unmatched_stored += 1
        for i, t in enumerate(times):
            if used[i]:
                continue
            kill = next((k for k in probe_kills if 0 <= k - t <= LOSS_WINDOW_S), None)
            if kill is None:
                problems.append(
                    f"monitor {monitor}: a check at {t:.3f} neither stored nor cut by a kill"
                )
                continue
            lost += 1
            if any(at > kill for at in results):
                rerun += 1
            else:
                problems.append(
                    f"monitor {monitor}: not checked again after the kill at {kill:.3f}"
                )
    if unmatched_stored:
        problems.append(f"{unmatched_stored} stored results match no check the target saw")
    return {
        "checks_seen_by_target": seen,
        "checks_stored": matched,
        "checks_lost_at_a_kill": lost,
        "lost_and_checked_again": rerun,
        "problems": problems[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="kills of each role")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--max-delay", type=float, default=3.0, help="latest kill point, s")
    parser.add_argument("--monitors", type=int, default=5)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--drain-timeout", type=float, default=300)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    home = tempfile.mkdtemp(prefix="bz-drill-kill-")
    with contextlib.ExitStack() as stack:
        pg = args.database == "postgres"
        url = stack.enter_context(scratch_postgres("kill")) if pg else ""
        smtp = stack.enter_context(SmtpReceiver())
        hook = stack.enter_context(WebhookReceiver())
        target = stack.enter_context(Target())
        env = role_env(url, home)
        setup_django(env)
        say(f"drill 1 on {args.database}: migrate and seed")
        seeded = seed(smtp.port, hook.url, target.base, args.monitors)
        port = free_port()
        logs = Path(home)
        roles = {
            "worker": Role("worker", ["worker", "--concurrency", "4"], env, logs / "worker.log"),
            "probe": Role("probe", ["probe"], env, logs / "probe.log"),
            "web": Role("web", ["web", "--port", str(port)], env, logs / "web.log"),
        }
        ready = {
            "worker": lambda off: log_has(roles["worker"], " running (", off),
            "probe": lambda off: log_has(roles["probe"], "probe engine", off),
            "web": lambda off: port_open(port),
        }
        kills: dict[str, list[float]] = {name: [] for name in roles}
        failures: list[str] = []
        say(
            f"{args.rounds} rounds: each role killed -9 at a random point 0.2–{args.max_delay} s "
            "after it is ready, then started again"
        )
        try:
            with Load(port, seeded["token"], args.clients) as load:
                threads = [
                    threading.Thread(
                        target=killer,
                        args=(
                            roles[n],
                            args.rounds,
                            args.max_delay,
                            ready[n],
                            kills[n],
                            random.Random(rng.random()),
                            failures,
                        ),
                    )
                    for n in roles
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                # the load goes on a little on the final web role
                roles["web"].start()
                wait_for(lambda: port_open(port), 120)
                time.sleep(2)
            say("rounds done; the roles run undisturbed until the outbox is empty")
            final_start = time.time()
            for name in ("worker", "probe"):
                roles[name].start()
            drained = wait_for(lambda: _outbox_pending() == 0, args.drain_timeout, 0.5)
            # the probe has checked every monitor again since its last start
            wait_for(lambda: _stored_since(seeded["monitors"], final_start + 1), 60, 0.5)
        finally:
            for role in roles.values():
                role.stop()
        time.sleep(1)  # the receivers finish recording what was in flight
        figures = verify(seeded, load, smtp, hook, target, kills, drained, failures)
        figures["database"] = args.database
        figures["rounds"] = args.rounds
        figures["tracebacks_in_role_logs"] = {
            n: count_tracebacks(r.log_text()) for n, r in roles.items()
        }
        figures["seconds"] = round(time.monotonic() - started)
        _close_django()
    report(figures)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["ok"] else 1


def _outbox_pending() -> int:
    from django.db import connection

    from baozhang.notify.models import Message, MessageStatus

    try:
        return Message.objects.exclude(status__in=[MessageStatus.SENT, MessageStatus.DEAD]).count()
    finally:
        connection.close()


def _stored_since(monitors: list[int], since: float) -> bool:
    import datetime as dt

    from django.db import connection

    from baozhang.monitoring.models import ProbeResult

    at = dt.datetime.fromtimestamp(since, dt.UTC)
    try:
        have = set(
            ProbeResult.objects.filter(monitor_id__in=monitors, at__gte=at)
            .values_list("monitor_id", flat=True)
            .distinct()
        )
    finally:
        connection.close()
    return have >= set(monitors)


def _close_django() -> None:
    from django.db import connections

    connections.close_all()


def verify(
    seeded: dict[str, Any],
    load: Load,
    smtp: SmtpReceiver,
    hook: WebhookReceiver,
    target: Target,
    kills: dict[str, list[float]],
    drained: bool,
    failures: list[str],
) -> dict[str, Any]:
    from collections import Counter

    from django.db.models import Q

    from baozhang.desk.models import Ticket
    from baozhang.monitoring.models import ProbeResult
    from baozhang.notify import errors as notify_errors
    from baozhang.notify.models import DeliveryAttempt, Message, MessageStatus

    problems = list(failures)
    if not drained:
        problems.append("the outbox did not empty in time")
    # tickets
    acked = set(load.acknowledged)
    present = set(Ticket.objects.filter(pk__in=acked).values_list("pk", flat=True))
    drill_tickets = set(
        Ticket.objects.filter(subject__startswith="drill ").values_list("pk", flat=True)
    )
    channels = seeded["channels"]
    ack_keys = {f"desk:{t}:received:c{c}" for t in acked for c in channels.values()}
    messages = dict(Message.objects.values_list("dedup_key", "status"))
    acks_missing = sorted(k for k in ack_keys if k not in messages)
    if present != acked:
        problems.append(f"{len(acked - present)} tickets answered 201 are missing")
    if acks_missing:
        problems.append(f"{len(acks_missing)} acknowledgements missing from the outbox")
    # notifications
    not_sent = Counter(s for s in messages.values() if s != MessageStatus.SENT)
    if not_sent:
        problems.append(f"outbox messages not sent: {dict(not_sent)}")
    by_channel = dict(Message.objects.values_list("dedup_key", "channel_id"))
    expected = {
        "email": {k for k, c in by_channel.items() if c == channels["email"]},
        "webhook": {k for k, c in by_channel.items() if c == channels["webhook"]},
    }
    arrived = {"email": smtp.keys(), "webhook": hook.keys()}
    notif: dict[str, Any] = {}
    for kind in ("email", "webhook"):
        keys = arrived[kind]
        missing = expected[kind] - set(keys)
        unknown = set(keys) - expected[kind]
        repeats = sum(keys.values()) - len(keys)
        notif[kind] = {
            "messages": len(expected[kind]),
            "arrived": sum(keys.values()),
            "distinct_keys": len(keys),
            "repeats_same_key": repeats,
            "keys_repeated": sum(1 for v in keys.values() if v > 1),
        }
        if missing:
            problems.append(f"{len(missing)} {kind} messages never arrived")
        if unknown or "" in keys:
            problems.append(f"{kind}: {len(unknown)} arrivals with a key not in the outbox")
    # An interrupted try is stored as its message of the catalogue (notify.errors), its
    # words said in the reader's language; rows written before as the glued text.
    was_interrupted = Q(error_id=notify_errors.INTERRUPTED) | Q(error__startswith="interrupted")
    interrupted = DeliveryAttempt.objects.filter(was_interrupted, ok=False).count()
    repeated = {k for kind in arrived.values() for k, n in kind.items() if n > 1}
    interrupted_keys = set(
        DeliveryAttempt.objects.filter(was_interrupted, ok=False).values_list(
            "message__dedup_key", flat=True
        )
    )
    if repeated - interrupted_keys:
        problems.append(f"{len(repeated - interrupted_keys)} repeats without an interrupted try")
    # probe
    stored: dict[int, list[float]] = {}
    for monitor, at in ProbeResult.objects.filter(
        monitor_id__in=seeded["monitors"], region="local"
    ).values_list("monitor_id", "at"):
        stored.setdefault(monitor, []).append(at.timestamp())
    probe = check_probe(target.snapshot(), stored, sorted(kills["probe"]))
    problems.extend(probe.pop("problems"))
    return {
        "ok": not problems,
        "problems": problems[:30],
        "kills": {n: len(k) for n, k in kills.items()},
        "tickets": {
            "answered_201": len(acked),
            "present": len(present),
            "with_acknowledgement_in_outbox": len(acked)
            - len({k.split(":")[1] for k in acks_missing}),
            "created_but_unanswered": len(drill_tickets - acked),
            "no_connection": load.refused,
            "cut_mid_request": load.cut,
            "other_statuses": load.other,
        },
        "notifications": {
            **notif,
            "outbox_total": len(messages),
            "outbox_sent": sum(1 for s in messages.values() if s == MessageStatus.SENT),
            "tries_interrupted_by_a_kill": interrupted,
        },
        "probe": probe,
    }


def report(f: dict[str, Any]) -> None:
    t, n, p = f["tickets"], f["notifications"], f["probe"]
    print()
    print(f"drill 1 (kill -9), {f['database']}, {f['rounds']} rounds, {f['seconds']} s")
    print(
        f"  kills: worker {f['kills']['worker']}, probe {f['kills']['probe']}, "
        f"web {f['kills']['web']}"
    )
    print(
        f"  tickets: {t['answered_201']} answered 201, {t['present']} present, "
        f"{t['with_acknowledgement_in_outbox']} with their acknowledgement in the outbox; "
        f"{t['created_but_unanswered']} stored but unanswered (killed while answering), "
        f"{t['no_connection']} requests found no server, {t['cut_mid_request']} cut mid-request"
    )
    for kind in ("email", "webhook"):
        k = n[kind]
        print(
            f"  {kind}: {k['messages']} messages, {k['arrived']} arrivals, "
            f"{k['distinct_keys']} distinct keys, {k['repeats_same_key']} repeats "
            f"(on {k['keys_repeated']} keys, each with the same key: dropped by key)"
        )
    print(
        f"  outbox: {n['outbox_sent']}/{n['outbox_total']} sent; "
        f"{n['tries_interrupted_by_a_kill']} tries recorded as interrupted by a kill"
    )
    print(
        f"  probe: {p['checks_seen_by_target']} checks seen by the target, "
        f"{p['checks_stored']} stored, {p['checks_lost_at_a_kill']} lost in memory at a kill, "
        f"{p['lost_and_checked_again']} of them checked again after the restart"
    )
    print(f"  tracebacks in the role logs: {f['tracebacks_in_role_logs']}")
    print(f"  result: {'OK' if f['ok'] else 'FAILED'}")
    for problem in f["problems"]:
        print(f"    - {problem}")


if __name__ == "__main__":
    sys.exit(main())
