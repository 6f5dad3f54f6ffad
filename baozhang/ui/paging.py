"""Pages of a long list that never count the whole list.

Django's paginator counts every row before it shows the first page: at 100,000 tickets,
a quarter of them open, the queue page spent more on ``COUNT(*)`` (a scan of the table)
than on everything else. A person paging through a queue needs to know whether there is a
next page and roughly how far the list goes, not its exact length: :func:`page_of` counts
at most ``ahead`` pages past the page asked for (``SELECT COUNT(*) FROM (… LIMIT n)``,
which the queue's index answers by reading n entries) and the pager says "page 3 of 23 or
more" when the list goes on (GitLab and others do the same).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

# The furthest page anyone asks for by hand; a larger number reads as the last page asked.
MAX_PAGE = 100_000


def asked_page(value: object) -> int:
    """The page number a query string asks for: 1 for anything that is not a positive
    whole number (Django's ``get_page`` forgives the same way)."""
    text = str(value or "").strip()
    if not text.isdigit() or not 0 < len(text) <= 6:
        return 1
    return max(1, min(int(text), MAX_PAGE))


class WindowedPaginator(Paginator):
    """A paginator whose count stops ``ahead`` pages past ``asked``: ``more`` tells that
    the list goes on past the pages counted."""

    def __init__(self, object_list: Any, per_page: int, *, asked: int, ahead: int = 20) -> None:
        super().__init__(object_list, per_page)
        self.asked = asked
        self.ahead = ahead
        self.more = False

    @cached_property
    def count(self) -> int:
        limit = (self.asked + self.ahead) * self.per_page
        window = self.object_list[: limit + 1]
        counted = window.count() if isinstance(window, QuerySet) else len(window)
        self.more = counted > limit
        return min(counted, limit)


def page_of(object_list: Any, per_page: int, value: object, *, ahead: int = 20) -> Page:
    """The page ``value`` (a query-string value) asks for, counting at most ``ahead``
    pages beyond it; past the end it is the last page, as Django's ``get_page``."""
    asked = asked_page(value)
    return WindowedPaginator(object_list, per_page, asked=asked, ahead=ahead).get_page(asked)
