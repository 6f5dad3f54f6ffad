"""Reading an event's summary as each reader would: the tests of every app that records
events with a text of ours pin it in Chinese and in English, never glued."""

from __future__ import annotations

from django.utils import translation

from baozhang.events.models import Event


def read_as(event: Event, language: str) -> str:
    """The event's summary as a reader of ``language`` reads it (fetched afresh)."""
    with translation.override(language):
        return Event.objects.get(pk=event.pk).summary_text


def reads(event: Event) -> tuple[str, str]:
    """(Chinese, English) reading of the event's summary; asserts neither is glued."""
    zh, en = read_as(event, "zh-hans"), read_as(event, "en")
    assert " / " not in zh and " / " not in en, (zh, en)
    return zh, en
