"""Customer callbacks (D4): created when a ticket is resolved, done by an agent from a
script or answered by the customer through a survey link; an unsatisfied answer reopens the
ticket or opens a complaint, as the desk's rule says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import Capability, can
from baozhang.desk import services
from baozhang.desk.models import Callback, CallbackStatus, Channel, Status, TicketKind
from baozhang.events.models import EventKind
from baozhang.events.services import record


def _apply_rule(actor: Any, callback: Callback, now: dt.datetime) -> None:
    """An unsatisfied answer (at or below DESK_UNSATISFIED_AT) reopens the ticket or opens a
    complaint, by DESK_UNSATISFIED_ACTION."""
    if callback.satisfaction is None or callback.satisfaction > settings.DESK_UNSATISFIED_AT:
        return
    ticket = callback.ticket
    if settings.DESK_UNSATISFIED_ACTION == "complaint":
        complaint = services.open_ticket(
            None,
            customer=ticket.customer,
            kind=TicketKind.COMPLAINT,
            contact=ticket.contact,
            subject=f"回访不满意 Unsatisfied after {ticket.reference}: {ticket.subject}"[:300],
            description=callback.outcome,
            channel=Channel.AGENT,
            now=now,
        )
        callback.follow_up = complaint
        callback.save(update_fields=["follow_up"])
    elif ticket.status == Status.RESOLVED:
        services.change_status(
            None, ticket, Status.OPEN, now=now, reason="unsatisfied at callback / 回访不满意"
        )


def _finish(
    actor: Any,
    callback: Callback,
    *,
    status: str,
    outcome: str,
    satisfaction: int | None,
    by_survey: bool,
    now: dt.datetime,
) -> Callback:
    if callback.status != CallbackStatus.PENDING:
        raise ValidationError({"status": _("This callback is already done.")})
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("Give a satisfaction from 1 to 5.")})
    callback.status = status
    callback.outcome = outcome
    callback.satisfaction = satisfaction
    callback.answered_by_survey = by_survey
    callback.done_by = actor if actor is not None and actor.is_authenticated else None
    callback.done_at = now
    callback.save()
    record(
        EventKind.STATE_CHANGED,
        callback,
        actor=actor,
        parent=callback.ticket,
        organisation=callback.ticket.customer,
        object_label=f"{callback.ticket.reference}: callback",
        before={"status": CallbackStatus.PENDING},
        after={"status": status, "satisfaction": satisfaction},
        summary=outcome[:200],
        at=now,
    )
    _apply_rule(actor, callback, now)
    return callback


@transaction.atomic
def record_call(
    actor: Any,
    callback: Callback,
    *,
    reached: bool,
    outcome: str,
    satisfaction: int | None,
    now: dt.datetime | None = None,
) -> Callback:
    """An agent records the callback they made from the script."""
    if not can(actor, Capability.WORK_TICKETS):
        raise PermissionDenied(_("Only the operator's staff make callbacks."))
    callback = Callback.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
    if reached and satisfaction is None:
        raise ValidationError({"satisfaction": _("Record the customer's satisfaction.")})
    return _finish(
        actor,
        callback,
        status=CallbackStatus.DONE if reached else CallbackStatus.NO_ANSWER,
        outcome=outcome,
        satisfaction=satisfaction if reached else None,
        by_survey=False,
        now=now or timezone.now(),
    )


@transaction.atomic
def answer_survey(
    token: str, *, satisfaction: int, comment: str = "", now: dt.datetime | None = None
) -> Callback:
    """The customer answers the survey link they were sent (no sign-in needed)."""
    callback = (
        Callback.objects.select_for_update()
        .select_related("ticket")
        .filter(survey_token=token)
        .first()
    )
    if callback is None:
        raise ValidationError({"token": _("This survey link is not valid.")})
    return _finish(
        None,
        callback,
        status=CallbackStatus.DONE,
        outcome=comment,
        satisfaction=satisfaction,
        by_survey=True,
        now=now or timezone.now(),
    )
