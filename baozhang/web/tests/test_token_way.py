"""The API's token requests take a shorter way through Django under ASGI
(baozhang/web/token_api.py): which requests take it, and that they are answered exactly as
Django's full stack answers them (the test client), whatever the request."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.core.asgi import get_asgi_application
from django.test import Client

from baozhang.accounts import services
from baozhang.desk.models import Ticket
from baozhang.web import token_api
from baozhang.web.token_api import takes_token_way, with_token_way


def _scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict[str, Any]:
    path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/api/v1/me", [(b"authorization", b"Bearer bz_x")], True),
        ("/api/v1/me", [(b"authorization", b"bearer bz_x")], True),
        ("/api/v1/me", [(b"authorization", b"Bearer bz_x"), (b"cookie", b"a=b")], False),
        ("/api/v1/me", [(b"cookie", b"sessionid=x")], False),
        ("/api/v1/me", [(b"authorization", b"Basic eDp5")], False),
        ("/api/v1/me", [], False),
        ("/desk/", [(b"authorization", b"Bearer bz_x")], False),
    ],
)
def test_only_api_requests_with_a_bearer_token_and_no_cookie_take_the_token_way(
    path: str, headers: list[tuple[bytes, bytes]], expected: bool
) -> None:
    assert takes_token_way(_scope(path, headers)) is expected


def test_a_websocket_never_takes_the_token_way() -> None:
    scope = _scope("/api/v1/me", [(b"authorization", b"Bearer bz_x")])
    scope["type"] = "websocket"
    assert takes_token_way(scope) is False


async def _call(
    app: Any, scope: dict[str, Any], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict[str, Any]] = []
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, content


# Headers every answer must carry whichever way it took; the rest may differ (the date).
COMPARED_HEADERS = (
    "content-type",
    "content-language",
    "x-frame-options",
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "www-authenticate",
    "allow",
)


@pytest.fixture
def token_app(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """Django's ASGI application behind the token way, and the paths the way served."""
    served: list[str] = []
    respond = token_api.TokenApiHandler.respond

    def counting(self: Any, request: Any, script_prefix: str) -> Any:
        served.append(request.path)
        return respond(self, request, script_prefix)

    monkeypatch.setattr(token_api.TokenApiHandler, "respond", counting)
    return with_token_way(get_asgi_application(), threads=2), served


@pytest.mark.django_db(transaction=True)
def test_token_requests_are_answered_as_the_full_stack_answers_them(
    personas: Any, token_app: tuple[Any, list[str]]
) -> None:
    app, served = token_app
    _token, secret = services.create_token(None, personas.agent, name="way")
    bearer = (b"authorization", f"Bearer {secret}".encode())
    ticket = json.dumps(
        {
            "kind": "fault",
            "subject": "令牌工单 token ticket",
            "description": "opened by a script",
            "customer_id": personas.org_a.pk,
            "priority": "P2",
        }
    ).encode()
    json_type = (b"content-type", b"application/json")
    cases: list[tuple[str, str, list[tuple[bytes, bytes]], bytes]] = [
        ("GET", "/api/v1/me", [bearer], b""),
        ("GET", "/api/v1/me", [bearer, (b"accept-language", b"en")], b""),
        ("GET", "/api/v1/me", [(b"authorization", b"Bearer bz_wrong")], b""),
        (
            "GET",
            "/api/v1/me",
            [(b"authorization", b"Bearer bz_wrong"), (b"accept-language", b"en")],
            b"",
        ),
        ("GET", "/api/v1/tickets?page=1", [bearer], b""),
        ("GET", "/api/v1/tickets?page=-1", [bearer, (b"accept-language", b"en")], b""),
        ("GET", "/api/v1/tickets/999999", [bearer], b""),
        ("GET", "/api/v1/no-such-thing", [bearer], b""),
        ("DELETE", "/api/v1/me", [bearer], b""),
        ("POST", "/api/v1/tickets", [bearer, json_type], b'{"kind": '),
        ("POST", "/api/v1/tickets", [bearer, json_type], b'{"kind": "fault"}'),
        ("POST", "/api/v1/tickets", [bearer, json_type, (b"accept-language", b"en")], ticket),
        ("POST", "/api/v1/tickets", [(b"authorization", b"Bearer bz_wrong"), json_type], ticket),
    ]
    for method, path, headers, body in cases:
        # Given the same request through the token way and through Django's full stack
        status, got, content = asyncio.run(_call(app, _scope(path, headers, method), body))
        client = Client(headers={k.decode(): v.decode() for k, v in headers})
        full = client.generic(
            method,
            path,
            data=body,
            content_type=dict(headers).get(b"content-type", b"").decode()
            or "application/octet-stream",
        )
        # Then the status, the headers that matter and the body are the same (but for the
        # ticket's own reference and times, which differ between the two tickets)
        what = f"{method} {path}"
        assert status == full.status_code, what
        for name in COMPARED_HEADERS:
            assert got.get(name) == full.headers.get(name), (what, name)
        if status == 201:
            mine, theirs = json.loads(content), full.json()
            assert set(mine) == set(theirs), what
            assert mine["subject"] == theirs["subject"], what
        else:
            assert content == full.content, what
        assert "set-cookie" not in got, what
    # And every one of them took the token way but the one with no bearer
    assert len(served) == len(cases)
    # And both tickets are stored with their two clocks
    for ticket_row in Ticket.objects.filter(subject="令牌工单 token ticket"):
        assert ticket_row.clocks.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_token_request_speaks_its_owners_language_unless_it_asks_for_another(
    personas: Any, token_app: tuple[Any, list[str]]
) -> None:
    app, _served = token_app
    _token, secret = services.create_token(None, personas.contact_b, name="way")
    bearer = (b"authorization", f"Bearer {secret}".encode())
    status, headers, _ = asyncio.run(_call(app, _scope("/api/v1/tickets/999999", [bearer])))
    assert (status, headers["content-language"]) == (404, "en")
    status, headers, content = asyncio.run(
        _call(app, _scope("/api/v1/tickets/999999", [bearer, (b"accept-language", b"zh-hans")]))
    )
    assert (status, headers["content-language"]) == (404, "zh-hans")
    assert json.loads(content)["error"]["code"] == "not_found"
