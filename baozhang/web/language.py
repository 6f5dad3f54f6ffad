"""The reader's language for answers given without the session or the database (a request
too large to read, the database away): the language cookie, else the browser's
Accept-Language, else the site's default — never the signed-in person's choice, which would
need the database."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import translation


def reader_language(request: HttpRequest) -> str:
    """The language to answer ``request`` in, read from its headers only."""
    return translation.get_language_from_request(request)


def reader_language_from_headers(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The same for an ASGI request not yet handed to Django (its raw header pairs)."""
    request = HttpRequest()
    for name, value in headers:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        if key == "accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = text
        elif key == "cookie":
            request.COOKIES = parse_cookie(text)
    return reader_language(request)
