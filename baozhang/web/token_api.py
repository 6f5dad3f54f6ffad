"""The HTTP API for scripts: a request with a bearer token and no cookie takes a shorter way
through Django than a browser's.

A monitoring system opening tickets during an outage sends ``Authorization: Bearer`` and no
cookie. Django's ASGI handler gave such a request everything a browser's page needs: the
session, CSRF, authentication from the session, two-factor, messages and the sign-in
lockout, in a middleware stack of which some parts run in the event loop and some on a
thread, so that one request crossed between them five times, on a thread started for it
alone. None of that applies to a token: the token names the person (``TokenAuth`` in
accounts/api_auth.py, which also speaks the token owner's language), nothing is read from
or written to a session, and a request that carries no cookie cannot be forged by another
site.

Here such a request runs once on a thread of a small pool that lives as long as the
process, through ``settings.API_TOKEN_MIDDLEWARE`` (the response headers every answer
carries, the reader's language, the common checks) and Django's own view handling, with
the request signals sent on the same thread so that the database connection goes back to
the pool there. Everything else (pages, the browser's API calls with their session, the
docs) goes to Django's handler as before. The routing looks only at the request's headers:
a request with any cookie takes the browser's way, so the session still decides for it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed, RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.exception import convert_exception_to_response
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from baozhang.web.limits import API_PREFIX, ASGIApp, Receive, Scope, Send

# Threads for token requests when nothing bounds the requests let in (SQLite, or no pool).
TOKEN_WAY_THREADS = 8


def takes_token_way(scope: Scope) -> bool:
    """True for an HTTP request under /api/ with a bearer token and no cookie."""
    if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
        return False
    bearer = False
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            return False
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            bearer = True
    return bearer


class AnonymousUntilTokenMiddleware:
    """``request.user`` is nobody until the token says who (Ninja's session check reads it
    when a token is refused, and answers 401)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.user = AnonymousUser()
        return self.get_response(request)


class TokenApiHandler(ASGIHandler):
    """Django's ASGI handler with a synchronous middleware chain of its own, run in one
    piece on a thread of ``threads`` kept for the process."""

    def __init__(self, threads: int) -> None:
        self.threads = ThreadPoolExecutor(max(1, threads), thread_name_prefix="bz-token-api")
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        """The chain of ``settings.API_TOKEN_MIDDLEWARE``, every one synchronous, around
        Django's synchronous view handling (as BaseHandler builds it for WSGI)."""
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(settings.API_TOKEN_MIDDLEWARE):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def respond(self, request: HttpRequest, script_prefix: str) -> HttpResponseBase:
        """The response, on this thread from the request's start to the database
        connection's return. A streamed answer (a file) is closed by the caller once sent,
        so its connection goes back here already."""
        set_script_prefix(script_prefix)
        signals.request_started.send(sender=self.__class__, scope=request.scope)
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if response.streaming:
            close_old_connections()
        else:
            response.close()  # request_finished: the connection goes back to the pool
        return response

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:  # the client went away while sending
            return
        try:
            request, error_response = self.create_request(scope, body_file)
            response: HttpResponseBase
            if request is None:
                response = error_response
            else:
                loop = asyncio.get_running_loop()
                context = contextvars.copy_context()
                response = await loop.run_in_executor(
                    self.threads,
                    context.run,
                    self.respond,
                    request,
                    get_script_prefix(scope),
                )
            await self.send_response(response, send)
            if response.streaming or request is None:
                await loop_close(self.threads, response)
        finally:
            body_file.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        await self.handle(scope, receive, send)


async def loop_close(threads: ThreadPoolExecutor, response: HttpResponseBase) -> None:
    """Close a response that was sent after its thread finished (a stream, an early
    error): its resources, and request_finished."""
    await asyncio.get_running_loop().run_in_executor(threads, response.close)


def with_token_way(app: ASGIApp, threads: int) -> ASGIApp:
    """``app`` for everything but the API's token requests, which take ``TokenApiHandler``."""
    token_handler = TokenApiHandler(threads)

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if takes_token_way(scope):
            await token_handler(scope, receive, send)
        else:
            await app(scope, receive, send)

    return application
