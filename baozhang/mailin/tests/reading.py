"""Reading an inbound message's reason as each reader would (issue 18 §1): the tests pin
it in Chinese and in English, never glued."""

from __future__ import annotations

from django.utils import translation

from baozhang.mailin.models import InboundMessage


def read_as(inbound: InboundMessage, language: str) -> str:
    """The reason as a reader of ``language`` reads it (fetched afresh)."""
    with translation.override(language):
        return InboundMessage.objects.get(pk=inbound.pk).reason_text


def reason_reads(inbound: InboundMessage) -> tuple[str, str]:
    """(Chinese, English) reading of the reason; asserts neither is glued."""
    zh, en = read_as(inbound, "zh-hans"), read_as(inbound, "en")
    assert " / " not in zh and " / " not in en, (zh, en)
    return zh, en
