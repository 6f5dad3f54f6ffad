"""Every API error is JSON: {"error": {"code", "message", "fields": {name: [messages]}}}.

Messages are translated (gettext) into the request's language; the codes are stable for
scripts. A 401 says how to authenticate (``WWW-Authenticate: Bearer``). A body larger
than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 here, not the pages' HTML 400.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from baozhang.api.parser import BodyRefused

WWW_AUTHENTICATE = 'Bearer realm="baozhang"'

# The error answers every operation may give, for the OpenAPI document (openapi.py).
ERROR_STATUSES = {
    400: "Bad request: the body is not JSON",
    401: "Not signed in, or the API token is not valid",
    403: "Not allowed",
    404: "Not found, or not visible to you",
    413: "The request body is too large",
    422: "Invalid input: see error.fields",
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The error envelope every JSON error of the platform carries, the API's and those the
    web role gives outside it (a request too large to read, the database away)."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja locations look like ("body", "payload", "name"); people want "name".
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


def _invalid(api: NinjaAPI, request: HttpRequest, fields: dict[str, list[str]]) -> HttpResponse:
    return api.create_response(
        request, error_body("invalid", _("Invalid input"), fields), status=422
    )


def unauthorised_response(api: NinjaAPI, request: HttpRequest, message: str) -> HttpResponse:
    response = api.create_response(request, error_body("unauthorised", message), status=401)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_name(err.get("loc", ())), []).append(str(err.get("msg")))
        return _invalid(api, request, fields)

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return _invalid(api, request, fields)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found")), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("Not allowed")
        return api.create_response(request, error_body("forbidden", message), status=403)

    @api.exception_handler(AuthenticationError)
    def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return unauthorised_response(api, request, _("Sign in or send a valid API token"))

    @api.exception_handler(ValueError)
    def invalid_value(request: HttpRequest, exc: ValueError) -> HttpResponse:
        # core validates up front and says, in both languages, what it refused and why.
        if isinstance(exc, PydanticValidationError):
            # An answer that does not fit its own schema is the server's fault, not input.
            raise exc
        return _invalid(api, request, {"__all__": [str(exc)]})

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        message = _("The request body is too large (at most %(size)d KB)") % {"size": limit // 1024}
        return api.create_response(request, error_body("too_large", message), status=413)

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return api.create_response(
            request, error_body("bad_request", _("The request could not be read")), status=400
        )

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return api.create_response(
            request, error_body("bad_request", _("The request could not be read")), status=400
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, BodyRefused):
            code = "invalid" if cause.status == 422 else "bad_request"
            message = _("Invalid input") if cause.status == 422 else _("The body is not valid JSON")
            return api.create_response(
                request, error_body(code, message, cause.fields), status=cause.status
            )
        if isinstance(cause, RequestDataTooBig):
            return too_large(request, cause)
        if exc.status_code == 401:
            return unauthorised_response(api, request, str(exc))
        return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)
