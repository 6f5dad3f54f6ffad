"""Outbox delivery rate: messages per second from the outbox to a webhook receiver on
loopback, with one and with two worker processes (each `worker --concurrency 4`), on
SQLite and, when it is reachable, on PostgreSQL.

    python bench/bench_outbox.py [-n 2000] [--timeout 180] [--no-postgres]
    python bench/bench_outbox.py --before /tmp/wt-old   # the same runs with another
                                                         # checkout's worker, alternating

The rate is measured at the receiver, from the first arrival to the last, so process
start-up is not counted; the receiver also counts the TCP connections it accepted (a
sender that keeps its connection opens one per channel and sender thread). Every run uses
a fresh database, migrated, seeded and worked by the code of the checkout under test; the
receiver is this checkout's. With --before, each line is run for the other checkout
first, then for this one, and the ratio is printed. Settings: DJANGO_SETTINGS_MODULE
(default baozhang.settings); PostgreSQL at BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/baozhang_bench, dropped and re-created).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from baozhang.notify.tests.receivers import WebhookReceiver  # noqa: E402

SETTINGS = os.environ.get("DJANGO_SETTINGS_MODULE", "baozhang.settings")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/baozhang_bench")


def _env(extra: dict[str, str], tree: Path = REPO) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]),
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "LOG_LEVEL": "WARNING",
            "NOTIFY_SEND_TIMEOUT_SECONDS": "5",
            # The receiver listens on loopback, which notifications refuse unless allowed.
            "BAOZHANG_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
            **extra,
        }
    )
    return env


def seed(n: int, url: str) -> None:
    """(Runs in a subprocess with Django set up.) One organisation, one webhook channel,
    `n` pending messages."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from baozhang.accounts.models import Organisation
    from baozhang.notify.channels import clean_config
    from baozhang.notify.models import Channel, Message
    from baozhang.notify.rendering import render

    with transaction.atomic():
        org = Organisation.objects.create(name="Bench customer")
        channel = Channel.objects.create(
            organisation=org,
            name="bench",
            kind="webhook",
            config=clean_config("webhook", {"webhook_url": url}),
        )
        subject, body = render("test", "zh-hans", {"channel_name": "bench", "actor": "bench"})
        now = timezone.now()
        Message.objects.bulk_create(
            [
                Message(
                    dedup_key=f"bench:{i}",
                    channel=channel,
                    organisation=org,
                    template_key="test",
                    language="zh-hans",
                    subject=subject,
                    body=body,
                    next_attempt_at=now,
                )
                for i in range(n)
            ],
            batch_size=500,
        )


def _fresh_postgres() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = PG_URL.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"  PostgreSQL not reachable ({type(exc).__name__}); skipped")
        return False
    return True


def run_once(
    backend: str, workers: int, n: int, timeout: float, tree: Path = REPO
) -> dict[str, Any]:
    """Deliver `n` messages with `workers` worker processes of the checkout at `tree`."""
    with tempfile.TemporaryDirectory(prefix="bz-bench-") as home:
        extra = {"BAOZHANG_HOME": home}
        if backend == "postgresql":
            if not _fresh_postgres():
                return {}
            extra["DATABASE_URL"] = PG_URL
        env = _env(extra, tree)
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, cwd=tree, check=True
        )
        with WebhookReceiver() as hook:
            # That checkout's own copy of this script, so it seeds with its own code.
            script = str(tree / "bench" / Path(__file__).name)
            subprocess.run(
                [sys.executable, script, "--seed", str(n), "--url", hook.url],
                env=env,
                cwd=tree,
                check=True,
            )
            procs = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "django",
                        "worker",
                        "--concurrency",
                        "4",
                        "--name",
                        f"bench-{i}",
                    ],
                    env=env,
                    cwd=tree,
                    stdout=subprocess.DEVNULL,
                )
                for i in range(workers)
            ]
            try:
                first_at = None
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and len(hook) < n:
                    if all(p.poll() is not None for p in procs):
                        break  # every worker stopped (e.g. refused to start): say so below
                    if first_at is None and len(hook):
                        first_at = time.monotonic()
                    time.sleep(0.005)
                last_at = time.monotonic()
            finally:
                for p in procs:
                    p.send_signal(signal.SIGTERM)
                for p in procs:
                    p.wait(60)
            keys = hook.keys()
            connections = hook.connections
        got = len(keys)
        elapsed = last_at - (first_at or last_at)
        return {
            "backend": backend,
            "workers": workers,
            "delivered": got,
            "duplicates": sum(keys.values()) - got,
            "seconds": elapsed,
            "connections": connections,
            "rate": (got - 1) / elapsed if elapsed > 0 else 0.0,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="messages per run")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per run at most")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="200 messages, a smoke run")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.n = 200
    if args.seed is not None:
        seed(args.seed, args.url)
        return
    print(f"outbox → webhook on loopback, {args.n} messages, worker --concurrency 4")
    backends = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    trees = [("before", args.before.resolve()), ("now", REPO)] if args.before else [("", REPO)]
    for backend in backends:
        for workers in (1, 2):
            rates = {}
            for label, tree in trees:
                result = run_once(backend, workers, args.n, args.timeout, tree)
                if not result:
                    return
                rates[label] = result["rate"]
                print(
                    f"  {backend:<10} workers={workers} {label:<6}  delivered"
                    f" {result['delivered']}/{args.n}  duplicates {result['duplicates']}"
                    f"  connections {result['connections']}  {result['seconds']:.2f} s"
                    f"  {result['rate']:.0f} msg/s",
                    flush=True,
                )
            if args.before and rates["before"]:
                print(f"  {'':<10} now / before: {rates['now'] / rates['before']:.1f} ×")


if __name__ == "__main__":
    main()
