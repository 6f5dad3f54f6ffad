"""The periodic work of maintenance plans: generate the work orders ahead, warn before a
work order's time limit and escalate after it. Each work order is warned once and
escalated once whatever the number of workers: a conditional UPDATE claims it."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from baozhang.accounts.models import Role, User
from baozhang.accounts.selectors import staff_filter
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify.services import notify_user
from baozhang.upkeep import services
from baozhang.upkeep.models import OrderStatus, WorkOrder

log = logging.getLogger("baozhang.upkeep")

BATCH = 200


def generate_due(now: dt.datetime | None = None) -> int:
    """The periodic job: the missing work orders of every active plan."""
    created = services.generate(now or timezone.now())
    if created:
        log.info("upkeep: %d work orders generated", created)
    return created


def _team(order: WorkOrder) -> list[User]:
    return list(order.plan.team.filter(is_active=True))


def _above(order: WorkOrder) -> list[User]:
    """The level above the team: the plan's supervisors, else the service directors."""
    people = list(order.plan.supervisors.filter(is_active=True))
    if people:
        return people
    return list(
        User.objects.filter(
            staff_filter(), is_active=True, groups__name=Role.SERVICE_DIRECTOR
        ).distinct()
    )


def _tell(people: list[User], order: WorkOrder, template: str, key: str) -> None:
    context = {
        "reference": order.reference,
        "item": order.plan.item,
        "asset": order.asset.name,
        "due_at": order.due_at,
        "team": order.plan.team_name,
    }
    for person in {p.pk: p for p in people}.values():
        notify_user(person, template, context, f"upkeep:{order.pk}:{key}:u{person.pk}")


def check_time_limits(now: dt.datetime | None = None) -> tuple[int, int]:
    """Warn the assignee (or the team) of each work order whose warning time has come,
    and escalate each one past its time limit to the team and the level above. Returns
    (warnings, escalations) done by this call."""
    now = now or timezone.now()
    warned = escalated = 0
    open_ = WorkOrder.objects.filter(status=OrderStatus.OPEN)
    due = open_.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if not WorkOrder.objects.filter(
                pk=pk, status=OrderStatus.OPEN, warned_at__isnull=True
            ).update(warned_at=now):
                continue  # another worker got there first
            order = WorkOrder.objects.select_related("plan", "asset", "assignee").get(pk=pk)
            people = [order.assignee] if order.assignee else _team(order)
            _tell(people, order, "upkeep_warning", "warn")
            record(
                EventKind.STATE_CHANGED,
                order,
                organisation=None,
                object_label=order.reference,
                before={"warned": False},
                after={"warned": True, "due_at": order.due_at},
                summary=said("work order time limit near"),
                at=now,
            )
            warned += 1
    late = open_.filter(escalated_at__isnull=True, due_at__lte=now)
    for pk in list(late.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if not WorkOrder.objects.filter(
                pk=pk, status=OrderStatus.OPEN, escalated_at__isnull=True
            ).update(escalated_at=now):
                continue
            order = WorkOrder.objects.select_related("plan", "asset", "assignee").get(pk=pk)
            people = _team(order) + _above(order)
            if order.assignee:
                people.append(order.assignee)
            _tell(people, order, "upkeep_overdue", "late")
            record(
                EventKind.STATE_CHANGED,
                order,
                organisation=None,
                object_label=order.reference,
                before={"escalated": False},
                after={"escalated": True, "to": sorted({p.username for p in people})},
                summary=said("work order past its time limit, escalated"),
                at=now,
            )
            escalated += 1
    if warned or escalated:
        log.info("upkeep: %d warnings, %d escalations", warned, escalated)
    return warned, escalated
