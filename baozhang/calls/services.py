"""The only code that changes call records: one function per action, each with its event."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import OrganisationKind
from baozhang.accounts.permissions import is_operator_staff
from baozhang.calls.models import CallChannel, CallRecord, Direction
from baozhang.core.text import clean_line, clean_text
from baozhang.desk import services as desk
from baozhang.desk.models import TicketKind
from baozhang.events.models import EventKind
from baozhang.events.services import record, snapshot
from baozhang.events.text import choice, said

if TYPE_CHECKING:
    from baozhang.accounts.models import Organisation, User

CALL_FIELDS = (
    "channel",
    "direction",
    "caller_name",
    "number",
    "customer",
    "started_at",
    "answered",
    "duration_seconds",
    "agent",
    "ticket",
)

# A call logged as starting this far ahead of the server's clock is a typing mistake.
_FUTURE_SLACK = dt.timedelta(minutes=5)


@transaction.atomic
def record_call(
    actor: User | None,
    *,
    channel: str,
    started_at: dt.datetime,
    answered: bool,
    direction: str = Direction.IN,
    number: str = "",
    caller_name: str = "",
    customer: Organisation | None = None,
    duration_seconds: int = 0,
    agent: User | None = None,
    note: str = "",
    follow_up: bool = False,
    ticket_kind: str = TicketKind.FAULT,
    subject: str = "",
    now: dt.datetime | None = None,
) -> CallRecord:
    """Log one call or fax. Only the operator's staff log calls; an answered call defaults
    to the logging agent. With ``follow_up`` an answered call of a known customer opens a
    ticket on the call's channel (the ticket's first message is the note), linked to the
    call. Raises ValidationError naming the field for a missed call with a duration, a
    time in the future, a follow-up without an answer or without a customer."""
    now = now or timezone.now()
    if actor is None or not is_operator_staff(actor):
        raise PermissionDenied(_("Only the operator's staff log calls."))
    # Control characters are removed at the door (the form and the API both come here).
    number, caller_name, subject = clean_line(number), clean_line(caller_name), clean_line(subject)
    note = clean_text(note)
    errors: dict[str, str] = {}
    if channel not in CallChannel.values:
        errors["channel"] = _("Unknown channel %(value)s; use hotline, free_800 or fax.") % {
            "value": channel
        }
    if direction not in Direction.values:
        errors["direction"] = _("Unknown direction %(value)s; use in or out.") % {
            "value": direction
        }
    if started_at.tzinfo is None:
        errors["started_at"] = _("The time needs a time zone.")
    elif started_at > now + _FUTURE_SLACK:
        errors["started_at"] = _("The call cannot start in the future (%(value)s).") % {
            "value": started_at.isoformat()
        }
    if duration_seconds < 0:
        errors["duration_seconds"] = _("The duration cannot be negative.")
    elif not answered and duration_seconds:
        errors["duration_seconds"] = _("A missed call has no duration (got %(value)s s).") % {
            "value": duration_seconds
        }
    if customer is not None and customer.kind != OrganisationKind.CUSTOMER:
        errors["customer"] = _("%(value)s is not a customer.") % {"value": customer}
    if follow_up and not answered:
        errors["follow_up"] = _("Only an answered call can open a ticket.")
    elif follow_up and customer is None:
        errors["customer"] = _("Choose the customer to open a ticket for.")
    if not (number.strip() or caller_name.strip()):
        errors["number"] = _("Give the number or the caller's name.")
    if errors:
        raise ValidationError(errors)
    if agent is None and answered:
        agent = actor
    call = CallRecord.objects.create(
        channel=channel,
        direction=direction,
        caller_name=caller_name.strip()[:200],
        number=number.strip()[:50],
        customer=customer,
        started_at=started_at,
        answered=answered,
        duration_seconds=duration_seconds,
        agent=agent,
        note=note,
        logged_by=actor,
        logged_at=now,
    )
    if follow_up:
        assert customer is not None  # checked above
        who = " ".join(p for p in (caller_name.strip(), number.strip()) if p)
        call.ticket = desk.open_ticket(
            actor,
            customer=customer,
            kind=ticket_kind,
            subject=subject.strip() or f"{call.get_channel_display()}: {who}",
            description=note,
            channel=channel,
            requester=who,
            now=now,
        )
        call.save(update_fields=["ticket"])
    record(
        EventKind.CREATED,
        call,
        actor=actor,
        after=snapshot(call, CALL_FIELDS),
        summary=said(
            "%(channel)s: answered" if answered else "%(channel)s: missed",
            channel=choice(CallChannel(channel).label),
        ),
        at=now,
        parent=call.ticket,
    )
    return call
