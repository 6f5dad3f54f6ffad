"""A ping may carry the size and checksum of what its job made (a backup); old pings
without them work as before; bad values are refused with a 400 in both languages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from baozhang.asgi import application
from baozhang.monitoring import heartbeat
from baozhang.monitoring.heartbeat import forget_tokens
from baozhang.monitoring.models import Monitor, ProbeResult
from baozhang.monitoring.push import ping_details, ping_message

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, query: bytes = b"", method: str = "GET", body: bytes = b"") -> tuple[int, str]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"host", b"127.0.0.1")],
        "query_string": query,
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []
    calls = []

    async def receive() -> dict[str, Any]:
        calls.append(1)
        if len(calls) > 1:
            await asyncio.Event().wait()
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    return sent[0]["status"], sent[1].get("body", b"").decode()


@pytest.fixture
def job() -> Iterator[Monitor]:
    forget_tokens()
    yield Monitor.objects.create(
        name="数据库备份", kind="push", push_token="tok-size-1", push_period_s=3600
    )
    heartbeat.close_connection()


def test_a_ping_carries_the_size_and_checksum_of_the_backup(job: Monitor) -> None:
    status, _ = call("/ping/tok-size-1", b"size=1048576&checksum=sha256:abc123")
    assert status == 200
    row = ProbeResult.objects.get(monitor=job)
    assert row.ok
    details = ping_details(row.error)
    assert (details.size, details.checksum, details.text) == (1048576, "sha256:abc123", "")


def test_a_failed_ping_keeps_its_text_beside_the_size(job: Monitor) -> None:
    status, _ = call("/ping/tok-size-1/fail", b"size=0", "POST", b"disk full")
    assert status == 200
    row = ProbeResult.objects.get(monitor=job)
    assert not row.ok
    assert ping_details(row.error) == ping_details(ping_message("disk full", size=0))
    assert ping_details(row.error).text == "disk full" and ping_details(row.error).size == 0


def test_an_old_ping_without_them_is_stored_as_before(job: Monitor) -> None:
    assert call("/ping/tok-size-1")[0] == 200
    assert call("/ping/tok-size-1/fail", b"", "POST", b"size of disk: full")[0] == 200
    ok, failed = ProbeResult.objects.filter(monitor=job).order_by("at", "id")
    assert ok.error == "" and failed.error == "size of disk: full"
    assert ping_details(failed.error).size is None


def test_a_size_that_is_no_number_is_refused_in_both_languages(job: Monitor) -> None:
    status, text = call("/ping/tok-size-1", b"size=big")
    assert status == 400
    assert "whole number of bytes" in text and "字节数" in text
    status, text = call("/ping/tok-size-1", b"checksum=%3Cscript%3E")
    assert status == 400 and "checksum" in text
    assert not ProbeResult.objects.filter(monitor=job).exists()
