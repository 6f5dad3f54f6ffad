"""How many requests of a web process run Django at once: as many as its database pool can
serve, the rest waiting their turn in the event loop.

Django runs each request's synchronous code on a thread of its own (asgiref), so a burst
of 200 connections starts 200 threads that all ask the process's pool of 8 PostgreSQL
connections for one; those that wait longer than ``DATABASE_POOL_TIMEOUT`` fail with 503
although nothing is wrong but the queue. In front of Django, an admission limit sized to
the pool (one connection of the 8 is the heartbeat writer's) lets a request in only when a
connection is free for it; the others wait here, where waiting costs a coroutine and no
thread. The pool's short timeout then means what it should: the database cannot be
reached (docs/decisions.md, "Admission").

A request that waited ``WEB_ADMISSION_WAIT`` seconds without its turn (the process is far
behind) is answered 503 with Retry-After at once, in the reader's language, as JSON under
``/api/`` and as a page elsewhere; nothing of it was read or saved. Heartbeat pings and the
URL limits are answered before this (asgi.py). ``/healthz`` and ``/readyz`` skip the queue:
a load balancer asks them to learn whether the process lives, and a busy process does.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from baozhang.api.errors import error_body
from baozhang.web.language import reader_language_from_headers
from baozhang.web.limits import API_PREFIX, ASGIApp, Receive, Scope, Send

RETRY_AFTER_SECONDS = 2
# Paths a load balancer polls: answered whatever the queue (they need no pool connection
# for /healthz; /readyz takes one briefly, and its answer is the point of asking).
UNQUEUED = ("/healthz", "/readyz")


def limit_for_pool(pool: dict[str, Any] | None, configured: str | None) -> int:
    """The number of requests let in at once: ``WEB_ADMISSION_LIMIT`` when set (0: no
    limit), else the pool's size less the heartbeat writer's connection, else no limit
    (SQLite, or a connection per thread)."""
    if configured not in (None, ""):
        return max(0, int(str(configured)))
    if not pool:
        return 0
    return max(1, int(pool.get("max_size", 0)) - 1)


def _busy_response(scope: Scope) -> tuple[bytes, bytes]:
    with translation.override(reader_language_from_headers(scope.get("headers") or ())):
        if scope["path"].startswith(API_PREFIX):
            message = gettext("The server is busy; nothing was saved, try again in a moment")
            body = json.dumps(error_body("busy", message), ensure_ascii=False).encode()
            return body, b"application/json"
        page = render_to_string(
            "web/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS, "busy": True}
        )
    return page.encode(), b"text/html; charset=utf-8"


async def _send_busy(scope: Scope, send: Send) -> None:
    body, content_type = _busy_response(scope)
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def with_admission(app: ASGIApp, limit: int, wait_seconds: float) -> ASGIApp:
    """``app`` with at most ``limit`` HTTP requests inside at once (0: ``app`` itself)."""
    if limit <= 0:
        return app
    # One semaphore per event loop: a process runs one loop, a test may run several.
    turns: dict[int, asyncio.Semaphore] = {}

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNQUEUED:
            await app(scope, receive, send)
            return
        loop = id(asyncio.get_running_loop())
        turn = turns.get(loop)
        if turn is None:
            turn = turns[loop] = asyncio.Semaphore(limit)
        try:
            async with asyncio.timeout(wait_seconds):
                await turn.acquire()
        except TimeoutError:
            await _send_busy(scope, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            turn.release()

    return application
