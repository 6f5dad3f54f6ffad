"""The only code that changes tickets. One function per action; each owns its transaction,
records its events and writes its notifications in the same transaction (outbox)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import OrganisationKind
from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.desk import callback_schedule, clocks
from baozhang.desk.customer_fields import CUSTOMER_CHANNELS
from baozhang.desk.models import (
    FINISHED_STATUSES,
    PAUSING_STATUSES,
    Attachment,
    CallbackStatus,
    Channel,
    Clock,
    ClockKind,
    Group,
    Level,
    Priority,
    Status,
    Ticket,
    TicketMessage,
    Visibility,
)
from baozhang.desk.notices import nobody_at_level, notify_customer, notify_people
from baozhang.desk.policy import clock_target
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import Said, choice, said

if TYPE_CHECKING:
    from baozhang.accounts.models import Organisation, User

TICKET_FIELDS = (
    "kind",
    "subject",
    "category",
    "priority",
    "channel",
    "status",
    "assignee",
    "group",
    "level",
    "green_channel",
    "agreement",
    "customer",
    "contact",
)


def _require_staff(actor: Any) -> None:
    """Desk work (reply as staff, status, assignment, escalation) needs the WORK_TICKETS
    capability; None is the system itself (rules, the worker, intake)."""
    if actor is not None and not can(actor, Capability.WORK_TICKETS):
        raise PermissionDenied(_("You are not allowed to work on tickets."))


def sync_next_due(ticket: Ticket) -> None:
    """Store the nearest deadline of the running clocks on the ticket (the queue's index)."""
    due = (
        ticket.clocks.filter(stopped_at__isnull=True, due_at__isnull=False)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if ticket.next_due_at != due:
        ticket.next_due_at = due
        Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due)


def _can_act_on(actor: Any, ticket: Ticket) -> bool:
    if actor is None or is_operator_staff(actor):
        return True
    return actor.is_authenticated and actor.organisation_id == ticket.customer_id


def _new_clock(ticket: Ticket, kind: str, at: dt.datetime) -> Clock | None:
    """A clock of `kind` started at `at` with its deadline computed, not yet saved; None
    when no target applies to the ticket."""
    target = clock_target(ticket, kind)
    if target is None:
        return None
    clock = Clock(
        ticket=ticket,
        kind=kind,
        target=target.target,
        calendar_key=target.calendar_key,
        source=target.source,
        started_at=at,
    )
    return clocks.refresh(clock, at)


def _new_clocks(ticket: Ticket, kinds: tuple[str, ...], at: dt.datetime) -> list[Clock]:
    return [c for kind in kinds if (c := _new_clock(ticket, kind, at)) is not None]


def _start_clock(ticket: Ticket, kind: str, at: dt.datetime) -> Clock | None:
    clock = _new_clock(ticket, kind, at)
    if clock is None:
        return None
    clock.save()
    sync_next_due(ticket)
    return clock


def _running(ticket: Ticket, kind: str | None = None) -> list[Clock]:
    qs = ticket.clocks.filter(stopped_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.select_for_update())


def _stop_clock(clock: Clock, at: dt.datetime) -> None:
    clocks.resume(clock, at)
    clock.stopped_at = at
    clocks.refresh(clock, at)
    clock.save()
    sync_next_due(clock.ticket)


def _green_group() -> Group | None:
    return Group.objects.filter(is_green_channel=True).first()


@transaction.atomic
def open_ticket(
    actor: User | None,
    *,
    customer: Organisation,
    kind: str,
    subject: str,
    description: str = "",
    channel: str = Channel.PORTAL,
    contact: User | None = None,
    requester: str = "",
    priority: str = "P3",
    category: Any = None,
    green_channel: bool = False,
    agreement: Any = None,
    email_message_id: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket from any channel and start its clocks. A customer's person opens
    tickets only for their own organisation; the acknowledgement with the ticket number goes
    to the customer through the outbox, in the same transaction."""
    now = now or timezone.now()
    if customer.kind != OrganisationKind.CUSTOMER:
        raise ValidationError({"customer": _("A ticket belongs to a customer.")})
    if actor is not None and not is_operator_staff(actor):
        if actor.organisation_id != customer.pk:
            raise PermissionDenied(_("You can only open tickets for your own organisation."))
        contact = actor
        green_channel = False  # the operator decides who takes the green channel (D6)
        priority = Priority.P3  # and the priority; a customer's channel is the one they used
        if channel not in CUSTOMER_CHANNELS:
            channel = Channel.PORTAL
    if not subject.strip():
        raise ValidationError({"subject": _("A subject is required.")})
    if agreement is None:
        agreement = customer.agreements.in_force().first()
    green = green_channel or customer.green_channel or bool(contact and contact.green_channel)
    ticket = Ticket(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        kind=kind,
        customer=customer,
        contact=contact,
        requester=requester[:200],
        subject=subject.strip()[:300],
        description=description,
        channel=channel,
        priority=priority,
        category=category,
        green_channel=green,
        agreement=agreement,
        created_at=now,
        status=Status.NEW,
        group=_green_group() if green else None,
    )
    # The related rows were given as objects just read: no query to check they exist.
    ticket.full_clean(
        exclude=["reference", "customer", "contact", "agreement", "category", "group"],
        validate_unique=False,
    )
    ticket.save(force_insert=True)
    # The reference comes from the id; it is written below with the first deadline, in
    # one UPDATE (profile in docs/benchmarks.md, "Ticket creation").
    ticket.reference = f"BZ-{ticket.pk:06d}"
    TicketMessage.objects.create(
        ticket=ticket,
        author=contact if contact and not is_operator_staff(contact) else None,
        author_label=str(contact or requester or customer),
        from_customer=True,
        channel=channel,
        body=description or subject,
        email_message_id=email_message_id,
        created_at=now,
    )
    started = _new_clocks(ticket, (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION), now)
    Clock.objects.bulk_create(started)
    # The nearest deadline of the clocks just started (sync_next_due, without reading
    # them back): the queue's index.
    dues = [c.due_at for c in started if c.due_at is not None]
    ticket.next_due_at = min(dues) if dues else None
    Ticket.objects.filter(pk=ticket.pk).update(
        reference=ticket.reference, next_due_at=ticket.next_due_at
    )
    # The clocks as started, for an answer that shows them without reading them back
    # (the API's); an escalation below returns a fresh ticket without them.
    ticket.started_clocks = started  # type: ignore[attr-defined]
    record(
        EventKind.CREATED,
        ticket,
        actor=actor,
        after=snapshot(ticket, TICKET_FIELDS),
        summary=said("via %(channel)s", channel=choice(Channel(ticket.channel).label)),
        at=now,
    )
    from baozhang.desk.rules import matching_rule

    rule = matching_rule(ticket, now)
    while rule is not None and ticket.level < rule.to_level:
        ticket = escalate(
            None, ticket, said("rule %(rule)s", rule=rule.name), now=now, automatic=True
        )
    notify_customer(ticket, "ticket_received", "received")
    return ticket


def _check_open(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise ValidationError({"status": _("The ticket is closed.")})


@transaction.atomic
def reply(
    actor: User | None,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    channel: str = Channel.AGENT,
    author_label: str = "",
    email_message_id: str = "",
    now: dt.datetime | None = None,
    passive: bool = False,
) -> TicketMessage:
    """A public reply or an internal note. Staff's first public reply stops the
    first-response clock; each public reply of staff restarts the next-update clock of a
    fault (F4). A reply of the customer resumes clocks paused while waiting for them and
    reopens a resolved ticket. A `passive` message (an automatic reply: out-of-office,
    delivery report) is kept on the ticket but changes no status and no clock."""
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not _can_act_on(actor, ticket):
        raise PermissionDenied(_("You cannot reply to this ticket."))
    _check_open(ticket)
    staff = actor is not None and is_operator_staff(actor)
    from_customer = not staff
    if internal and not staff:
        raise PermissionDenied(_("Only staff write internal notes."))
    if not body.strip():
        raise ValidationError({"body": _("The text is empty.")})
    message = TicketMessage.objects.create(
        ticket=ticket,
        author=actor,
        from_customer=from_customer,
        author_label=author_label or str(actor or ticket.contact or ticket.requester),
        visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
        channel=channel,
        body=body,
        email_message_id=email_message_id,
        created_at=now,
    )
    fields: list[str] = []
    if staff and not internal:
        for clock in _running(ticket, ClockKind.FIRST_RESPONSE):
            _stop_clock(clock, now)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        for clock in _running(ticket, ClockKind.NEXT_UPDATE):
            _stop_clock(clock, now)
        if ticket.status not in FINISHED_STATUSES:
            update = _start_clock(ticket, ClockKind.NEXT_UPDATE, now)
            if update is not None and ticket.status in PAUSING_STATUSES:
                clocks.pause(update, now)  # still waiting for the customer
                clocks.refresh(update, now)
                update.save()
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN
            fields.append("status")
        notify_customer(ticket, "ticket_reply", f"reply:{message.pk}", body=body)
    if from_customer and not passive and ticket.status in PAUSING_STATUSES:
        _set_status(actor, ticket, Status.OPEN, now, summary=said("customer replied"))
    if ticket.status == Status.RESOLVED and from_customer and not passive:
        _reopen(actor, ticket, now)
    if fields:
        ticket.save(update_fields=[*fields, "updated_at"])
    record(
        EventKind.CREATED,
        message,
        actor=actor,
        parent=ticket,
        # An internal note's event belongs to no organisation: only staff see it.
        organisation=None if internal else ticket.customer,
        object_label=f"{ticket.reference}: {'note' if internal else 'reply'}",
        summary=body[:200],
        at=now,
    )
    return message


def _english(label: Any) -> str:
    """A choice label's English text: its msgid in the catalogue, for a stored message."""
    from django.utils import translation

    with translation.override("en"):
        return str(label)


def _set_status(
    actor: Any, ticket: Ticket, status: str, now: dt.datetime, summary: str | Said = ""
) -> None:
    before = ticket.status
    if before == status:
        return
    if status in PAUSING_STATUSES:
        for clock in _running(ticket):
            clocks.pause(clock, now)
            clocks.refresh(clock, now)
            clock.save()
    elif before in PAUSING_STATUSES:
        for clock in _running(ticket):
            clocks.resume(clock, now)
            clocks.refresh(clock, now)
            clock.save()
    ticket.status = status
    ticket.save(update_fields=["status", "updated_at"])
    sync_next_due(ticket)
    record(
        EventKind.STATE_CHANGED,
        ticket,
        actor=actor,
        before={"status": before},
        after={"status": status},
        summary=summary,
        at=now,
    )


def _reopen(actor: Any, ticket: Ticket, now: dt.datetime) -> None:
    """Every way back from resolved: count it, start a new resolution clock (the promise
    starts again), and withdraw the callback that was waiting for this resolution."""
    ticket.reopen_count += 1
    ticket.resolved_at = None
    ticket.save(update_fields=["reopen_count", "resolved_at", "updated_at"])
    _set_status(actor, ticket, Status.OPEN, now, summary=said("reopened"))
    _start_clock(ticket, ClockKind.RESOLUTION, now)
    ticket.callbacks.filter(status=CallbackStatus.PENDING).update(
        status=CallbackStatus.CANCELLED, done_at=now
    )


@transaction.atomic
def change_status(
    actor: User | None,
    ticket: Ticket,
    status: str,
    now: dt.datetime | None = None,
    reason: str = "",
) -> Ticket:
    """Staff move a ticket: in progress, waiting for the customer (clocks pause), resolved
    (clocks stop, the customer is told), closed; a resolved ticket can be reopened."""
    now = now or timezone.now()
    _require_staff(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check_open(ticket)
    if status not in Status.values or status == Status.NEW:
        raise ValidationError({"status": _("Unknown status %(value)s.") % {"value": status}})
    if status == ticket.status:
        return ticket
    if ticket.status == Status.RESOLVED and status != Status.CLOSED:
        _reopen(actor, ticket, now)  # any way out of resolved but closing is a reopening
        if status == Status.OPEN:
            return ticket
        _set_status(actor, ticket, status, now, summary=reason)
        return ticket
    if status in FINISHED_STATUSES:
        for clock in _running(ticket):
            _stop_clock(clock, now)
        if status == Status.RESOLVED:
            ticket.resolved_at = now
        else:
            ticket.closed_at = now
            ticket.resolved_at = ticket.resolved_at or now
        ticket.save(update_fields=["resolved_at", "closed_at", "updated_at"])
    _set_status(actor, ticket, status, now, summary=reason)
    if status == Status.RESOLVED:
        notify_customer(ticket, "ticket_resolved", f"resolved:{ticket.reopen_count}")
        callback_schedule.schedule(ticket, now)
    return ticket


@transaction.atomic
def update_ticket(
    actor: User | None, ticket: Ticket, now: dt.datetime | None = None, **fields: Any
) -> Ticket:
    """Staff change assignee, group, priority, category, kind or the green-channel mark.
    A new priority, category or kind recomputes the open clocks' targets, keeping their
    start and pauses (a clock never forgets a pause)."""
    now = now or timezone.now()
    _require_staff(actor)
    allowed = {"assignee", "group", "priority", "category", "kind", "green_channel", "subject"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown ticket fields: {sorted(unknown)}")
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    assignee = fields.get("assignee")
    if assignee is not None and not is_operator_staff(assignee):
        raise ValidationError({"assignee": _("Tickets are assigned to the operator's staff.")})
    before = snapshot(ticket, tuple(fields))
    for key, value in fields.items():
        setattr(ticket, key, value)
    if fields.get("green_channel") and ticket.group is None:
        ticket.group = _green_group()
    ticket.full_clean()
    ticket.save()
    old, new = changed(before, snapshot(ticket, tuple(fields)))
    if new:
        # Assignment and priority changes are the operator's own: a staff-only event.
        record(
            EventKind.UPDATED, ticket, actor=actor, organisation=None, before=old, after=new, at=now
        )
    if {"priority", "category", "kind"} & set(new):
        for clock in _running(ticket):
            target = clock_target(ticket, clock.kind)
            if target is None:
                _stop_clock(clock, now)
                continue
            clock.target, clock.calendar_key, clock.source = (
                target.target,
                target.calendar_key,
                target.source,
            )
            clocks.refresh(clock, now)
            clock.save()
        sync_next_due(ticket)
    if "assignee" in new and ticket.assignee is not None:
        notify_people(
            [ticket.assignee],
            ticket,
            "ticket_assigned",
            f"assigned:{ticket.assignee_id}:{now.timestamp():.0f}",
        )
    return ticket


@transaction.atomic
def escalate(
    actor: User | None,
    ticket: Ticket,
    reason: str | Said,
    *,
    now: dt.datetime | None = None,
    automatic: bool = False,
) -> Ticket:
    """Move the ticket one level up the chain of D5 (customer service → technical
    department → complaint administrator → service director), hand it to that level's group
    and notify its members. Refused at the top level."""
    now = now or timezone.now()
    _require_staff(actor)
    if not str(reason).strip():
        raise ValidationError({"reason": _("Say why the ticket is escalated.")})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.level >= Level.SERVICE_DIRECTOR:
        raise ValidationError({"level": _("The ticket is already with the service director.")})
    before = {"level": ticket.level, "group": ticket.group_id, "assignee": ticket.assignee_id}
    ticket.level += 1
    group = Group.objects.filter(level=ticket.level).first()
    ticket.group = group
    ticket.assignee = None
    ticket.save(update_fields=["level", "group", "assignee", "updated_at"])
    after = {"level": ticket.level, "group": ticket.group_id, "assignee": None}
    # The reason and who holds it are the operator's business: that event is staff-only
    # (no organisation); the customer's timeline gets the plain fact of the new level.
    record(
        EventKind.STATE_CHANGED,
        ticket,
        actor=actor,
        before=before,
        after=after,
        organisation=None,
        summary=said("automatically: %(reason)s", reason=reason) if automatic else reason,
        at=now,
    )
    record(
        EventKind.STATE_CHANGED,
        ticket,
        actor_label="service desk / 服务台",
        before={"level": before["level"]},
        after={"level": ticket.level},
        summary=said("escalated to %(level)s", level=said(_english(Level(ticket.level).label))),
        at=now,
    )
    people = list(group.members.filter(is_active=True)) if group else []
    notify_people(
        people,
        ticket,
        "ticket_escalated",
        f"escalated:{ticket.level}",
        level=Level(ticket.level).label,
        reason=reason,
    )
    if not people:
        whom = group.name if group else ""  # "": no group takes tickets at that level
        nobody_at_level(ticket, "ticket_escalated", f"escalated:{ticket.level}", whom)
    return ticket


@transaction.atomic
def rate(actor: User, ticket: Ticket, rating: int) -> Ticket:
    """The customer rates a resolved ticket (1–5)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if is_operator_staff(actor) or actor.organisation_id != ticket.customer_id:
        raise PermissionDenied(_("Only the customer rates their ticket."))
    if ticket.status not in FINISHED_STATUSES:
        raise ValidationError({"rating": _("A ticket is rated once it is resolved.")})
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    before = ticket.rating
    ticket.rating = int(rating)
    ticket.save(update_fields=["rating", "updated_at"])
    record(
        EventKind.UPDATED,
        ticket,
        actor=actor,
        before={"rating": before},
        after={"rating": ticket.rating},
    )
    return ticket


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def attach(
    actor: User | None,
    ticket: Ticket,
    upload: Any,
    note: str = "",
    *,
    channel: str = Channel.PORTAL,
    now: dt.datetime | None = None,
) -> TicketMessage:
    """Add a file to the ticket as a message of its own (the note, or the file name)."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            }
        )
    message = reply(actor, ticket, note or f"📎 {upload.name}", channel=channel, now=now)
    Attachment.objects.create(
        message=message,
        file=upload,
        filename=upload.name[:255],
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size,
    )
    return message


def add_file(
    message: TicketMessage, *, filename: str, content_type: str, data: bytes
) -> Attachment:
    """Keep a file with a message already written (a mail's attachments with the message
    the mail became); the caller has checked its size against its own limit."""
    attachment = Attachment(
        message=message,
        filename=filename[:255],
        content_type=content_type[:100],
        size=len(data),
    )
    attachment.file.save(filename[-100:] or "attachment", ContentFile(data), save=False)
    attachment.save()
    return attachment
