"""The push-heartbeat endpoint, ``/ping/<token>`` (and ``/ping/<token>/fail``): a small,
fast ASGI path in front of Django (DESIGN.md, "Probe engine and ingest").

A ping may say the size and checksum of what the job made (a backup):
``/ping/<token>?size=1048576&checksum=sha256:ab…``; they are stored with the ping
(``push.ping_message``) and read back by the backup register. Pings without them are as
before.

A ping skips what it does not need (sessions, CSRF, middleware, templates). Pings are
committed in groups by one writer thread: a ping is answered ``200`` only after the group
holding it is durable, so an acknowledged ping is never lost; when the database cannot
be reached the answer is ``503`` and the caller's retry (``curl --retry``) brings it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from baozhang.outage import OutageLog, is_database_unavailable

log = logging.getLogger(__name__)
_outage = OutageLog(log, "heartbeats")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/ping/"
_MAX_BODY = 300
_TOKEN_TTL = 60.0
_MISS_TTL = 10.0


# Under load every answer is 200 (stored) or 503 with Retry-After (not stored: the database
# is away, or more pings wait for the writer than it can commit in about a second), which
# `curl --retry` honours: it waits that long and sends the ping again (docs/monitoring.md).
RETRY_AFTER_SECONDS = 2


def _plain(status: int, text: str) -> tuple[MutableMapping[str, Any], MutableMapping[str, Any]]:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if status == 503:
        headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
    start = {"type": "http.response.start", "status": status, "headers": headers}
    return start, {"type": "http.response.body", "body": body}


class _Writer:
    """Collects pings from the event loop and commits them in groups on one thread."""

    def __init__(self) -> None:
        self._pending: list[tuple[tuple[int, dt.datetime, bool, str], asyncio.Future[bool]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heartbeat-writer")
        self._tokens: dict[str, tuple[int | None, float]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests, a restarted server)
            self._loop = loop
            self._wake = asyncio.Event()
            self._pending = []
            self._task = loop.create_task(self._run())

    async def submit(self, ping: tuple[int, dt.datetime, bool, str]) -> bool:
        self._ensure()
        assert self._wake is not None
        if len(self._pending) >= settings.HEARTBEAT_QUEUE_MAX:
            return False  # shed: 503 with Retry-After rather than an ever longer wait
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((ping, fut))
        self._wake.set()
        return await fut

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        wait = settings.HEARTBEAT_GROUP_WAIT_MS / 1000
        limit = settings.HEARTBEAT_GROUP_MAX
        while True:
            await self._wake.wait()
            self._wake.clear()
            if wait > 0:
                await asyncio.sleep(wait)  # let the group fill a little
            while self._pending:
                group, self._pending = self._pending[:limit], self._pending[limit:]
                try:
                    await loop.run_in_executor(self._pool, _store, [p for p, _ in group])
                    ok = True
                    _outage.succeeded()
                except Exception as exc:
                    # Refused (503), never acknowledged: the caller's retry brings it again.
                    if is_database_unavailable(exc):
                        _outage.failed(exc)
                    else:
                        log.exception("heartbeat group of %d not stored / 心跳未能保存", len(group))
                    ok = False
                for _, fut in group:
                    if not fut.done():
                        fut.set_result(ok)

    def close_connection(self) -> None:
        """Close the database connection the writer thread keeps between groups."""
        # Looked up on the writer thread: each thread has its own connection.
        self._pool.submit(lambda: connection.close()).result()

    async def monitor_for(self, token: str) -> int | None:
        now = time.monotonic()
        hit = self._tokens.get(token)
        if hit is not None and hit[1] > now:
            return hit[0]
        self._ensure()
        monitor_id = await asyncio.get_running_loop().run_in_executor(self._pool, _lookup, token)
        ttl = _TOKEN_TTL if monitor_id is not None else _MISS_TTL
        if len(self._tokens) > 100_000:
            self._tokens.clear()
        self._tokens[token] = (monitor_id, now + ttl)
        return monitor_id


def _store(pings: list[tuple[int, dt.datetime, bool, str]]) -> None:
    from baozhang.monitoring.push import store_pings

    try:
        store_pings(pings)
    except Exception:
        # A broken connection is dropped so that the next group opens a fresh one.
        close_old_connections()
        connection.close()
        raise


def _lookup(token: str) -> int | None:
    from baozhang.monitoring.models import Monitor, MonitorKind

    try:
        row = (
            Monitor.objects.filter(push_token=token, kind=MonitorKind.PUSH, enabled=True)
            .values_list("id", flat=True)
            .first()
        )
    except Exception:
        connection.close()
        raise
    return row


_writer = _Writer()


def forget_tokens() -> None:
    """Drop the token cache (a token rotated or a monitor deleted takes effect at once
    in this process; otherwise within a minute)."""
    _writer._tokens.clear()


def close_connection() -> None:
    """Close the database connection the writer thread keeps from group to group (a test
    database cannot be dropped while it is open)."""
    _writer.close_connection()


async def _read_body(receive: Receive) -> bytes:
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")[: _MAX_BODY * 4]
        more = message.get("more_body", False)
    return body


def _details(scope: Scope) -> tuple[int | None, str] | str:
    """The size and checksum a ping's query carries, or the refusal's text."""
    from baozhang.monitoring.push import CHECKSUM, MAX_SIZE

    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    raw_size = (query.get("size") or [""])[0]
    checksum = (query.get("checksum") or [""])[0]
    size = None
    if raw_size:
        if not (raw_size.isascii() and raw_size.isdigit() and int(raw_size) <= MAX_SIZE):
            return (
                f"size must be a whole number of bytes, not {raw_size[:40]!r} / "
                f"size 应为字节数（整数），而不是 {raw_size[:40]!r}\n"
            )
        size = int(raw_size)
    if checksum and not CHECKSUM.match(checksum):
        return (
            "checksum must be up to 140 letters, digits or :+/=_.- / "
            "checksum 应为不超过 140 个字母、数字或 :+/=_.- 字符\n"
        )
    return size, checksum


async def _answer(scope: Scope, token: str, failed: bool, body: bytes) -> tuple[int, str]:
    if scope["method"] not in ("GET", "POST", "HEAD") or not token or "/" in token:
        return 404, "unknown heartbeat URL / 未知的心跳地址\n"
    details = _details(scope)
    if isinstance(details, str):
        return 400, details
    try:
        monitor_id = await _writer.monitor_for(token)
    except Exception as exc:
        if is_database_unavailable(exc):
            _outage.failed(exc)
        else:
            log.exception("heartbeat token lookup failed / 心跳令牌查询失败")
        return 503, "not stored, try again / 未能保存，请重试\n"
    if monitor_id is None:
        return 404, "unknown heartbeat URL / 未知的心跳地址\n"
    from baozhang.monitoring.push import ping_message

    text = body.decode("utf-8", "replace")[:_MAX_BODY] if failed else ""
    note = ping_message(text, size=details[0], checksum=details[1])
    if await _writer.submit((monitor_id, dt.datetime.now(dt.UTC), not failed, note)):
        return 200, "OK\n"
    return 503, "not stored, try again / 未能保存，请重试\n"


async def handle_ping(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one ping: 200 once stored, 404 for an unknown token, 503 when the database
    cannot take it now."""
    path: str = scope["path"][len(PREFIX) :]
    failed = path.endswith("/fail")
    token = path[: -len("/fail")] if failed else path.rstrip("/")
    body = await _read_body(receive)
    status, text = await _answer(scope, token, failed, body)
    start, msg = _plain(status, text)
    await send(start)
    await send(msg if scope["method"] != "HEAD" else {"type": "http.response.body"})


def with_heartbeats(app: ASGIApp) -> ASGIApp:
    """``app`` with ``/ping/…`` answered before Django sees the request."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await handle_ping(scope, receive, send)
        else:
            await app(scope, receive, send)

    return application
