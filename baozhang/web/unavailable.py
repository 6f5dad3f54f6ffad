"""The database away, as the web role answers it: 503 with Retry-After, never a 500.

One place for pages and the API. Django hands every exception that nothing else turned
into a response (from a view, from ninja, or from a middleware that read the session or
the signed-in person) to ``handler500``; :func:`server_error` answers those that say the
database is unavailable with a page in the reader's language, or with the API's JSON
error shape under ``/api/``, and leaves every other error to Django's own 500 page. The
traceback Django would log for each such request is dropped (settings.LOGGING:
baozhang.outage.QuietOutage); the outage is logged once.

The web role needs no restart afterwards: connections are not kept between requests
(settings: conn_max_age=0), so the first request after the outage connects anew.
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.views import defaults

from baozhang.api.errors import error_body
from baozhang.outage import OutageLog, is_database_unavailable
from baozhang.web.language import reader_language
from baozhang.web.limits import API_PREFIX

RETRY_AFTER_SECONDS = 15

_outage = OutageLog(logging.getLogger("baozhang.web"), "web")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 for a request the database could not serve: JSON under /api/, else a page, in
    the reader's language read from the request's headers (no session, no person, no
    database)."""
    with translation.override(reader_language(request)):
        if request.path.startswith(API_PREFIX):
            message = gettext("The database is unavailable; nothing was saved, try again shortly")
            response: HttpResponse = JsonResponse(error_body("unavailable", message), status=503)
        else:
            page = render_to_string("web/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: 503 when the exception being handled says the database is
    unavailable, else Django's own 500."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        assert exc is not None
        _outage.failed(exc)
        return unavailable_response(request)
    return defaults.server_error(request, template_name)
