"""Page-number pagination with bounded numbers: ``?page=N`` from 1 to a billion and
``?page_size`` from 1 to the list's maximum, so that no page number a client sends can
overflow the database's offset (it did: a 500 on SQLite)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from baozhang.api.types import MAX_PAGE

MAX_PAGE_SIZE = 1000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description="At most the list's own maximum"
        )
