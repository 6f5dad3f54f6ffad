"""SMS through a gateway's webhook (D1): a text from a known contact's number opens a
ticket, or is added to the ticket whose reference it quotes; every text is kept."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.core.text import clean_line, clean_text
from baozhang.desk import services
from baozhang.desk.models import Channel, InboundSms, Status, Ticket, TicketKind

logger = logging.getLogger(__name__)

_REFERENCE = re.compile(r"BZ-\d{6}", re.IGNORECASE)


def normalise_phone(number: str) -> str:
    """Digits only, without China's +86 / 0086 prefix: "+86 138-0000-0000" → 13800000000."""
    digits = re.sub(r"\D", "", number)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def contact_for(number: str) -> User | None:
    wanted = normalise_phone(number)
    if not wanted:
        return None
    for user in User.objects.filter(
        is_active=True, organisation__kind=OrganisationKind.CUSTOMER, organisation__is_active=True
    ).exclude(phone=""):
        if normalise_phone(user.phone) == wanted:
            return user
    return None


# A gateway's clock may run a little fast; a stamp further ahead is refused, not believed.
MAX_FUTURE = dt.timedelta(minutes=5)
# Not one of InboundSms.Outcome (desk/models.py is not changed here): kept, routing failed.
FAILED = "failed"


def receive_sms(
    sender: str,
    text: str,
    *,
    gateway_id: str = "",
    received_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> InboundSms:
    """Keep the text (its own transaction), then route it. A gateway that delivers the same
    message twice (same gateway id) gets the first record back and nothing happens twice.

    The gateway's `received_at` is only recorded; the ticket is changed at the server's
    time `now` (a late-delivered text must not act in the past, before a pause, say). A
    stamp more than MAX_FUTURE ahead raises ValidationError and nothing is kept. When
    routing fails the text stays, with outcome "failed" and the error after its text."""
    # Control characters are removed at the door (NUL, which PostgreSQL refuses, too).
    sender, text, gateway_id = clean_line(sender), clean_text(text), clean_line(gateway_id)
    now = now or timezone.now()
    received_at = received_at or now
    if received_at > now + MAX_FUTURE:
        raise ValidationError(
            {"received_at": "received_at is in the future / 接收时间晚于服务器时间"}
        )
    if gateway_id:
        existing = InboundSms.objects.filter(gateway_id=gateway_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            sms = InboundSms.objects.create(
                sender=sender[:40],
                text=text,
                gateway_id=gateway_id,
                received_at=received_at,
                outcome=InboundSms.Outcome.UNMATCHED,
            )
    except IntegrityError:  # the same gateway id arrived twice at once
        return InboundSms.objects.get(gateway_id=gateway_id)
    try:
        with transaction.atomic():
            _route(sms, sender, text, now)
    except Exception as exc:
        logger.exception("sms: routing inbound SMS %s failed", sms.pk)
        sms.refresh_from_db()
        sms.outcome = FAILED
        sms.ticket = None
        sms.text = f"{text}\n\n[routing failed / 处理失败: {type(exc).__name__}: {exc}]"
        sms.save(update_fields=["outcome", "ticket", "text"])
    return sms


def _route(sms: InboundSms, sender: str, text: str, now: dt.datetime) -> None:
    contact = contact_for(sender)
    if contact is None:
        return
    match = _REFERENCE.search(text)
    ticket = None
    if match:
        ticket = Ticket.objects.filter(
            reference__iexact=match.group(0), customer_id=contact.organisation_id
        ).first()
    if ticket is not None and ticket.status != Status.CLOSED:
        services.reply(contact, ticket, text, channel=Channel.SMS, now=now)
        sms.outcome = InboundSms.Outcome.REPLIED
    else:
        ticket = services.open_ticket(
            contact,
            customer=contact.organisation,
            kind=TicketKind.FAULT,
            subject=text.strip().splitlines()[0][:80] if text.strip() else sender,
            description=text,
            channel=Channel.SMS,
            now=now,
        )
        sms.outcome = InboundSms.Outcome.OPENED
    sms.ticket = ticket
    sms.save(update_fields=["outcome", "ticket"])


@transaction.atomic
def release_sms(actor: Any, sms: InboundSms, customer: Organisation) -> InboundSms:
    """Staff give a text from an unknown number to a customer: it opens a ticket there."""
    from baozhang.accounts.permissions import Capability, require

    require(actor, Capability.WORK_TICKETS)
    sms = InboundSms.objects.select_for_update().get(pk=sms.pk)
    if sms.ticket_id is not None:
        raise ValidationError({"sms": _("This text is already on a ticket.")})
    ticket = services.open_ticket(
        actor,
        customer=customer,
        kind=TicketKind.FAULT,
        channel=Channel.SMS,
        subject=sms.text.strip().splitlines()[0][:80] if sms.text.strip() else sms.sender,
        description=sms.text,
        requester=sms.sender,
    )
    sms.ticket = ticket
    sms.outcome = InboundSms.Outcome.OPENED
    sms.save(update_fields=["ticket", "outcome"])
    return sms
