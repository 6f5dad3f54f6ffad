"""How the web role runs Django under ASGI (baozhang/web/handler.py): every request on a kept
thread in one piece, the API's token requests on a shorter way. Which requests take which
way, that token requests are answered exactly as Django's full stack answers them (the
test client), whatever the request, and that a browser signs in and works through it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from baozhang.accounts import services
from baozhang.desk.models import Ticket
from baozhang.web import handler
from baozhang.web.handler import django_application, takes_token_way


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
    """The answer with its headers as a dict of lower-case names (see _call_raw)."""
    status, headers, content = await _call_raw(app, scope, body)
    return status, {k.decode().lower(): v.decode() for k, v in headers}, content


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
    """The web role's Django application, and the paths the token way served."""
    served: list[str] = []
    respond = handler.SyncStackHandler.respond

    def counting(self: Any, request: Any, script_prefix: str) -> Any:
        if self.middleware == tuple(settings.API_TOKEN_MIDDLEWARE):
            served.append(request.path)
        return respond(self, request, script_prefix)

    monkeypatch.setattr(handler.SyncStackHandler, "respond", counting)
    return django_application(threads=2), served


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


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out = {}
    for name, value in headers:
        if name.lower() == b"set-cookie":
            key, _, rest = value.decode().partition("=")
            out[key] = rest.split(";", 1)[0]
    return out


async def _call_raw(app: Any, scope: dict[str, Any], body: bytes = b"") -> tuple[int, Any, bytes]:
    """The answer as the server sends it: status, header pairs, body. The client sends its
    body once and stays connected."""
    sent: list[dict[str, Any]] = []
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], start["headers"], content


@pytest.mark.django_db(transaction=True)
def test_a_browser_signs_in_and_reads_the_queue_through_the_web_role(
    personas: Any, token_app: tuple[Any, list[str]]
) -> None:
    import re

    from baozhang.conftest import PASSWORD

    app, served = token_app
    # Given the sign-in page with its CSRF token
    status, headers, page = asyncio.run(_call_raw(app, _scope("/accounts/login/", [])))
    assert status == 200
    jar = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = (b"cookie", "; ".join(f"{k}={v}" for k, v in jar.items()).encode())
    form = f"username=agent&password={PASSWORD}&csrfmiddlewaretoken={token.decode()}".encode()
    # When the agent signs in
    status, headers, _ = asyncio.run(
        _call_raw(
            app,
            _scope(
                "/accounts/login/",
                [cookie, (b"content-type", b"application/x-www-form-urlencoded")],
                "POST",
            ),
            form,
        )
    )
    assert status == 302
    jar.update(_cookies(headers))
    assert "sessionid" in jar
    cookie = (b"cookie", "; ".join(f"{k}={v}" for k, v in jar.items()).encode())
    # Then the queue page opens on the session, and the API answers the session too
    status, _, page = asyncio.run(_call_raw(app, _scope("/desk/", [cookie])))
    assert status == 200
    assert b"<html" in page
    status, _, me = asyncio.run(_call_raw(app, _scope("/api/v1/me", [cookie])))
    assert (status, json.loads(me)["username"]) == (200, "agent")
    # And none of these took the token way
    assert served == []


@pytest.mark.django_db(transaction=True)
def test_a_file_is_sent_whole_on_the_token_way(
    personas: Any, token_app: tuple[Any, list[str]], settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from baozhang.desk import services as desk

    settings.MEDIA_ROOT = tmp_path / "media"
    app, served = token_app
    ticket = desk.open_ticket(
        personas.agent, customer=personas.org_a, kind="fault", subject="文件 file", description="x"
    )
    content = "日志 log line\n".encode() * 20_000  # larger than one chunk
    message = desk.attach(
        personas.contact_a, ticket, SimpleUploadedFile("log.txt", content, "text/plain")
    )
    attachment = message.attachments.get()
    _token, secret = services.create_token(None, personas.agent, name="files")
    path = f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}"
    status, headers, body = asyncio.run(
        _call_raw(app, _scope(path, [(b"authorization", f"Bearer {secret}".encode())]))
    )
    assert status == 200
    assert body == content
    assert dict(headers)[b"Content-Disposition"].startswith(b"attachment;")
    assert served == [path]
