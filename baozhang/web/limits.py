"""How long a request's URL and head may be, answered before Django sees the request.

uvicorn with httptools reads a request line and headers of any length; a long URL then
reaches every middleware, the session, the view and each link the page builds from it.
Past these limits the answer is immediate and needs no database, no session and no
person: 414 for the URL, 431 for the headers, as JSON under /api/ and as a page
elsewhere, in the reader's language (language cookie or Accept-Language). A URL of 16 KiB
leaves room for every search and filter a page offers (the search boxes take 200
characters) and for a link pasted from a mail.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

from baozhang.api.errors import error_body
from baozhang.web.language import reader_language_from_headers

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_URL_BYTES = 16 * 1024
MAX_HEADER_BYTES = 64 * 1024
API_PREFIX = "/api/"

_MESSAGES = {
    414: ("uri_too_long", gettext_lazy("The address is too long")),
    431: ("headers_too_large", gettext_lazy("The request headers are too large")),
}


def url_bytes(scope: Scope) -> int:
    """The length of the request target as the client sent it: path and query."""
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    return len(path) + (len(query) + 1 if query else 0)


def header_bytes(scope: Scope) -> int:
    """The length of the request's header names and values."""
    return sum(len(name) + len(value) for name, value in scope.get("headers") or ())


def refusal(scope: Scope) -> int | None:
    """414, 431 or None for a request the limits let through."""
    if url_bytes(scope) > MAX_URL_BYTES:
        return 414
    if header_bytes(scope) > MAX_HEADER_BYTES:
        return 431
    return None


def _response(status: int, scope: Scope) -> tuple[bytes, bytes]:
    """The refusal in the reader's language (from the request's headers only)."""
    code, message = _MESSAGES[status]
    with translation.override(reader_language_from_headers(scope.get("headers") or ())):
        if scope["path"].startswith(API_PREFIX):
            body = json.dumps(error_body(code, str(message)), ensure_ascii=False).encode()
            return body, b"application/json"
        page = render_to_string(
            "web/too_large.html",
            {"status": status, "max_url_kib": MAX_URL_BYTES // 1024},
        )
    return page.encode(), b"text/html; charset=utf-8"


def with_request_limits(app: ASGIApp) -> ASGIApp:
    """``app`` behind the URL and header limits."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        status = refusal(scope) if scope["type"] == "http" else None
        if status is None:
            await app(scope, receive, send)
            return
        body, content_type = _response(status, scope)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return application
