"""Growing past one machine (N1): two web roles and two workers on one PostgreSQL, as on
several hosts behind a load balancer. Every ticket opened through either web role is
stored once, and its acknowledgement is delivered once, by one of the workers: nothing
is lost and nothing is done twice. Subprocesses on loopback ports, bounded in time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from baozhang.accounts import services as accounts
from baozhang.desk.models import Ticket
from baozhang.notify.models import Channel, DeliveryAttempt, Message, MessageStatus
from baozhang.notify.tests.receivers import WebhookReceiver, free_port

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[3]
TICKETS = 40


def _database_url() -> str:
    """DATABASE_URL of the test database (the run's URL with the test database's name)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "baozhang", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"web role on {port} not ready: {log.read_text(errors='replace')}")


def _post_ticket(port: int, token: str, i: int) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"kind": "fault", "subject": f"N1 ticket {i}"}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/tickets",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_two_web_roles_and_two_workers_on_one_postgresql_do_every_job_once(
    personas: Any, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with WebhookReceiver() as hook:
        # Given a customer whose acknowledgements go to a webhook, and a contact's token
        Channel.objects.create(
            organisation=personas.org_a,
            name="N1 hook",
            kind="webhook",
            config={"webhook_url": hook.url, "webhook_headers": {}},
        )
        _token, token = accounts.create_token(None, personas.contact_a, name="n1")
        connection.close()
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "BAOZHANG_HOME": str(tmp_path),
            "BAOZHANG_OUTBOUND_ALLOW_HOSTS": "127.0.0.1",
            "DATABASE_POOL_MAX": "4",
            "LOG_LEVEL": "WARNING",
        }
        # and two web roles and two workers, as on four hosts
        ports = [free_port(), free_port()]
        log = tmp_path / "roles.log"
        procs = [_start(["web", "--port", str(p)], env, log) for p in ports]
        procs += [
            _start(["worker", "--concurrency", "4", "--name", f"n1-worker-{i}"], env, log)
            for i in (1, 2)
        ]
        try:
            for port, proc in zip(ports, procs, strict=False):
                _wait_ready(port, proc, log)
            # When tickets are opened through both web roles at once
            answers: list[tuple[int, dict[str, Any]]] = []
            lock = threading.Lock()

            def send(first: int) -> None:
                for i in range(first, TICKETS, 4):
                    answer = _post_ticket(ports[i % 2], token, i)
                    with lock:
                        answers.append(answer)

            threads = [threading.Thread(target=send, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            # and the workers have had time to deliver
            hook.wait_for(TICKETS, timeout=60)
            time.sleep(1.0)  # a repeat, were there one, would arrive now
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        # Then every ticket was answered 201 and stored once, with its own reference
        assert [status for status, _ in answers] == [201] * TICKETS
        ids = sorted(ticket["id"] for _, ticket in answers)
        stored = Ticket.objects.filter(pk__in=ids)
        assert stored.count() == TICKETS
        assert len(set(stored.values_list("reference", flat=True))) == TICKETS
        assert all(len(ticket["clocks"]) == 2 for _, ticket in answers)
        # and every acknowledgement was delivered exactly once, by one of the two workers
        messages = Message.objects.filter(template_key="ticket_received")
        assert messages.count() == TICKETS
        unsent = list(messages.exclude(status=MessageStatus.SENT).values("status", "last_error"))
        assert unsent == [], (len(hook), unsent[:3], log.read_text(errors="replace")[-3000:])
        keys = hook.keys()
        assert len(keys) == TICKETS and set(keys.values()) == {1}, keys
        assert set(keys) == set(messages.values_list("dedup_key", flat=True))
        attempts = DeliveryAttempt.objects.filter(message__in=messages)
        assert attempts.count() == TICKETS and all(a.ok for a in attempts)
        assert set(attempts.values_list("worker", flat=True)) <= {"n1-worker-1", "n1-worker-2"}
