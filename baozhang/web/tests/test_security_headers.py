"""Every response carries a Content-Security-Policy that allows scripts only from the
site's own files, and no template needs more; cookies are Secure unless DEBUG, as the
settings say, and the embedded server warns when that would stop sign-in."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from baozhang.conftest import PASSWORD
from baozhang.web.csp import POLICY
from baozhang.web.server import plain_http_warning

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("*/templates/**/*.html"))


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policy(client: Any, personas: Any, login: Any) -> None:
    # Given a signed-out and a signed-in visitor, when they get a page, a redirect, a
    # 404, the API's JSON and a static file, then each answer carries the policy.
    answers = [
        client.get(reverse("accounts:login")),
        client.get("/"),
        client.get("/status/"),
        client.get("/api/v1/openapi.json"),
        client.get("/static/baozhang.js"),
        login(personas.agent).get("/no-such-page/"),
        client.get("/desk/"),
    ]
    for response in answers:
        assert response["Content-Security-Policy"] == POLICY, response
    policy = _directives(POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    # script-src 'self' refuses inline scripts and on…= handlers: pages declare behaviour
    # with data attributes (static/baozhang.js) instead.
    assert TEMPLATES
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
    javascript_url = re.compile(r"""(href|action|src)\s*=\s*["']\s*javascript:""", re.I)
    offenders = [
        str(path)
        for path in TEMPLATES
        if inline_script.search(text := path.read_text(encoding="utf-8"))
        or handler.search(text)
        or javascript_url.search(text)
    ]
    assert offenders == []


def _settings_of(env: dict[str, str]) -> dict[str, Any]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_COOKIES", "DJANGO_SETTINGS_MODULE"}
    }
    code = (
        "import baozhang.settings as s; print(repr((s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_HSTS_SECONDS', 0),"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    session, csrf, hsts, proxy = ast.literal_eval(out.stdout.strip())
    return {"session": session, "csrf": csrf, "hsts": hsts, "proxy": proxy}


def test_cookies_are_secure_by_default_and_off_only_with_debug_or_when_told() -> None:
    # Given no setting, cookies are Secure, but HSTS and X-Forwarded-Proto stay off
    # (nothing says HTTPS is in front, and any client could send that header).
    assert _settings_of({}) == {"session": True, "csrf": True, "hsts": 0, "proxy": None}
    assert _settings_of({"DEBUG": "1"})["session"] is False
    assert _settings_of({"SECURE_COOKIES": "0"})["session"] is False
    behind_https = _settings_of({"SECURE_COOKIES": "1"})
    assert behind_https["session"] and behind_https["hsts"] > 0 and behind_https["proxy"]


@pytest.mark.django_db
def test_signing_in_sets_secure_http_only_cookies(client: Any, personas: Any) -> None:
    # Given the default settings (the test run's: no DEBUG, no SECURE_COOKIES),
    # when a person signs in, then the session and CSRF cookies are Secure and HttpOnly.
    client.get(reverse("accounts:login"))
    response = client.post(
        reverse("accounts:login"), {"username": "agent", "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"]


def test_the_embedded_server_warns_only_when_sign_in_would_not_work(settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = None
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert plain_http_warning(host) == "", host
    warning = plain_http_warning("0.0.0.0")
    assert "SECURE_COOKIES=0" in warning and "无法登录" in warning
    assert plain_http_warning("192.168.1.10")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert plain_http_warning("0.0.0.0") == ""
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.SESSION_COOKIE_SECURE = False
    assert plain_http_warning("0.0.0.0") == ""
