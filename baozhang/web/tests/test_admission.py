"""The admission limit in front of Django (baozhang/web/admission.py): a burst of requests
beyond what the database pool can serve waits its turn instead of failing, and a request
that waited too long is told to come back (503 with Retry-After), in the reader's language."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from baozhang.web.admission import limit_for_pool, with_admission


class SlowApp:
    """An inner application that takes ``seconds`` per request and counts how many are
    inside it at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.inside = 0
        self.most = 0
        self.served = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        try:
            await asyncio.sleep(self.seconds)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            self.served += 1
        finally:
            self.inside -= 1


def _scope(path: str, language: str = "en") -> dict[str, Any]:
    return {
        "type": "http",
        "path": path,
        "headers": [(b"accept-language", language.encode())],
    }


async def _call(app: Any, scope: dict[str, Any]) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


def test_a_burst_beyond_the_limit_waits_its_turn_and_every_request_is_answered() -> None:
    # Given an admission limit of 3 and a burst of 40 requests
    inner = SlowApp(0.01)
    app = with_admission(inner, limit=3, wait_seconds=30)

    async def burst() -> list[int]:
        answers = await asyncio.gather(*(_call(app, _scope("/desk/")) for _ in range(40)))
        return [status for status, _, _ in answers]

    statuses = asyncio.run(burst())
    # Then every request was answered 200, never more than 3 inside at once
    assert statuses == [200] * 40
    assert inner.served == 40
    assert inner.most == 3


@pytest.mark.parametrize(
    ("language", "path", "expected"),
    [
        ("en", "/api/v1/me", "The server is busy"),
        ("zh-CN", "/api/v1/me", "服务器繁忙"),
        ("en", "/desk/", "The platform is busy just now"),
        ("zh-CN", "/desk/", "平台繁忙"),
    ],
)
def test_a_request_that_waited_too_long_is_told_to_come_back_in_its_language(
    language: str, path: str, expected: str
) -> None:
    # Given one request inside for a long time and a limit of 1 with a short wait
    inner = SlowApp(1.0)
    app = with_admission(inner, limit=1, wait_seconds=0.05)

    async def two() -> tuple[int, dict[bytes, bytes], bytes]:
        first = asyncio.create_task(_call(app, _scope("/desk/")))
        await asyncio.sleep(0.01)
        second = await _call(app, _scope(path, language))
        await first
        return second

    status, headers, body = asyncio.run(two())
    # Then the second is answered 503 with Retry-After, in its reader's language only
    assert status == 503
    assert headers[b"retry-after"] == b"2"
    text = body.decode()
    if path.startswith("/api/"):
        error = json.loads(text)["error"]
        assert error["code"] == "busy"
        text = error["message"]
    assert expected in text
    other = "繁忙" if language == "en" else "busy"
    assert other not in text
    # and the first was served as usual
    assert inner.served == 1


def test_the_load_balancers_questions_skip_the_line() -> None:
    # Given a limit of 1 held by a slow request
    inner = SlowApp(0.3)
    app = with_admission(inner, limit=1, wait_seconds=0.05)

    async def both() -> int:
        first = asyncio.create_task(_call(app, _scope("/desk/")))
        await asyncio.sleep(0.01)
        status, _, _ = await _call(app, _scope("/healthz"))
        await first
        return status

    # Then /healthz is answered by the application, not refused by the line
    assert asyncio.run(both()) == 200


def test_the_limit_follows_the_pool_less_the_heartbeat_writer() -> None:
    assert limit_for_pool({"max_size": 8}, None) == 7
    assert limit_for_pool({"max_size": 1}, "") == 1
    assert limit_for_pool(None, None) == 0  # SQLite or a connection per thread: no line
    assert limit_for_pool({"max_size": 8}, "3") == 3
    assert limit_for_pool({"max_size": 8}, "0") == 0


def test_no_limit_is_the_application_itself() -> None:
    inner = SlowApp(0)
    assert with_admission(inner, limit=0, wait_seconds=1) is inner
