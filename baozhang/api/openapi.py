"""The API object: Ninja with the project's input parser and an OpenAPI document that
lists the error answers (errors.py) every operation may give, in the one error shape."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from baozhang.api.errors import ERROR_SCHEMA, ERROR_STATUSES

ERROR_REF = {"$ref": "#/components/schemas/Error"}
_BODY_ONLY = {413}


class BaozhangAPI(NinjaAPI):
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
