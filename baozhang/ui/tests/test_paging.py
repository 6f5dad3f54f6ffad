"""Pages of a long list that never count the whole list (ui/paging.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baozhang.ui.paging import asked_page, page_of


@pytest.mark.parametrize(
    ("value", "number"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-2", 1), ("x", 1), ("１", 1), ("9" * 40, 1)],
)
def test_a_page_number_that_is_not_a_positive_whole_number_reads_as_the_first(
    value: object, number: int
) -> None:
    assert asked_page(value) == number


def test_the_count_stops_some_pages_past_the_page_asked_for_and_says_the_list_goes_on() -> None:
    rows = list(range(1000))
    # Given 1,000 rows, 10 a page, counted at most 2 pages ahead
    first = page_of(rows, 10, "1", ahead=2)
    # Then page 1 of 3 "or more", with a next page
    assert first.number == 1 and first.paginator.num_pages == 3
    assert first.paginator.more and first.has_next()
    # and further on the window moves with the page asked for
    fiftieth = page_of(rows, 10, "50", ahead=2)
    assert list(fiftieth) == list(range(490, 500))
    assert fiftieth.paginator.num_pages == 52 and fiftieth.paginator.more
    # and near the end the count is exact
    last = page_of(rows, 10, "99", ahead=2)
    assert last.paginator.num_pages == 100 and not last.paginator.more
    assert not page_of(rows, 10, "100", ahead=2).has_next()
    # and past the end is the last page, as Django's get_page
    assert page_of(rows, 10, "500", ahead=2).number == 100


def test_a_list_shorter_than_the_window_is_counted_exactly() -> None:
    page = page_of(list(range(25)), 10, None)
    assert page.paginator.count == 25 and page.paginator.num_pages == 3
    assert not page.paginator.more


@pytest.mark.django_db
def test_the_database_counts_only_the_window_never_the_whole_table(
    personas: Any, user_factory: Any
) -> None:
    from baozhang.accounts.models import User

    for i in range(7):
        user_factory(personas.operator, username=f"paging{i}")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(User.objects.order_by("id"), 2, "1", ahead=1)
        list(page)
    assert page.paginator.more
    count = next(q["sql"] for q in queries.captured_queries if "COUNT" in q["sql"].upper())
    assert "LIMIT" in count.upper()
