"""How the API reads a request's body and parameters: the one door every input passes.

- A JSON body must be an object (``{…}``): a string, a list or ``null`` is refused (422)
  rather than read as an object with every field left out.
- ``NaN`` and ``Infinity`` are not JSON and are refused.
- No text may hold a character core.text would clean from inbound text: the C0 and C1
  controls other than tab, line feed and carriage return, DEL and lone surrogates (NUL
  above all: the forms refuse them, PostgreSQL cannot store NUL, a page would show them
  raw). Each is a field error naming where it was found.

Ninja turns any exception of ``parse_body`` into a 400 "cannot parse"; errors.py answers
a :class:`BodyRefused` found as its cause with the project's JSON error instead.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser

from baozhang.core.text import has_controls

MAX_DEPTH = 64


class BodyRefused(Exception):
    """The body is JSON the API will not read: ``status`` 400 (not JSON) or 422."""

    def __init__(self, status: int, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.status = status
        self.fields = fields


def control_message() -> str:
    return _("Control characters (such as NUL) are not allowed")


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(name)


def find_controls(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The paths of every string (key or value) in ``value`` that holds a control
    character, depth-first, at most one per string."""
    found: list[tuple[str, ...]] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_DEPTH:
            continue
        if isinstance(item, str):
            if has_controls(item, multiline=True):
                found.append(where)
        elif isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, str) and has_controls(key, multiline=True):
                    found.append((*where, key))
                stack.append((sub, (*where, str(key))))
        elif isinstance(item, list):
            stack.extend((sub, (*where, str(i))) for i, sub in enumerate(item))
    return sorted(found)


def _field(path: tuple[str, ...]) -> str:
    return ".".join(path) or "__all__"


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise BodyRefused(400, {"__all__": [_("The body is not valid JSON")]}) from None
        if not isinstance(data, dict):
            raise BodyRefused(422, {"__all__": [_("The body must be a JSON object: {…}")]})
        bad = find_controls(data)
        if bad:
            raise BodyRefused(422, {_field(p): [control_message()] for p in bad})
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        bad = find_controls(result)
        if bad:
            raise ValidationError(
                [{"loc": ("query", *p), "msg": control_message(), "type": "control"} for p in bad]
            )
        return result
