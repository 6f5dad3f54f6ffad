"""The heartbeat endpoint in front of Django: acknowledged only once durable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError

from baozhang.asgi import application
from baozhang.monitoring import heartbeat, push
from baozhang.monitoring.heartbeat import forget_tokens
from baozhang.monitoring.models import Monitor, ProbeResult

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, method: str = "GET", body: bytes = b"") -> tuple[int, str]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"host", b"127.0.0.1")],
        "query_string": b"",
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    calls = []

    async def receive() -> dict[str, Any]:
        calls.append(1)
        if len(calls) > 1:  # after the body, a client that stays connected
            await asyncio.Event().wait()
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def go() -> None:
        await application(scope, receive, send)

    asyncio.run(go())
    return sent[0]["status"], sent[1].get("body", b"").decode()


@pytest.fixture
def backup() -> Iterator[Monitor]:
    forget_tokens()
    yield Monitor.objects.create(
        name="备份", kind="push", push_token="tok-hb-1", push_period_s=3600
    )
    heartbeat.close_connection()


def test_a_ping_is_answered_ok_only_after_it_is_stored(backup: Monitor) -> None:
    status, text = call("/ping/tok-hb-1")
    assert (status, text) == (200, "OK\n")
    row = ProbeResult.objects.get(monitor=backup)
    assert row.ok and row.region == "push"
    backup.refresh_from_db()
    assert backup.last_ping_at == row.at


def test_a_job_can_report_its_own_failure_with_a_message(backup: Monitor) -> None:
    status, _ = call("/ping/tok-hb-1/fail", "POST", b"backup failed: disk full")
    assert status == 200
    row = ProbeResult.objects.get(monitor=backup)
    assert not row.ok and row.error == "backup failed: disk full"


def test_an_unknown_token_is_a_clear_404(backup: Monitor) -> None:
    status, text = call("/ping/not-a-token")
    assert status == 404 and "unknown heartbeat URL" in text and "未知" in text


def test_a_database_away_answers_503_and_the_retry_is_stored(
    backup: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    call("/ping/tok-hb-1")  # the token is known and cached
    real = push.store_pings

    def away(pings: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(push, "store_pings", away)
    status, text = call("/ping/tok-hb-1")
    assert status == 503 and "try again" in text
    monkeypatch.setattr(push, "store_pings", real)
    assert call("/ping/tok-hb-1")[0] == 200
    assert ProbeResult.objects.filter(monitor=backup).count() == 2


def test_other_paths_still_reach_django() -> None:
    status, _ = call("/accounts/login/")
    assert status == 200
