"""Read queries about inbound mail."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest

from baozhang.desk.models import Ticket, TicketMessage
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


def annotate_charset_repairs(
    request: HttpRequest, ticket: Ticket, thread: Sequence[TicketMessage], staff: bool
) -> dict[str, Any]:
    """The ticket page's share of inbound mail (registered in MailinConfig.ready, see
    desk/ticket_page.py): an agent sees which mails were read with another charset than
    declared, on each message as ``charset_repair``."""
    if staff:
        repairs = charset_repairs(m.pk for m in thread)
        for m in thread:
            m.charset_repair = repairs.get(m.pk)
    return {}
