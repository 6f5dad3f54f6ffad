"""How the web role runs Django under ASGI: each request's synchronous work in one piece on
a thread of a small pool kept for the process, and the API's token requests through a
shorter middleware chain than a browser's.

Django's own ASGI handler starts a thread for each request (asgiref's thread-sensitive
context) and, with our middleware stack, crossed between the event loop and that thread
five times a request: the request signal, the part of the stack that can run async, the
part that cannot, the view, the response's close. Every view and middleware here is
synchronous, so the event loop's part of a request is only reading the body and sending
the answer; everything between runs at once on a kept thread, as under WSGI, with the
request signals on the same thread so that its database connection goes back to the pool
there. The number of threads is the number of requests let in at once (web/admission.py),
so that the threads never outnumber the pool's connections.

A request with ``Authorization: Bearer`` under /api/ and no cookie (a script, a monitoring
system opening tickets during an outage) takes ``settings.API_TOKEN_MIDDLEWARE``: the
headers every answer carries, the reader's language, the common checks, and not the
session, CSRF, session sign-in, two-factor, messages or lockout of a browser's request,
none of which applies to a token (``TokenAuth`` in accounts/api_auth.py names the person
and speaks its language; a request without cookies cannot be forged by another site). A
request with any cookie takes the browser's way, so its session still decides for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import warnings
from collections.abc import Callable, Sequence
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

# Files (WhiteNoise's, attachments, photos) are sent from a synchronous iterator, which
# Django's ASGI code reads on a thread; that is fine for files, so the warning says nothing.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

# Threads when nothing bounds the requests let in at once (SQLite, or no pool).
DEFAULT_THREADS = 8


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


class SyncStackHandler(ASGIHandler):
    """Django's ASGI handler with a synchronous middleware chain (``middleware``, as
    BaseHandler builds it for WSGI), run in one piece on a thread of ``threads``."""

    def __init__(self, middleware: Sequence[str], threads: ThreadPoolExecutor) -> None:
        self.middleware = tuple(middleware)
        self.threads = threads
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(self.middleware):
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
        connection's return. A streamed answer (a file) is closed by the caller once sent;
        its database connection goes back here already."""
        set_script_prefix(script_prefix)
        signals.request_started.send(sender=self.__class__, scope=request.scope)
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if response.streaming:
            close_old_connections()
        else:
            response.close()  # request_finished: the connection goes back to the pool
        return response

    async def _on_thread(self, function: Callable[..., object], *args: object) -> object:
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.threads, context.run, function, *args)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:  # the client went away while sending
            return
        try:
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = await self._on_thread(self.respond, request, get_script_prefix(scope))
            await self.send_response(response, send)
            if request is None or response.streaming:
                await self._on_thread(response.close)
        finally:
            body_file.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)


def django_application(threads: int) -> ASGIApp:
    """Django for the web role: the token way for the API's token requests, the browser's
    way for the rest, both on ``threads`` kept threads."""
    pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="bz-web")
    browser = SyncStackHandler(settings.MIDDLEWARE, pool)
    token = SyncStackHandler(settings.API_TOKEN_MIDDLEWARE, pool)

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        await (token if takes_token_way(scope) else browser)(scope, receive, send)

    return application
