"""Inbound e-mail actions: the only code that changes InboundMessage rows.

`receive(raw)` keeps the raw message first (its own transaction), then routes it: a reply
threads into its ticket, a new message opens one, and whatever cannot be routed is
quarantined with its reason for staff to release or ignore. Nothing is ever lost: an error
while routing quarantines the message instead of dropping it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baozhang.accounts import services as accounts
from baozhang.accounts.models import Organisation, OrganisationKind, Role, User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.desk import services as desk
from baozhang.desk.models import Channel, Status, Ticket, TicketKind, TicketMessage
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import Said, said
from baozhang.mailin import parsing
from baozhang.mailin.models import (
    InboundMessage,
    InboundSource,
    InboundStatus,
    Mailbox,
    reason_in_words,
)
from baozhang.notify import services as notify
from baozhang.notify.models import Channel as NotifyChannel
from baozhang.notify.selectors import operator_email_channel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger(__name__)

REFERENCE = re.compile(r"\bBZ-(\d{6,})\b", re.IGNORECASE)
# Message-IDs we give our own mail about a ticket: <BZ-000123.<anything>@host>.
OWN_MESSAGE_ID = re.compile(r"^<(BZ-\d{6,})\.[^@>]*@[^>]+>$", re.IGNORECASE)
COMPLAINT = re.compile(r"投诉|complain", re.IGNORECASE)
# Words of ours a ticket from mail gets where the mail had none, written in the customer's
# language (the ticket's text is read by staff and by the customer as it stands).
NO_SUBJECT = gettext_noop("(no subject)")
EMPTY_MESSAGE = gettext_noop("(empty message)")
FOLLOW_UP = gettext_noop("(follow-up to closed %(ticket)s)")


def in_language_of(customer: Organisation, msgid: str, **params: Any) -> str:
    """One of our words for a ticket's text (NO_SUBJECT …), in ``customer``'s language."""
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        text = _(msgid)
    return text % params if params else text


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def max_attachment_bytes() -> int:
    return int(_setting("MAILIN_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))


def ack_message_id(ticket: Ticket) -> str:
    """Our own id for the acknowledgement of `ticket`. Apprise gives every mail a
    Message-ID of its own (a custom one would be a second Message-ID header), so the
    acknowledgement carries this id in References: a reply quotes the acknowledgement's
    References, and find_ticket recognises the id (OWN_MESSAGE_ID). The BZ- reference in
    the subject threads a reply too."""
    domain = _setting("MAILIN_MESSAGE_ID_DOMAIN", "baozhang.invalid")
    return f"<{ticket.reference}.ack@{domain}>"


def _operator_email_channel() -> NotifyChannel | None:
    return operator_email_channel()


def _acknowledge(
    inbound: InboundMessage, mail: parsing.ParsedMail, ticket: Ticket
) -> tuple[bool, Said | str]:
    """Enqueue, in the caller's transaction, the acknowledgement of a new ticket to the
    sender's address on the operator's e-mail channel. Returns (queued, why not).

    No mail loops: the caller never gets here for automatic, bulk or list mail, rate
    limited or quarantined mail; the mail says `Auto-Submitted: auto-replied` (so that
    other systems do not answer it, and our own intake ignores it); a sender that is our
    own sending address is never answered; the dedup key is per inbound message."""
    address = mail.from_address.strip()
    try:
        validate_email(address)
    except ValidationError:
        return False, said("no valid sender address “%(address)s”", address=address)
    channel = _operator_email_channel()
    if channel is None:
        return False, said("the operator has no enabled e-mail channel")
    if address.lower() == str(channel.config.get("from_address", "")).strip().lower():
        return False, said("the sender is our own sending address")
    headers = {"Auto-Submitted": "auto-replied", "References": ack_message_id(ticket)}
    if mail.message_id and len(mail.message_id) <= 300:
        headers["In-Reply-To"] = mail.message_id
        headers["References"] = f"{mail.message_id} {ack_message_id(ticket)}"
    try:
        message = notify.enqueue(
            channel,
            "ticket_received",
            {"ticket": ticket, "reference": ticket.reference, "subject": ticket.subject},
            f"mailin-ack:{inbound.pk}",
            recipient=address,
            headers=headers,
            language=ticket.customer.language,
        )
    except ValueError as exc:  # an address or header the outbox refuses: no ack, a ticket
        return False, str(exc)  # the outbox's words, kept as given (a pair: read in one)
    if message is None:
        return False, said("the operator's e-mail channel is disabled")
    return True, ""


@dataclass(frozen=True)
class Sender:
    customer: Organisation | None
    contact: User | None
    how: str  # "contact", "domain", "default", "" (unknown)


def match_sender(address: str, mailbox: Mailbox | None = None) -> Sender:
    """The customer (and contact) of an address: an active customer contact with that
    e-mail; else the customer whose e-mail domains hold its domain; else the mailbox's
    default customer; else nobody."""
    address = address.strip().lower()
    if address:
        contact = (
            User.objects.filter(
                email__iexact=address,
                is_active=True,
                organisation__kind=OrganisationKind.CUSTOMER,
                organisation__is_active=True,
            )
            .select_related("organisation")
            .first()
        )
        if contact is not None:
            return Sender(contact.organisation, contact, "contact")
        domain = address.rpartition("@")[2]
        if domain:
            for org in Organisation.objects.filter(
                kind=OrganisationKind.CUSTOMER, is_active=True, email_domains__icontains=domain
            ):
                domains = {d.strip().lower().lstrip("@") for d in org.email_domains.split(",")}
                if domain in domains:
                    return Sender(org, None, "domain")
    if mailbox is not None and mailbox.default_customer_id:
        return Sender(mailbox.default_customer, None, "default")
    return Sender(None, None, "")


def find_ticket(mail: parsing.ParsedMail) -> Ticket | None:
    """The ticket a message answers: by In-Reply-To/References (a message of the ticket, or
    one of our own Message-IDs), else by a BZ-000123 reference in the subject."""
    ids = list(mail.thread_ids)
    if ids:
        found = (
            TicketMessage.objects.filter(email_message_id__in=ids)
            .exclude(email_message_id="")
            .select_related("ticket")
            .order_by("-created_at")
            .first()
        )
        if found is not None:
            return found.ticket
        for mid in ids:
            own = OWN_MESSAGE_ID.match(mid)
            if own:
                ticket = Ticket.objects.filter(reference=own.group(1).upper()).first()
                if ticket is not None:
                    return ticket
    for ref in REFERENCE.findall(mail.subject):
        ticket = Ticket.objects.filter(reference=f"BZ-{ref}").first()
        if ticket is not None:
            return ticket
    return None


def _charset_fields(mail: parsing.ParsedMail) -> dict[str, Any]:
    if mail.charset_repair is None:
        return {}
    declared, read_as, lost = mail.charset_repair
    return {"charset_declared": declared[:40], "charset_read": read_as[:40], "charset_lost": lost}


def _store(raw: bytes, mail: parsing.ParsedMail, digest: str, **fields: Any) -> InboundMessage:
    cap = int(_setting("MAILIN_MAX_RAW_BYTES", 100 * 1024 * 1024))
    inbound = InboundMessage(
        size=len(raw),
        raw_truncated=len(raw) > cap,
        sha256=digest,
        email_message_id=mail.message_id[:300],
        from_address=mail.from_address[:254],
        from_name=mail.from_name[:200],
        subject=mail.subject[:300],
        **_charset_fields(mail),
        **fields,
    )
    inbound.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw[:cap]), save=False)
    inbound.save()
    return inbound


def receive(
    raw: bytes,
    *,
    mailbox: Mailbox | None = None,
    source: str = InboundSource.STDIN,
    now: dt.datetime | None = None,
) -> InboundMessage:
    """Keep one raw message and route it. Returns the stored InboundMessage (the earlier one
    when these exact bytes came before: a retried delivery is not a second ticket). The same
    Message-ID with other bytes (another Received: header; one mail fetched by IMAP and
    piped by the MTA) is kept too, but only marked as a duplicate of the first: ignored,
    nothing else happens. Database errors while storing propagate (the caller asks the MTA
    to retry); errors while routing quarantine the message."""
    now = now or timezone.now()
    digest = hashlib.sha256(raw).hexdigest()
    earlier = InboundMessage.objects.filter(sha256=digest).order_by("id").first()
    if earlier is not None:
        return earlier
    mail = parsing.parse(raw, max_attachment_bytes=max_attachment_bytes())
    inbound = _store(raw, mail, digest, received_at=now, source=source, mailbox=mailbox)
    # Checked after storing (each row is committed on its own), so that of two copies
    # arriving at once the later row always sees the earlier one.
    first = _first_with_message_id(inbound)
    if first is not None:
        _finish(
            inbound,
            InboundStatus.IGNORED,
            said("Duplicate of inbound e-mail #%(inbound)s.", inbound=first.pk),
        )
        return inbound
    try:
        _route(inbound, mail, mailbox, now)
    except Exception as exc:
        logger.exception("mail-in: routing inbound message %s failed", inbound.pk)
        _finish(
            inbound,
            InboundStatus.QUARANTINED,
            said(
                "Routing failed: %(error)s: %(detail)s",
                error=type(exc).__name__,
                detail=str(exc)[:2000],
            ),
        )
    inbound.refresh_from_db()
    return inbound


def _first_with_message_id(inbound: InboundMessage) -> InboundMessage | None:
    """The earlier stored message with the same Message-ID, if any."""
    if not inbound.email_message_id.strip():
        return None
    return (
        InboundMessage.objects.filter(email_message_id=inbound.email_message_id, pk__lt=inbound.pk)
        .order_by("id")
        .first()
    )


def stored_parts(reason: Sequence[Said]) -> list[dict[str, Any]]:
    """The steps of a reason as ``InboundMessage.reason_parts`` keeps them."""
    return [{"said": part.msgid, "params": part.stored_params()} for part in reason]


def _finish(
    inbound: InboundMessage,
    status: str,
    reason: Said | Sequence[Said],
    ticket: Ticket | None = None,
    message: TicketMessage | None = None,
    acknowledged: bool = False,
    *,
    earlier: Sequence[dict[str, Any]] = (),
) -> None:
    """Settle ``inbound`` with ``reason`` (one step, or several: released, then opened …)
    after the ``earlier`` stored steps; ``reason`` keeps the whole in English."""
    steps = [reason] if isinstance(reason, Said) else list(reason)
    inbound.status = status
    inbound.reason_parts = [*earlier, *stored_parts(steps)]
    with translation.override("en"):
        inbound.reason = reason_in_words(inbound.reason_parts)
    inbound.ticket = ticket
    inbound.message = message
    inbound.acknowledged = acknowledged
    inbound.save(
        update_fields=["status", "reason", "reason_parts", "ticket", "message", "acknowledged"]
    )


def _rate_limited(inbound: InboundMessage, now: dt.datetime) -> bool:
    if not inbound.from_address:
        return False
    limit = int(_setting("MAILIN_RATE_LIMIT", 10))
    window = dt.timedelta(seconds=float(_setting("MAILIN_RATE_WINDOW_SECONDS", 600)))
    recent = (
        InboundMessage.objects.filter(
            from_address=inbound.from_address, received_at__gt=now - window
        )
        .exclude(pk=inbound.pk)
        .count()
    )
    return recent >= limit


def _belongs_to(sender: Sender, address: str, ticket: Ticket) -> bool:
    if sender.customer is not None and sender.customer.pk == ticket.customer_id:
        return sender.how in {"contact", "domain"}
    known = {ticket.contact.email.lower()} if ticket.contact and ticket.contact.email else set()
    return bool(address) and (address in known or f"<{address}>" in ticket.requester.lower())


def _route(
    inbound: InboundMessage, mail: parsing.ParsedMail, mailbox: Mailbox | None, now: dt.datetime
) -> None:
    if _rate_limited(inbound, now):
        _finish(
            inbound,
            InboundStatus.QUARANTINED,
            said("Rate limit: too many messages from this sender."),
        )
        return
    sender = match_sender(mail.from_address, mailbox)
    ticket = find_ticket(mail)
    if ticket is not None and ticket.status != Status.CLOSED:
        if not _belongs_to(sender, mail.from_address, ticket):
            _finish(
                inbound,
                InboundStatus.QUARANTINED,
                said(
                    "The sender %(sender)s is not of the customer of %(ticket)s.",
                    sender=mail.from_address or "?",
                    ticket=ticket.reference,
                ),
                ticket=ticket,
            )
            return
        _thread(inbound, mail, ticket, sender.contact, now)
        return
    if mail.automatic:
        _finish(
            inbound,
            InboundStatus.IGNORED,
            said("Automatic mail (%(why)s).", why=_why_automatic(mail)),
        )
        return
    if sender.customer is None:
        _finish(inbound, InboundStatus.QUARANTINED, said("Unknown sender."))
        return
    contact = sender.contact
    with transaction.atomic():
        if contact is None and sender.how == "domain" and mail.from_address:
            contact = _contact_to_review(sender.customer, mail)
            if contact is None:
                _finish(
                    inbound,
                    InboundStatus.QUARANTINED,
                    said("The address belongs to another customer."),
                )
                return
        _open(inbound, mail, sender.customer, contact, now, closed=ticket, acknowledge=True)


def _why_automatic(mail: parsing.ParsedMail) -> str | Said:
    """What made the mail automatic: the header as it came, or ours (a mailing list)."""
    why = mail.auto_submitted
    if why == parsing.DELIVERY_REPORT:
        return said("delivery report")
    if why.startswith(parsing.BOUNCE_SENDER):
        return said("sender %(address)s", address=why[len(parsing.BOUNCE_SENDER) :])
    if why:
        return why
    return "Precedence: bulk" if mail.bulk else said("mailing list")


def _contact_to_review(customer: Organisation, mail: parsing.ParsedMail) -> User | None:
    """An inactive contact of `customer` for an address we did not know; staff activate it.
    A user of `customer` with that address is reused; None when the address is a user's of
    another organisation (the caller quarantines: never a ticket in another's name)."""
    users = User.objects.filter(email__iexact=mail.from_address)
    existing = users.filter(organisation=customer).order_by("id").first()
    if existing is not None:
        return existing
    if users.exists():
        return None
    local = re.sub(r"[^\w.@+-]", "", mail.from_address)[:120]
    username = local
    if User.objects.filter(username=local).exists():
        username = f"{local[:110]}-{uuid.uuid4().hex[:6]}"
    user = accounts.create_user(
        None,
        username=username,
        password=None,
        organisation=customer,
        roles=[Role.CUSTOMER_CONTACT],
        email=mail.from_address,
        display_name=mail.from_name[:150],
        is_active=False,
    )
    record(
        EventKind.UPDATED,
        user,
        after={"is_active": False},
        summary=said("contact from e-mail, to review"),
        organisation=customer,
    )
    return user


def _kind(subject: str) -> str:
    return TicketKind.COMPLAINT if COMPLAINT.search(subject) else TicketKind.REQUEST


def _open(
    inbound: InboundMessage,
    mail: parsing.ParsedMail,
    customer: Organisation,
    contact: User | None,
    now: dt.datetime,
    *,
    closed: Ticket | None = None,
    reason_prefix: Sequence[Said] = (),
    acknowledge: bool = False,
) -> Ticket:
    """Open a ticket from `mail`; with `acknowledge` (a person's message that came in
    directly, not released from quarantine) the sender gets an acknowledgement."""
    description = mail.text or mail.subject or in_language_of(customer, EMPTY_MESSAGE)
    if closed is not None:
        follow_up = in_language_of(customer, FOLLOW_UP, ticket=closed.reference)
        description = f"{follow_up}\n\n{description}"
    with transaction.atomic():
        ticket = desk.open_ticket(
            None,
            customer=customer,
            kind=_kind(mail.subject),
            subject=mail.subject or in_language_of(customer, NO_SUBJECT),
            description=description,
            channel=Channel.EMAIL,
            contact=contact,
            requester=mail.sender_label,
            email_message_id=mail.message_id,
            now=now,
        )
        message = ticket.messages.order_by("id").first()
        _attach(ticket, message, mail, inbound, now)
        # Mail released from quarantine is never acknowledged (nor automatic mail).
        acknowledged = False
        reason = [*reason_prefix, said("Opened %(ticket)s.", ticket=ticket.reference)]
        if acknowledge and not mail.automatic:
            acknowledged, why_not = _acknowledge(inbound, mail, ticket)
            if not acknowledged:
                reason.append(said("No acknowledgement sent: %(why)s.", why=why_not))
        _finish(
            inbound,
            InboundStatus.PROCESSED,
            reason,
            ticket=ticket,
            message=message,
            acknowledged=acknowledged,
        )
    return ticket


def _thread(
    inbound: InboundMessage,
    mail: parsing.ParsedMail,
    ticket: Ticket,
    contact: User | None,
    now: dt.datetime,
    reason_prefix: Sequence[Said] = (),
) -> TicketMessage:
    """Add `mail` to `ticket`. Automatic mail (out-of-office, delivery reports) is kept on
    the ticket but is no customer reply: it reopens nothing and moves no clock."""
    actor = (
        contact if contact is not None and contact.organisation_id == ticket.customer_id else None
    )
    passive = mail.automatic
    reason = (
        said(
            "Automatic mail (%(why)s) on %(ticket)s, no status change.",
            why=_why_automatic(mail),
            ticket=ticket.reference,
        )
        if passive
        else said("Reply to %(ticket)s.", ticket=ticket.reference)
    )
    with transaction.atomic():
        message = desk.reply(
            actor,
            ticket,
            mail.text or mail.subject or in_language_of(ticket.customer, EMPTY_MESSAGE),
            channel=Channel.EMAIL,
            author_label=mail.sender_label[:200] or "?",
            email_message_id=mail.message_id,
            now=now,
            passive=passive,
        )
        _attach(ticket, message, mail, inbound, now)
        _finish(
            inbound,
            InboundStatus.PROCESSED,
            [*reason_prefix, reason],
            ticket=ticket,
            message=message,
        )
    return message


def _attach(
    ticket: Ticket,
    message: TicketMessage | None,
    mail: parsing.ParsedMail,
    inbound: InboundMessage,
    now: dt.datetime,
) -> None:
    cap = max_attachment_bytes()
    for part in mail.attachments:
        if part.data is None or message is None:
            # Too big: the raw message keeps it; staff see a note on the ticket's timeline.
            record(
                EventKind.UPDATED,
                ticket,
                summary=said(
                    "attachment “%(name)s” (%(size)s bytes) not kept: larger than %(cap)s "
                    "bytes; it stays in inbound e-mail #%(inbound)s",
                    name=part.filename,
                    size=part.size,
                    cap=cap,
                    inbound=inbound.pk,
                ),
                organisation=ticket.customer,
                at=now,
            )
            continue
        desk.add_file(
            message, filename=part.filename, content_type=part.content_type, data=part.data
        )


def _require_staff(actor: User | AnonymousUser) -> None:
    if not is_operator_staff(actor):
        raise PermissionDenied(_("Only the operator's staff may do this."))


def release(
    actor: User, inbound: InboundMessage, customer: Organisation, now: dt.datetime | None = None
) -> InboundMessage:
    """Staff release a quarantined message to `customer`: it threads into its ticket when
    it answers one of that customer's, else opens a ticket. Raises ValidationError when the
    message is not quarantined or `customer` is not a customer."""
    _require_staff(actor)
    now = now or timezone.now()
    if inbound.status != InboundStatus.QUARANTINED:
        raise ValidationError(_("Only quarantined messages are released."))
    if customer.kind != OrganisationKind.CUSTOMER:
        raise ValidationError({"customer": _("A ticket belongs to a customer.")})
    with inbound.raw.open("rb") as fh:
        raw = fh.read()
    mail = parsing.parse(raw, max_attachment_bytes=max_attachment_bytes())
    prefix = [said("Released by %(user)s.", user=actor.get_username())]
    contact = (
        User.objects.filter(email__iexact=mail.from_address, organisation=customer).first()
        if mail.from_address
        else None
    )
    with transaction.atomic():
        ticket = find_ticket(mail)
        if (
            ticket is not None
            and ticket.customer_id == customer.pk
            and ticket.status != Status.CLOSED
        ):
            _thread(inbound, mail, ticket, contact, now, reason_prefix=prefix)
        else:
            _open(inbound, mail, customer, contact, now, reason_prefix=prefix)
        record(
            EventKind.STATE_CHANGED,
            inbound,
            actor=actor,
            before={"status": InboundStatus.QUARANTINED},
            after={"status": InboundStatus.PROCESSED, "customer": customer.pk},
            summary=said("released"),
            organisation=customer,
            at=now,
        )
    inbound.refresh_from_db()
    return inbound


def ignore(actor: User, inbound: InboundMessage, now: dt.datetime | None = None) -> InboundMessage:
    """Staff decide a quarantined message needs nothing (spam, a stray auto-reply)."""
    _require_staff(actor)
    if inbound.status != InboundStatus.QUARANTINED:
        raise ValidationError(_("Only quarantined messages are ignored."))
    with transaction.atomic():
        before = inbound.status
        # The steps so far stay; a reason stored before as written stays as written.
        earlier = list(inbound.reason_parts or []) or (
            [{"text": inbound.reason}] if inbound.reason else []
        )
        _finish(
            inbound,
            InboundStatus.IGNORED,
            said("Ignored by %(user)s.", user=actor.get_username()),
            ticket=inbound.ticket,
            earlier=earlier,
        )
        record(
            EventKind.STATE_CHANGED,
            inbound,
            actor=actor,
            before={"status": before},
            after={"status": InboundStatus.IGNORED},
            summary=said("ignored"),
            at=now or timezone.now(),
        )
    return inbound
