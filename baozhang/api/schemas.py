"""Base classes for the API's input schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, ValidationInfo, field_validator


def _without_null(schema: dict[str, Any], cls: Any) -> None:
    """In the OpenAPI document, a field of a partial update that may not be null says so:
    its type without the ``null`` branch and without a ``null`` default."""
    for name, prop in schema.get("properties", {}).items():
        if name in cls.nullable:
            continue
        branches = prop.get("anyOf")
        if branches and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class PatchIn(Schema):
    """A partial update: a field left out keeps its value. An explicit ``null`` is accepted
    only for the fields listed in ``nullable`` (where it clears the value); for any other
    field it is a 422 naming the field, never a value the database then refuses."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    model_config = ConfigDict(json_schema_extra=_without_null)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(_("This field may be left out but not null"))
        return value
