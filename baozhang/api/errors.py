"""Every API error is JSON: {"error": {"code", "message", "fields": {name: [messages]}}}.

Messages are in one language, the reader's: the ``Accept-Language`` of the request, or when
it sends none the language of the token's owner (accounts.api_auth), else Chinese. The
codes are stable for scripts: ``error.code`` for the answer (``invalid``, ``not_found`` …)
and ``error.codes`` for each field (``missing``, ``int_parsing``, ``too_long`` …, Pydantic's
error types, plus ``invalid`` for a rule of ours). A message written in both languages at
once (core's ``ValueError``) comes in the reader's half (core.bilingual). A 401 says how to
authenticate (``WWW-Authenticate: Bearer``). A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE
is a 413 here, not the pages' HTML 400.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from baozhang.api.parser import BodyRefused
from baozhang.core.bilingual import one_language

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
                "codes": {
                    "type": "object",
                    "description": "For each field of `fields`, a stable code per message",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


# Pydantic's error types (the stable codes of ``error.codes``) and what each says.
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required"),
    "extra_forbidden": gettext_lazy("This field is not accepted here"),
    "string_type": gettext_lazy("Must be text"),
    "string_too_short": gettext_lazy("Must be at least %(min_length)s characters long"),
    "string_too_long": gettext_lazy("Must be at most %(max_length)s characters long"),
    "string_pattern_mismatch": gettext_lazy("Does not have the expected form"),
    "int_type": gettext_lazy("Must be a whole number"),
    "int_parsing": gettext_lazy("Must be a whole number"),
    "int_from_float": gettext_lazy("Must be a whole number"),
    "float_type": gettext_lazy("Must be a number"),
    "float_parsing": gettext_lazy("Must be a number"),
    "decimal_parsing": gettext_lazy("Must be a number"),
    "decimal_type": gettext_lazy("Must be a number"),
    "bool_type": gettext_lazy("Must be true or false"),
    "bool_parsing": gettext_lazy("Must be true or false"),
    "enum": gettext_lazy("Must be one of: %(expected)s"),
    "literal_error": gettext_lazy("Must be one of: %(expected)s"),
    "greater_than": gettext_lazy("Must be greater than %(gt)s"),
    "greater_than_equal": gettext_lazy("Must be at least %(ge)s"),
    "less_than": gettext_lazy("Must be less than %(lt)s"),
    "less_than_equal": gettext_lazy("Must be at most %(le)s"),
    "too_short": gettext_lazy("Must have at least %(min_length)s items"),
    "too_long": gettext_lazy("Must have at most %(max_length)s items"),
    "list_type": gettext_lazy("Must be a list"),
    "tuple_type": gettext_lazy("Must be a list"),
    "set_type": gettext_lazy("Must be a list"),
    "dict_type": gettext_lazy("Must be an object"),
    "model_type": gettext_lazy("Must be an object"),
    "model_attributes_type": gettext_lazy("Must be an object"),
    "datetime_type": gettext_lazy(
        "Must be a date and time with its offset, such as 2026-12-21T10:00:00+08:00"
    ),
    "datetime_parsing": gettext_lazy(
        "Must be a date and time with its offset, such as 2026-12-21T10:00:00+08:00"
    ),
    "datetime_from_date_parsing": gettext_lazy(
        "Must be a date and time with its offset, such as 2026-12-21T10:00:00+08:00"
    ),
    "timezone_aware": gettext_lazy("Must carry its offset from UTC, such as +08:00"),
    "date_type": gettext_lazy("Must be a date, such as 2026-12-21"),
    "date_parsing": gettext_lazy("Must be a date, such as 2026-12-21"),
    "date_from_datetime_parsing": gettext_lazy("Must be a date, such as 2026-12-21"),
    "time_type": gettext_lazy("Must be a time of day, such as 09:30"),
    "time_parsing": gettext_lazy("Must be a time of day, such as 09:30"),
    "time_delta_type": gettext_lazy("Must be a duration, such as PT4H"),
    "time_delta_parsing": gettext_lazy("Must be a duration, such as PT4H"),
    "uuid_type": gettext_lazy("Must be a UUID"),
    "uuid_parsing": gettext_lazy("Must be a UUID"),
    "url_type": gettext_lazy("Must be a web address"),
    "url_parsing": gettext_lazy("Must be a web address"),
    "url_scheme": gettext_lazy("Must be a web address"),
    "json_invalid": gettext_lazy("The body is not valid JSON"),
    "bytes_type": gettext_lazy("Must be text"),
}
_ANY_FIELD = gettext_lazy("This value is not valid")


def reader_text(text: str) -> str:
    """A message in the reader's language: a text glued in both (``中文 / English``) comes
    as the reader's half, any other text as it is."""
    return one_language(str(text), get_language())


def field_message(error: dict[str, Any]) -> tuple[str, str]:
    """(code, message in the reader's language) of one Pydantic/Ninja input error."""
    kind = str(error.get("type") or "invalid")
    ctx = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        return "invalid", reader_text(str(ctx["error"]))
    template = _FIELD_MESSAGES.get(kind)
    if template is None:
        msg = str(error.get("msg") or "")
        # Our own checks (the parser's control characters) say their message already.
        if kind == "control":
            return kind, msg
        return kind, str(_ANY_FIELD)
    values = {key: str(value) for key, value in ctx.items()}
    try:
        return kind, str(template) % values
    except (KeyError, TypeError, ValueError):
        return kind, str(template).split(":")[0].split("%")[0].strip()


def error_body(
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    codes: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The error envelope every JSON error of the platform carries, the API's and those the
    web role gives outside it (a request too large to read, the database away). ``codes``
    holds a stable code per field message; a field without one is ``invalid``."""
    fields = fields or {}
    codes = codes or {}
    return {
        "error": {
            "code": code,
            "message": message,
            "fields": fields,
            "codes": {
                name: codes.get(name) or ["invalid"] * len(messages)
                for name, messages in fields.items()
            },
        }
    }


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja locations look like ("body", "payload", "name"); people want "name".
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


def _invalid(
    api: NinjaAPI,
    request: HttpRequest,
    fields: dict[str, list[str]],
    codes: dict[str, list[str]] | None = None,
) -> HttpResponse:
    fields = {name: [reader_text(m) for m in messages] for name, messages in fields.items()}
    return api.create_response(
        request, error_body("invalid", _("Invalid input"), fields, codes), status=422
    )


# The code of an answer by its status, for errors raised with a status only (HttpError).
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
}


def unauthorised_response(api: NinjaAPI, request: HttpRequest, message: str) -> HttpResponse:
    response = api.create_response(request, error_body("unauthorised", message), status=401)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        codes: dict[str, list[str]] = {}
        for err in exc.errors:
            name = _field_name(err.get("loc", ()))
            code, message = field_message(err)
            fields.setdefault(name, []).append(message)
            codes.setdefault(name, []).append(code)
        return _invalid(api, request, fields, codes)

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
        message = reader_text(str(exc)) if str(exc) else _("Not allowed")
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
        if cause is not None and exc.status_code == 400:
            # Ninja's own "Cannot parse request body" (English only): the body could not be read.
            message = _("The request body could not be read")
            return api.create_response(request, error_body("bad_request", message), status=400)
        message = reader_text(str(exc))
        if exc.status_code == 401:
            return unauthorised_response(api, request, message)
        code = _STATUS_CODES.get(exc.status_code, "error")
        return api.create_response(request, error_body(code, message), status=exc.status_code)
