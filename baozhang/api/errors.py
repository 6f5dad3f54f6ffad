"""Every API error is JSON: {"error": {"code", "message", "fields": {name: [messages]}}}.

Messages are in both languages so that a script's log is readable by anyone on the team.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


def _body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # Ninja locations look like ("body", "payload", "name"); people want "name".
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            fields.setdefault(_field_name(err.get("loc", ())), []).append(str(err.get("msg")))
        return api.create_response(
            request,
            _body("invalid", "Invalid input / 输入有误", fields),
            status=422,
        )

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return api.create_response(
            request, _body("invalid", "Invalid input / 输入有误", fields), status=422
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, _body("not_found", "Not found / 未找到"), status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "Not allowed / 无权操作"
        return api.create_response(request, _body("forbidden", message), status=403)

    @api.exception_handler(AuthenticationError)
    def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            _body(
                "unauthorised", "Sign in or send a valid API token / 请登录或提供有效的 API 令牌"
            ),
            status=401,
        )

    @api.exception_handler(ValueError)
    def invalid_value(request: HttpRequest, exc: ValueError) -> HttpResponse:
        # core validates up front and says, in both languages, what it refused and why.
        return api.create_response(
            request,
            _body("invalid", "Invalid input / 输入有误", {"__all__": [str(exc)]}),
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, _body("error", str(exc)), status=exc.status_code)
