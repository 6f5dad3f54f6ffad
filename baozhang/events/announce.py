"""Announcements: how a lower area causes work in a higher one without importing it.

The area where something happened calls ``announce(topic, **payload)``; an area above it
that must act on it calls ``subscribe(topic, handler)`` in its AppConfig.ready(). The
topic is a string owned (and named as a constant) by the announcing app; the payload holds
what a subscriber needs (ids, before/after, times), never model instances of a higher app.

Subscribers run at once, in the order they subscribed, inside the announcer's transaction,
each in a savepoint of its own: what they write commits or rolls back with the announcer's
change, so a process killed between the two loses neither (a handler run on commit would
lose its work if the process died between the commit and the handler). A subscriber that
raises is rolled back to its savepoint and logged with the announcement; the announcer's
change and the other subscribers' work stand (docs/decisions.md, "Announcements").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger("baozhang.announce")


@dataclass(frozen=True)
class Announcement:
    """What happened: the topic and the facts a subscriber needs."""

    topic: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Announcement], object]

_subscribers: dict[str, list[Handler]] = {}


def subscribe(topic: str, handler: Handler) -> None:
    """Run ``handler`` on every announcement of ``topic``, after the handlers subscribed
    before it. Subscribing the same handler twice to a topic keeps one subscription."""
    handlers = _subscribers.setdefault(topic, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(topic: str, handler: Handler) -> None:
    """Stop running ``handler`` for ``topic`` (for tests that subscribe for a while)."""
    handlers = _subscribers.get(topic, [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(topic: str) -> list[Handler]:
    """The handlers of ``topic`` in the order they run."""
    return list(_subscribers.get(topic, []))


def announce(topic: str, /, **payload: Any) -> Announcement:
    """Tell the subscribers of ``topic`` what happened; return the announcement. Each
    handler runs in its own savepoint; one that raises is rolled back and logged with the
    announcement, and the others still run."""
    announcement = Announcement(topic, payload)
    for handler in subscribers(topic):
        try:
            with transaction.atomic():
                handler(announcement)
        except Exception:
            logger.exception(
                "subscriber %s failed on %s %r",
                getattr(handler, "__qualname__", repr(handler)),
                topic,
                dict(payload),
            )
    return announcement
