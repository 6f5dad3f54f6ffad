"""Content-Security-Policy on every response (Django 5.2 has none built in).

The pages are server-rendered templates with htmx and vendored static files; they carry
no inline script and no inline event handler (page behaviour is declared with data
attributes and run by static/baozhang.js), so scripts may come only from this site's own
files and nothing may be evaluated from a string. Styles allow 'unsafe-inline': a few
templates set a style attribute, htmx adds its indicator style and the API docs' Swagger
UI styles its elements inline; a style cannot run code. Images may be data: URIs (the
Swagger UI's icons). Nothing may frame a page (as X-Frame-Options: DENY says), post a
form elsewhere, or change the base URL.

A view that needs another policy sets the header itself; the middleware leaves it alone.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Adds POLICY as the Content-Security-Policy header of every response that has none."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = POLICY
        return response
