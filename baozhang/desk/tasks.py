"""The desk's background work: warn when a clock reaches its warning share, and on breach
record it, notify, and escalate one level (D5). Each clock is acted on once, whatever the
number of workers: a conditional UPDATE claims it (the healthchecks habit)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from baozhang.desk import notices
from baozhang.desk.models import FINISHED_STATUSES, Clock, ClockKind, ClockState, Level
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import choice, said

log = logging.getLogger("baozhang.desk")

BATCH = 200


def _recipients(ticket):  # type: ignore[no-untyped-def]
    if ticket.assignee is not None:
        return [ticket.assignee]
    return list(ticket.group.members.filter(is_active=True)) if ticket.group else []


def check_clocks(now: dt.datetime | None = None) -> tuple[int, int]:
    """Send the due warnings and breaches. Returns (warnings, breaches) done by this call."""
    from baozhang.desk import services

    now = now or timezone.now()
    warned = breached = 0
    due = Clock.objects.filter(stopped_at__isnull=True, warned=False, warn_at__lte=now)
    for clock_id in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if not Clock.objects.filter(
                pk=clock_id, warned=False, stopped_at__isnull=True, warn_at__lte=now
            ).update(warned=True):
                continue  # another worker got there first
            clock = Clock.objects.select_related("ticket__assignee", "ticket__group").get(
                pk=clock_id
            )
            ticket = clock.ticket
            record(
                EventKind.STATE_CHANGED,
                clock,
                organisation=ticket.customer,
                parent=ticket,
                object_label=f"{ticket.reference}: {clock.get_kind_display()}",
                before={"warned": False},
                after={"warned": True, "due_at": clock.due_at},
                summary=said("SLA warning"),
                at=now,
            )
            notices.notify_people(
                _recipients(ticket),
                ticket,
                "sla_warning",
                f"warn:{clock.pk}",
                clock=clock.get_kind_display(),
                due_at=clock.due_at,
            )
            warned += 1
    # A breach is announced once: a running clock past its due time, or one that was
    # stopped late before the sweep came round (still a breach, still escalated if open).
    overdue = Q(stopped_at__isnull=True, due_at__lte=now) | Q(
        stopped_at__isnull=False, breached=True
    )
    escalated: set[int] = set()
    for clock_id in list(
        Clock.objects.filter(overdue, breach_handled=False).values_list("pk", flat=True)[:BATCH]
    ):
        with transaction.atomic():
            claimed = Clock.objects.filter(overdue, pk=clock_id, breach_handled=False).update(
                breach_handled=True, breached=True
            )
            if not claimed:
                continue  # another worker got there first, or the deadline moved
            clock = Clock.objects.select_related("ticket").get(pk=clock_id)
            if clock.stopped_at is None:
                Clock.objects.filter(pk=clock_id).update(state=ClockState.BREACHED)
            ticket = clock.ticket
            record(
                EventKind.STATE_CHANGED,
                clock,
                organisation=None,
                parent=ticket,
                object_label=f"{ticket.reference}: {clock.get_kind_display()}",
                before={"state": ClockState.RUNNING},
                after={"state": ClockState.BREACHED},
                summary=said("SLA breached"),
                at=now,
            )
            notices.notify_people(
                _recipients(ticket),
                ticket,
                "sla_breach",
                f"breach:{clock.pk}",
                clock=clock.get_kind_display(),
                due_at=clock.due_at,
            )
            # One level per ticket per sweep, and only while it is still being worked on.
            if (
                ticket.level < Level.SERVICE_DIRECTOR
                and ticket.pk not in escalated
                and ticket.status not in FINISHED_STATUSES
            ):
                services.escalate(
                    None,
                    ticket,
                    said("%(clock)s breached", clock=choice(ClockKind(clock.kind).label)),
                    now=now,
                    automatic=True,
                )
                escalated.add(ticket.pk)
            breached += 1
    if warned or breached:
        log.info("desk clocks: %d warnings, %d breaches", warned, breached)
    return warned, breached


def register() -> None:
    from baozhang.jobs.registry import register_periodic

    register_periodic("desk.check_clocks", check_clocks, every_seconds=30)
