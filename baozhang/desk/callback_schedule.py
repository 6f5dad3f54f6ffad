"""Scheduling a customer callback when a ticket is resolved (D4): the lower half of the
callbacks, called by the ticket services; doing and answering callbacks (callbacks.py) sits
above the ticket services."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.urls import reverse

from baozhang.calendars.selectors import calendar_for
from baozhang.core.calendar_iso import parse_duration
from baozhang.desk.models import Callback, Ticket
from baozhang.desk.notices import notify_customer
from baozhang.events.models import EventKind
from baozhang.events.services import record


def schedule(ticket: Ticket, now: dt.datetime) -> Callback:
    """A callback for a just-resolved ticket, due within DESK_CALLBACK_WITHIN business time
    on DESK_CALLBACK_CALENDAR; the customer gets the survey link at once. Call inside the
    resolving transaction."""
    limit = parse_duration(settings.DESK_CALLBACK_WITHIN)
    calendar = calendar_for(settings.DESK_CALLBACK_CALENDAR)
    due = calendar.add(now, limit).at
    callback = Callback.objects.create(
        ticket=ticket, due_at=due, survey_token=secrets.token_urlsafe(24), created_at=now
    )
    path = reverse("desk:survey", args=[callback.survey_token])
    notify_customer(
        ticket,
        "callback_survey",
        f"survey:{callback.pk}",
        survey_url=f"{settings.BAOZHANG_BASE_URL}{path}",
    )
    record(
        EventKind.CREATED,
        callback,
        parent=ticket,
        organisation=ticket.customer,
        object_label=f"{ticket.reference}: callback",
        after={"due_at": due},
        at=now,
    )
    return callback
