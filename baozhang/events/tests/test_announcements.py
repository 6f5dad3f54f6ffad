"""Announcements (events/announce.py): subscribers run in the order they subscribed, inside
the announcer's transaction, each in a savepoint; a failing one is logged with the
announcement and never loses the announcer's committed change."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.db import transaction

from baozhang.events import announce as registry
from baozhang.events.models import Event, EventKind
from baozhang.events.services import record

TOPIC = "tests.something_happened"


@pytest.fixture
def clean_topic() -> Iterator[None]:
    yield
    for handler in registry.subscribers(TOPIC):
        registry.unsubscribe(TOPIC, handler)


def _write(summary: str) -> None:
    record(EventKind.UPDATED, None, object_type="tests.thing", object_id="1", summary=summary)


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_logged_and_the_announcers_change_commits(clean_topic, caplog):
    # Given a subscriber that writes and then fails, and one after it that writes
    def failing(announcement: registry.Announcement) -> None:
        _write("written by the failing subscriber")
        raise RuntimeError("subscriber broke")

    def second(announcement: registry.Announcement) -> None:
        _write(f"second saw {announcement.payload['thing_id']}")

    registry.subscribe(TOPIC, failing)
    registry.subscribe(TOPIC, second)

    # When the announcer changes something and announces it in its transaction
    with caplog.at_level(logging.ERROR, logger="baozhang.announce"), transaction.atomic():
        _write("the announcer's change")
        registry.announce(TOPIC, thing_id=7)

    # Then the announcer's change and the second subscriber's work are committed, the failing
    # subscriber's write is rolled back, and the failure is logged with the announcement
    summaries = set(Event.objects.values_list("summary", flat=True))
    assert summaries == {"the announcer's change", "second saw 7"}
    [logged] = [r for r in caplog.records if r.name == "baozhang.announce"]
    assert TOPIC in logged.getMessage()
    assert "'thing_id': 7" in logged.getMessage()
    assert "failing" in logged.getMessage()
    assert logged.exc_info is not None and "subscriber broke" in str(logged.exc_info[1])


@pytest.mark.django_db
def test_subscribers_run_in_the_order_they_subscribed(clean_topic):
    # Given three subscribers, one of them subscribed twice
    seen: list[str] = []
    first = lambda a: seen.append("first")  # noqa: E731
    second = lambda a: seen.append("second")  # noqa: E731
    third = lambda a: seen.append(f"third {a.payload['n']}")  # noqa: E731
    for handler in (first, second, first, third):
        registry.subscribe(TOPIC, handler)

    # When the topic is announced outside any transaction
    announcement = registry.announce(TOPIC, n=3)

    # Then each ran once, in the order of subscription, with the payload
    assert seen == ["first", "second", "third 3"]
    assert announcement == registry.Announcement(TOPIC, {"n": 3})


@pytest.mark.django_db
def test_an_announcement_without_subscribers_does_nothing(clean_topic):
    # Given no subscriber  # When announced  # Then the announcement is returned as made
    assert registry.announce(TOPIC, n=1).payload == {"n": 1}
