"""Long URLs and heads: answered at once, within the server's limits (414/431), never a hang.

The first test runs the real server (`baozhang web`, uvicorn) on a loopback port and talks
to it with bounded timeouts; the others call the ASGI limits and the views directly.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from baozhang.notify.tests.receivers import free_port
from baozhang.ui.search import MAX_SEARCH_CHARS, search_text
from baozhang.web.limits import (
    MAX_HEADER_BYTES,
    MAX_URL_BYTES,
    refusal,
    with_request_limits,
)

LONG_CHINESE_SEARCH = "/desk/?q=" + urllib.parse.quote("长" * 1000)  # about 9 KB
LONG_FILTER = "/incidents/?x=" + "a" * 9000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """`baozhang web` on a fresh home (SQLite) with its first administrator."""
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "BAOZHANG_HOME": str(home), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    setup = subprocess.run(
        [sys.executable, "-m", "baozhang", "up", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    password = re.search(r"password / 密码:\s+(\S+)", setup.stdout)
    assert password is not None, setup.stdout
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "baozhang", "web", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        yield port, password.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _get(
    port: int, target: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", target, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def _sign_in(port: int, password: str) -> str:
    """The session's Cookie header for the administrator."""
    status, headers, body = _get(port, "/accounts/login/")
    assert status == 200
    cookie = headers["set-cookie"].split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": "admin",
                "password": password,
            }
        )
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/accounts/login/",
            },
        )
        r = conn.getresponse()
        r.read()
        assert r.status == 302, r.status
        session = [v for k, v in r.getheaders() if k.lower() == "set-cookie" and "sessionid" in v]
    finally:
        conn.close()
    assert session
    return f"{cookie}; {session[0].split(';')[0]}"


def test_a_real_server_answers_long_urls_signed_in_and_refuses_those_past_the_limit(server):
    # given the web role serving on loopback and a signed-in administrator
    port, password = server
    cookie = _sign_in(port, password)

    # when they open 9 KB URLs
    search = _get(port, LONG_CHINESE_SEARCH, {"Cookie": cookie})
    filtered = _get(port, LONG_FILTER, {"Cookie": cookie})
    # and URLs and heads past the limits
    too_long = _get(port, "/desk/?q=" + "a" * MAX_URL_BYTES, {"Cookie": cookie})
    too_long_api = _get(port, "/api/v1/tickets?q=" + "a" * MAX_URL_BYTES, {"Cookie": cookie})
    cookies = "; ".join(f"c{i}={'x' * 4000}" for i in range(MAX_HEADER_BYTES // 4000 + 1))
    too_large = _get(port, "/desk/", {"Cookie": cookie, "X-Padding": cookies})
    too_long_en = _get(port, "/desk/?q=" + "a" * MAX_URL_BYTES, {"Accept-Language": "en"})
    too_long_api_en = _get(
        port, "/api/v1/tickets?q=" + "a" * MAX_URL_BYTES, {"Cookie": "django_language=en"}
    )
    after = _get(port, "/desk/", {"Cookie": cookie})

    # then the 9 KB URLs are answered with their pages, the search bounded in its box
    assert search[0] == 200
    assert 'maxlength="200"' in search[2].decode()
    assert 'value="' + "长" * MAX_SEARCH_CHARS + '"' in search[2].decode()
    assert filtered[0] == 200
    # and the others with 414/431 in the reader's language (Chinese by default, English
    # by the browser's Accept-Language or the language cookie), JSON under /api/
    assert too_long[0] == 414
    assert "网址过长" in too_long[2].decode()
    assert "The address is too long" not in too_long[2].decode()
    assert too_long_en[0] == 414
    assert "The address is too long" in too_long_en[2].decode()
    assert "网址过长" not in too_long_en[2].decode()
    assert too_long_api[0] == 414
    assert json.loads(too_long_api[2])["error"]["code"] == "uri_too_long"
    assert json.loads(too_long_api_en[2])["error"]["message"] == "The address is too long"
    assert too_large[0] == 431
    assert "请求过大" in too_large[2].decode()
    # and the server goes on serving
    assert after[0] == 200


def _scope(path: str, query: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None):
    return {
        "type": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": headers or [],
    }


@pytest.mark.parametrize(
    ("query_bytes", "header_bytes", "expected"),
    [
        (9000, 100, None),
        (MAX_URL_BYTES - len("/desk/") - 1, 100, None),
        (MAX_URL_BYTES - len("/desk/"), 100, 414),
        (100, MAX_HEADER_BYTES - 1, None),
        (100, MAX_HEADER_BYTES + 1, 431),
        (MAX_URL_BYTES, MAX_HEADER_BYTES + 1, 414),
    ],
)
def test_the_limits_table(query_bytes: int, header_bytes: int, expected: int | None) -> None:
    # given a request with this much query and header
    scope = _scope("/desk/", b"a" * query_bytes, [(b"x", b"h" * (header_bytes - 1))])
    # when the limits judge it, then
    assert refusal(scope) == expected


def test_a_refused_request_never_reaches_the_application(settings) -> None:
    # given an application that records what it is given
    reached: list[str] = []
    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b""}

    limited = with_request_limits(app)
    # when a request past the limit comes, then one within it
    asyncio.run(limited(_scope("/incidents/", b"x=" + b"a" * MAX_URL_BYTES), receive, send))
    asyncio.run(limited(_scope("/incidents/", b"x=a"), receive, send))
    # then only the second reaches the application
    assert reached == ["/incidents/"]
    assert sent[0]["status"] == 414
    assert (b"content-type", b"text/html; charset=utf-8") in sent[0]["headers"]


def test_the_views_search_at_most_the_box_length(login, personas) -> None:
    # given a signed-in agent
    client = login(personas.agent)
    # when the queue, the customers and the people are searched with 1,000 characters
    pages = [
        client.get(url, {"q": "长" * 1000}) for url in ("/desk/", "/organisations/", "/people/")
    ]
    # then each answers, its search box bounded and holding what was searched
    for page in pages:
        assert page.status_code == 200
        assert page.context["q"] == "长" * MAX_SEARCH_CHARS
        assert f'maxlength="{MAX_SEARCH_CHARS}"' in page.content.decode()


def test_search_text_table() -> None:
    assert search_text("  abc  ") == "abc"
    assert search_text("a" * (MAX_SEARCH_CHARS + 5)) == "a" * MAX_SEARCH_CHARS
    assert search_text("") == ""
