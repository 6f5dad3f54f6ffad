"""Reading change requests and emergency plans: who sees them (the operator's staff; a
customer's people see none: 404), the filters of the change list, the unauthorised changes
of a period and their count (I2: the inspections read them), and each plan's drill state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.changes.models import ChangeRequest, ChangeState, EmergencyPlan
from baozhang.core.changes import DrillState, drill_due_on, drill_state

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_changes(user: User | AnonymousUser) -> QuerySet[ChangeRequest]:
    qs = ChangeRequest.objects.select_related(
        "requester", "approver", "implemented_by", "maintenance_window"
    )
    return qs if is_operator_staff(user) else qs.none()


def get_change(user: User | AnonymousUser, pk: int) -> ChangeRequest:
    try:
        return visible_changes(user).get(pk=pk)
    except ChangeRequest.DoesNotExist:
        raise Http404 from None


class Show:
    """The filters of the change list."""

    ALL = ""
    OPEN = "open"  # not yet implemented, rejected or cancelled
    TO_APPROVE = "to_approve"
    UNAUTHORISED = "unauthorised"
    CHOICES = (ALL, OPEN, TO_APPROVE, UNAUTHORISED)


def filter_changes(
    qs: QuerySet[ChangeRequest],
    *,
    show: str = "",
    state: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[ChangeRequest]:
    """``show`` one of Show.CHOICES, ``state`` a ChangeState value or ''; with ``start``
    and ``end``, the changes planned (or, unauthorised ones, implemented) in [start, end)."""
    if show == Show.OPEN:
        qs = qs.filter(state__in=[ChangeState.DRAFT, ChangeState.SUBMITTED, ChangeState.APPROVED])
    elif show == Show.TO_APPROVE:
        qs = qs.filter(state=ChangeState.SUBMITTED)
    elif show == Show.UNAUTHORISED:
        qs = qs.filter(unauthorised=True)
    if state:
        qs = qs.filter(state=state)
    if start is not None and end is not None:
        qs = qs.filter(
            Q(unauthorised=False, planned_start__lt=end, planned_end__gt=start)
            | Q(unauthorised=True, implemented_at__gte=start, implemented_at__lt=end)
        )
    return qs


def unauthorised_changes(start: dt.datetime, end: dt.datetime) -> QuerySet[ChangeRequest]:
    """The changes made without approval whose implementation falls in [start, end), by
    time: what the inspection of the software change rules (I2) reads."""
    return ChangeRequest.objects.filter(
        unauthorised=True, implemented_at__gte=start, implemented_at__lt=end
    ).order_by("implemented_at", "pk")


def unauthorised_count(start: dt.datetime, end: dt.datetime) -> int:
    """How many changes were made without approval in [start, end) (one query)."""
    return unauthorised_changes(start, end).count()


def change_counts(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """The changes implemented in [start, end): ``implemented`` (all), ``unauthorised``
    and ``failed`` (rolled back or failed)."""
    done = ChangeRequest.objects.filter(implemented_at__gte=start, implemented_at__lt=end)
    return {
        "implemented": done.count(),
        "unauthorised": done.filter(unauthorised=True).count(),
        "failed": done.filter(result__in=["rolled_back", "failed"]).count(),
    }


# -- emergency plans ------------------------------------------------------------------------


def visible_plans(user: User | AnonymousUser) -> QuerySet[EmergencyPlan]:
    qs = EmergencyPlan.objects.select_related("owner")
    return qs if is_operator_staff(user) else qs.none()


def get_plan(user: User | AnonymousUser, pk: int) -> EmergencyPlan:
    try:
        return visible_plans(user).get(pk=pk)
    except EmergencyPlan.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class DrillStanding:
    last_held: dt.date | None
    next_scheduled: dt.date | None
    due_on: dt.date | None
    state: DrillState

    @property
    def late(self) -> bool:
        return self.state in (DrillState.OVERDUE, DrillState.NONE_YET)


def with_drills(qs: QuerySet[EmergencyPlan]) -> QuerySet[EmergencyPlan]:
    """Plans annotated with ``last_held`` and ``next_scheduled`` (one query)."""
    return qs.annotate(
        last_held=Max("drills__held_on"),
        next_scheduled=Min("drills__scheduled_on", filter=Q(drills__held_on__isnull=True)),
    )


def standing(plan: Any, today: dt.date) -> DrillStanding:
    """Where an annotated plan (with_drills) stands with its drills on ``today``."""
    last, scheduled = plan.last_held, plan.next_scheduled
    return DrillStanding(
        last,
        scheduled,
        drill_due_on(last, scheduled, plan.drill_interval_days),
        drill_state(last, scheduled, plan.drill_interval_days, today),
    )


def plans_with_standing(
    user: User | AnonymousUser, today: dt.date
) -> list[tuple[EmergencyPlan, DrillStanding]]:
    """The visible plans in force or not, each with its drill standing."""
    return [(p, standing(p, today)) for p in with_drills(visible_plans(user))]


def drills_due(today: dt.date) -> list[tuple[EmergencyPlan, DrillStanding]]:
    """The plans in force whose drill is overdue, never held, or due soon."""
    late = (DrillState.OVERDUE, DrillState.NONE_YET, DrillState.DUE)
    return [
        (p, s)
        for p in with_drills(EmergencyPlan.objects.filter(active=True))
        if (s := standing(p, today)).state in late
    ]
