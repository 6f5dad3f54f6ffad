"""The API object: Ninja with the project's input parser and an OpenAPI document that
lists the error answers (errors.py) every operation may give, in the one error shape. A
method an address does not take is a 405 in that shape too (Ninja answers plain text)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from baozhang.api.errors import ERROR_SCHEMA, ERROR_STATUSES, error_body

ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BODY_ONLY = {413}


def _json_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response.get("Allow", "")
            message = gettext("This address does not take %(method)s; it takes %(allowed)s") % {
                "method": request.method,
                "allowed": allowed,
            }
            body = json.dumps(error_body("method_not_allowed", message), ensure_ascii=False)
            answer = HttpResponse(body, status=405, content_type="application/json")
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


class BaozhangAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        return urls

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    _add_errors(operation)
        return schema


def _add_errors(operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    has_body = "requestBody" in operation
    for status, description in ERROR_STATUSES.items():
        if status in _BODY_ONLY and not has_body:
            continue
        responses.setdefault(
            status,
            {"description": description, "content": {"application/json": {"schema": ERROR_REF}}},
        )
