"""Who sees which tickets, and the queue order (green channel first, then the nearest
deadline)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.accounts.selectors import scope_to_organisation
from baozhang.desk.models import (
    FINISHED_STATUSES,
    Clock,
    ClockState,
    Status,
    Ticket,
    TicketKind,
    TicketMessage,
    Visibility,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    return scope_to_organisation(
        Ticket.objects.select_related("customer", "assignee", "group", "contact"),
        user,
        field="customer",
    )


def visible_messages(user: User | AnonymousUser, ticket: Ticket) -> QuerySet[TicketMessage]:
    """A customer's people never see internal notes."""
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    return qs if is_operator_staff(user) else qs.filter(visibility=Visibility.PUBLIC)


def _warned(now: dt.datetime) -> Q:
    """Tickets with a running clock past its warning time, not (yet) breached."""
    return Q(
        clocks__stopped_at__isnull=True,
        clocks__state=ClockState.RUNNING,
        clocks__breached=False,
        clocks__warn_at__lte=now,
    )


def queue(
    user: User | AnonymousUser, view: str = "open", *, now: dt.datetime | None = None
) -> QuerySet[Ticket]:
    """Tickets for the agent console. `view`: open (all unfinished), mine, unassigned,
    green, breached, due_soon (a running clock past its warning time at ``now``, by
    default the present, not breached), waiting, all. Green channel first (D6), then the
    nearest deadline."""
    qs = visible_tickets(user)
    if view != "all":
        qs = qs.exclude(status__in=FINISHED_STATUSES)
    if view == "mine":
        qs = qs.filter(assignee=user)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "green":
        qs = qs.filter(green_channel=True)
    elif view == "breached":
        qs = qs.filter(clocks__stopped_at__isnull=True, clocks__breached=True).distinct()
    elif view == "due_soon":
        qs = qs.filter(_warned(now or timezone.now())).distinct()
    elif view == "waiting":
        qs = qs.filter(status=Status.WAITING_CUSTOMER)
    return qs.order_by("-green_channel", F("next_due_at").asc(nulls_last=True), "created_at")


QUEUE_VIEWS = ("open", "mine", "unassigned", "green", "breached", "due_soon", "waiting", "all")


def deadline_alerts(user: User | AnonymousUser, now: dt.datetime) -> tuple[int, int]:
    """(breached, due soon): how many unfinished tickets the user sees have a running
    clock past its deadline, and how many one past its warning time only: the lengths of
    the queue's ``breached`` and ``due_soon`` views."""
    return (
        queue(user, "breached").order_by().count(),
        queue(user, "due_soon", now=now).order_by().count(),
    )


def opened_and_resolved_by_day(
    user: User | AnonymousUser, start: dt.datetime, end: dt.datetime
) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """Tickets the user sees opened, and resolved, on each local day (the current time
    zone's) of [start, end): two dicts by date, days without any left out."""
    zone = timezone.get_current_timezone()
    tickets = visible_tickets(user).order_by()
    opened = (
        tickets.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
    )
    resolved = (
        tickets.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(day=TruncDate("resolved_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
    )
    return (
        {row["day"]: row["n"] for row in opened},
        {row["day"]: row["n"] for row in resolved},
    )


def complaints_opened(
    start: dt.datetime, end: dt.datetime, customer_id: int | None = None
) -> QuerySet[Ticket]:
    """The complaints (every customer's, or one customer's) opened in [start, end)."""
    qs = Ticket.objects.filter(
        kind=TicketKind.COMPLAINT, created_at__gte=start, created_at__lt=end
    ).select_related("category")
    return qs if customer_id is None else qs.filter(customer_id=customer_id)


def clock_outcomes(tickets: QuerySet[Ticket], kind: str) -> list[tuple[Any, str]]:
    """(stopped_at, state) of each clock of ``kind`` of ``tickets``."""
    rows = Clock.objects.filter(ticket__in=tickets.order_by().values("pk"), kind=kind)
    return list(rows.values_list("stopped_at", "state"))
