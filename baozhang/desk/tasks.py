"""The desk's background work: warn when a clock reaches its warning share, and on breach
record it, notify, and escalate one level (D5). Each clock is acted on once, whatever the
number of workers: a conditional UPDATE claims it (the healthchecks habit)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from baozhang.desk.models import Clock, Level
from baozhang.events.models import EventKind
from baozhang.events.services import record

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
            if not Clock.objects.filter(pk=clock_id, warned=False).update(warned=True):
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
                summary="SLA warning / 时限预警",
                at=now,
            )
            services._notify_people(
                _recipients(ticket),
                ticket,
                "sla_warning",
                f"warn:{clock.pk}",
                clock=clock.get_kind_display(),
                due_at=clock.due_at,
            )
            warned += 1
    due = Clock.objects.filter(stopped_at__isnull=True, breached=False, due_at__lte=now)
    for clock_id in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if not Clock.objects.filter(pk=clock_id, breached=False).update(
                breached=True, state="breached"
            ):
                continue
            clock = Clock.objects.select_related("ticket").get(pk=clock_id)
            ticket = clock.ticket
            record(
                EventKind.STATE_CHANGED,
                clock,
                organisation=ticket.customer,
                parent=ticket,
                object_label=f"{ticket.reference}: {clock.get_kind_display()}",
                before={"state": "running"},
                after={"state": "breached"},
                summary="SLA breached / 超出时限",
                at=now,
            )
            services._notify_people(
                _recipients(ticket),
                ticket,
                "sla_breach",
                f"breach:{clock.pk}",
                clock=clock.get_kind_display(),
                due_at=clock.due_at,
            )
            if ticket.level < Level.SERVICE_DIRECTOR:
                services.escalate(
                    None,
                    ticket,
                    f"{clock.get_kind_display()} breached / 超出时限",
                    now=now,
                    automatic=True,
                )
            breached += 1
    if warned or breached:
        log.info("desk clocks: %d warnings, %d breaches", warned, breached)
    return warned, breached


def register() -> None:
    from baozhang.jobs.registry import register_periodic

    register_periodic("desk.check_clocks", check_clocks, every_seconds=30)
