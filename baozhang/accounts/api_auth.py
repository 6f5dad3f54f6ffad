"""How the HTTP API knows who calls: a bearer token or the browser's session (used by the
API's assembly, baozhang/api_site.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer, SessionAuth

from baozhang.accounts.services import record_refused_token, user_for_token
from baozhang.accounts.signals import client_ip


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bz_…`: the token's user, with that user's permissions. A
    token refused is recorded in the event log (bounded per source address). The answer
    speaks the request's ``Accept-Language`` when it sends one, else the language the
    token's owner chose (a script rarely says which language it reads)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            if not request.headers.get("Accept-Language") and user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            record_refused_token(token, client_ip(request))
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (CSRF-checked by Ninja), for the docs page and htmx."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie, no session to forge: a request with a refused token and no
        # session is answered 401, not 403 for a CSRF token it had no reason to send.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
