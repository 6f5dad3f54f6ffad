"""Heartbeats under load: every answer is 200 (stored) or 503 with Retry-After (not
stored), and the documented client, `curl --retry`, waits and sends the ping again."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from baozhang.asgi import application
from baozhang.monitoring import heartbeat
from baozhang.monitoring.heartbeat import RETRY_AFTER_SECONDS, forget_tokens
from baozhang.monitoring.models import Monitor, ProbeResult

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str) -> tuple[int, dict[bytes, bytes]]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [(b"host", b"127.0.0.1")],
        "query_string": b"",
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"])


@pytest.fixture
def job() -> Iterator[Monitor]:
    forget_tokens()
    yield Monitor.objects.create(name="nightly", kind="push", push_token="tok-load-1")
    heartbeat.close_connection()


def test_a_ping_past_the_writers_queue_is_refused_with_retry_after_and_not_stored(
    job: Monitor,
) -> None:
    # Given a writer whose queue is full (a limit of none)
    with override_settings(HEARTBEAT_QUEUE_MAX=0):
        # When a ping comes
        status, headers = call("/ping/tok-load-1")
    # Then it is told to come back later, and nothing claims it was stored
    assert status == 503
    assert headers[b"retry-after"] == str(RETRY_AFTER_SECONDS).encode()
    assert not ProbeResult.objects.filter(monitor=job).exists()
    # And with room again the same ping is stored and acknowledged
    status, headers = call("/ping/tok-load-1")
    assert status == 200 and b"retry-after" not in headers
    assert ProbeResult.objects.filter(monitor=job).count() == 1


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_with_retry_waits_as_told_and_sends_the_ping_again() -> None:
    # Given a heartbeat URL that answers as ours does when it cannot store: 503 with
    # Retry-After, then 200
    answers = [503, 200]
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            status = answers.pop(0)
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # When the job pings it as docs/monitoring.md says
        url = f"http://127.0.0.1:{server.server_address[1]}/ping/tok"
        done = subprocess.run(
            ["curl", "-fsS", "-m", "10", "--retry", "3", url],
            capture_output=True,
            timeout=30,
        )
    finally:
        server.shutdown()
        server.server_close()
    # Then curl came back after the refusal and the second try succeeded
    assert seen == ["/ping/tok", "/ping/tok"]
    assert done.returncode == 0, done.stderr
