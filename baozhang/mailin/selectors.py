"""Read queries about inbound mail."""

from __future__ import annotations

from collections.abc import Iterable

from baozhang.mailin.models import InboundMessage


def charset_repairs(message_ids: Iterable[int]) -> dict[int, InboundMessage]:
    """The inbound mails, by the ticket message each became, whose body was read with
    another charset than it declared (only those)."""
    found = InboundMessage.objects.filter(message_id__in=list(message_ids)).exclude(charset_read="")
    return {
        m.message_id: m
        for m in found.only("message_id", "charset_declared", "charset_read", "charset_lost")
        if m.message_id
    }
