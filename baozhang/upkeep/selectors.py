"""Reading maintenance plans and work orders: who sees them (the operator's staff; a
customer's people see none: 404), the filters of the work-order list, a work order's
versions of its original record, and the completeness check (missing values, missing
signatures, late records)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.upkeep.models import OrderStatus, Outcome, Plan, Reading, WorkOrder, WorkRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_plans(user: User | AnonymousUser) -> QuerySet[Plan]:
    if not is_operator_staff(user):
        return Plan.objects.none()
    return Plan.objects.all()


def get_plan(user: User | AnonymousUser, pk: int) -> Plan:
    try:
        return visible_plans(user).get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None


def visible_orders(user: User | AnonymousUser) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.select_related("plan", "asset", "assignee")
    if not is_operator_staff(user):
        return qs.none()
    return qs


def get_order(user: User | AnonymousUser, pk: int) -> WorkOrder:
    try:
        return visible_orders(user).get(pk=pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None


class Show:
    """The filters of the work-order list."""

    ALL = ""
    OPEN = "open"
    LATE = "late"
    MINE = "mine"
    TO_ACCEPT = "to_accept"
    CHOICES = (ALL, OPEN, LATE, MINE, TO_ACCEPT)


def filter_orders(
    qs: QuerySet[WorkOrder],
    *,
    user: User | AnonymousUser,
    show: str = "",
    plan: int | None = None,
    now: dt.datetime,
) -> QuerySet[WorkOrder]:
    if plan is not None:
        qs = qs.filter(plan_id=plan)
    if show == Show.OPEN:
        qs = qs.filter(status=OrderStatus.OPEN)
    elif show == Show.LATE:
        qs = qs.filter(status=OrderStatus.OPEN, due_at__lte=now)
    elif show == Show.MINE:
        qs = qs.filter(assignee_id=user.pk).exclude(status=OrderStatus.ACCEPTED)
    elif show == Show.TO_ACCEPT:
        qs = qs.filter(status=OrderStatus.RECORDED)
    return qs


def versions(order: WorkOrder) -> list[WorkRecord]:
    """Every version of the original record, oldest first, with readings and photos."""
    return list(
        order.records.select_related("recorded_by")
        .prefetch_related(
            Prefetch("readings", queryset=Reading.objects.order_by("position")), "photos"
        )
        .order_by("version")
    )


@dataclass
class Completeness:
    """What the completeness check found, each list of work orders with why."""

    missing_values: list[dict[str, Any]] = field(default_factory=list)
    missing_signatures: list[dict[str, Any]] = field(default_factory=list)
    late: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.missing_values) + len(self.missing_signatures) + len(self.late)


LIMIT = 500


def completeness(now: dt.datetime, *, plan: int | None = None) -> Completeness:
    """The records that are not complete:

    - missing values: the latest version of a record has steps not measured;
    - missing signatures: a work order past its time limit or recorded without the
      performer's signature, a signed one not yet accepted (验收), and an accepted one
      corrected since (the acceptance names an earlier version);
    - late: a record signed after its time limit, or none signed and the limit passed.

    At most LIMIT rows a list, the oldest time limits first."""
    out = Completeness()
    orders = WorkOrder.objects.select_related("plan", "asset", "assignee", "performed_by")
    if plan is not None:
        orders = orders.filter(plan_id=plan)
    latest = WorkRecord.objects.filter(work_order=OuterRef("record__work_order")).order_by(
        "-version"
    )
    missing = (
        Reading.objects.filter(outcome=Outcome.MISSING, record__work_order__in=orders)
        .filter(record__version=latest.values("version")[:1])
        .select_related("record__work_order__asset", "record__work_order__plan")
        .order_by("record__work_order__due_at", "record__work_order_id", "position")
    )
    by_order: dict[int, dict[str, Any]] = {}
    for reading in missing[: LIMIT * 5]:
        order = reading.record.work_order
        row = by_order.setdefault(
            order.pk, {"order": order, "version": reading.record.version, "steps": []}
        )
        row["steps"].append(reading.title_text)
    out.missing_values = list(by_order.values())[:LIMIT]
    has_record = WorkRecord.objects.filter(work_order=OuterRef("pk"))
    unsigned = (
        orders.filter(performed_at__isnull=True)
        .filter(Q(due_at__lte=now) | Exists(has_record))
        .order_by("due_at", "pk")
    )
    for order in unsigned[:LIMIT]:
        out.missing_signatures.append({"order": order, "missing": "performer"})
    for order in orders.filter(status=OrderStatus.RECORDED).order_by("due_at", "pk")[:LIMIT]:
        out.missing_signatures.append({"order": order, "missing": "acceptance"})
    corrected_since = WorkRecord.objects.filter(
        work_order=OuterRef("pk"), version__gt=OuterRef("accepted_version")
    )
    for order in (
        orders.filter(status=OrderStatus.ACCEPTED)
        .filter(Exists(corrected_since))
        .order_by("due_at", "pk")[:LIMIT]
    ):
        out.missing_signatures.append({"order": order, "missing": "acceptance_of_correction"})
    late = orders.filter(
        Q(performed_at__gt=F("due_at")) | Q(performed_at__isnull=True, due_at__lte=now)
    ).order_by("due_at", "pk")
    for order in late[:LIMIT]:
        out.late.append(
            {
                "order": order,
                "signed_at": order.performed_at,
                "overdue_by": (order.performed_at or now) - order.due_at,
            }
        )
    return out
