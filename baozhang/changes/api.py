"""API of change requests, low-usage periods and emergency plans (/api/v1/changes,
/api/v1/low-usage-periods, /api/v1/emergency-plans).
Thin: every step is a service or selector.

The operator's staff read them; a customer's people get 404 (empty lists). Creating and
moving them on needs the capability of keeping equipment (services.MANAGE). A refusal (the
requester approving, a customer-affecting change without a covering window, work outside
the low-usage period without a reason, an unknown id in a list) is a 422 with the project's
JSON error naming the field, in the reader's language.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import Organisation, User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.types import AwareDateTime, Date, Id
from baozhang.assets.models import Asset
from baozhang.catalog.models import Service
from baozhang.catalog.selectors import get_service
from baozhang.changes import low_usage, selectors, services
from baozhang.changes.models import (
    ChangeKind,
    ChangeRequest,
    ChangeResult,
    ChangeState,
    DrillResult,
    EmergencyKind,
    EmergencyPlan,
    Risk,
)
from baozhang.maintenance.models import MaintenanceWindow

router = Router(tags=["changes and emergency plans"])


class ChangeOut(Schema):
    id: int
    reference: str
    title: str
    kind: ChangeKind
    reason: str
    description: str
    risk: Risk
    service_ids: list[int]
    customer_ids: list[int]
    asset_ids: list[int]
    rollback_plan: str
    requester_id: int
    planned_start: dt.datetime
    planned_end: dt.datetime
    outside_low_usage_reason: str
    maintenance_window_id: int | None
    state: ChangeState
    unauthorised: bool
    submitted_at: dt.datetime | None
    approver_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    implemented_by_id: int | None
    implemented_at: dt.datetime | None
    result: str
    implementation_notes: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_notes: str
    cancel_reason: str

    @staticmethod
    def resolve_service_ids(obj: ChangeRequest) -> list[int]:
        return sorted(s.pk for s in obj.services.all())

    @staticmethod
    def resolve_customer_ids(obj: ChangeRequest) -> list[int]:
        return sorted(c.pk for c in obj.customers.all())

    @staticmethod
    def resolve_asset_ids(obj: ChangeRequest) -> list[int]:
        return sorted(a.pk for a in obj.assets.all())


class ChangeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: ChangeKind
    reason: str = Field(..., min_length=1, max_length=10_000)
    description: str = Field("", max_length=10_000)
    risk: Risk
    service_ids: list[Id] = Field(default_factory=list, max_length=1000)
    customer_ids: list[Id] = Field(default_factory=list, max_length=1000)
    asset_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    rollback_plan: str = Field(..., min_length=1, max_length=10_000)
    planned_start: AwareDateTime
    planned_end: AwareDateTime
    outside_low_usage_reason: str = Field("", max_length=5000)
    maintenance_window_id: Id | None = None
    unauthorised: bool = Field(
        False,
        description="Record a change already made without approval (I2): give "
        "implemented_at, result and notes; it is stored as implemented and unauthorised.",
    )
    implemented_at: AwareDateTime | None = None
    result: ChangeResult | None = None
    notes: str = Field("", max_length=10_000)


class ChangeTransitionIn(Schema):
    action: Literal["submit", "approve", "reject", "implement", "review", "cancel"]
    note: str = Field("", max_length=5000, description="approve, reject: the decision note")
    result: ChangeResult | None = Field(None, description="implement: the result")
    notes: str = Field("", max_length=10_000, description="implement, review: the notes")
    implemented_at: AwareDateTime | None = Field(None, description="implement: when (now)")
    reason: str = Field("", max_length=5000, description="cancel: the reason")


class DrillOut(Schema):
    id: int
    scheduled_on: dt.date
    held_on: dt.date | None
    plan_version: int | None
    participants: str
    result: str
    lessons: str
    recorded_by_id: int | None


class EmergencyPlanOut(Schema):
    id: int
    name: str
    kind: EmergencyKind
    kind_detail: str
    content: str
    owner_id: int
    version: int
    drill_interval_days: int
    active: bool
    drill_state: str
    drill_due_on: dt.date | None
    drills: list[DrillOut]


class EmergencyPlanIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: EmergencyKind
    kind_detail: str = Field("", max_length=200)
    content: str = Field(..., min_length=1, max_length=100_000)
    owner_id: Id
    drill_interval_days: int = Field(365, ge=1, le=3660)
    active: bool = True


class DrillIn(Schema):
    action: Literal["schedule", "record"]
    scheduled_on: Date | None = Field(None, description="schedule: the day")
    drill_id: Id | None = Field(None, description="record: the scheduled drill it fulfils")
    held_on: Date | None = Field(None, description="record: the day it was held")
    participants: str = Field("", max_length=5000)
    result: DrillResult | None = None
    lessons: str = Field("", max_length=10_000)


def _rows(model: Any, ids: list[int], field: str, **extra: Any) -> list[Any]:
    wanted = set(ids)
    found = list(model.objects.filter(pk__in=wanted, **extra))
    if len(found) != len(wanted):
        missing = sorted(wanted - {r.pk for r in found})
        raise ValidationError({field: [f"没有这些编号：{missing} / no such ids: {missing}"]})
    return found


def _prefetched() -> Any:
    return ChangeRequest.objects.prefetch_related("services", "customers", "assets")


def _change(request: HttpRequest, pk: int) -> ChangeRequest:
    return _prefetched().get(pk=selectors.get_change(request.auth, pk).pk)


@router.get("/changes", response=list[ChangeOut])
@paginate(Pages, page_size=100)
def list_changes(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    show: str = "",
    state: str = "",
    start: AwareDateTime | None = None,
    end: AwareDateTime | None = None,
):
    """Change requests, latest planned first; ``show`` = open, to_approve or unauthorised;
    ``state`` a state; ``start`` and ``end`` (both) the period (an unauthorised change by
    its implementation)."""
    errors: dict[str, list[str]] = {}
    if show not in selectors.Show.CHOICES:
        errors["show"] = [
            f"未知筛选 {show!r}（可用：open、to_approve、unauthorised） / unknown filter "
            f"{show!r} (accepted: open, to_approve, unauthorised)"
        ]
    if state and state not in ChangeState.values:
        errors["state"] = [f"未知状态 {state!r} / unknown state {state!r}"]
    if (start is None) != (end is None) or (start and end and end <= start):
        errors["end"] = ["请同时给出 start 与晚于它的 end / give both start and a later end"]
    if errors:
        raise ValidationError(errors)
    qs = selectors.filter_changes(
        selectors.visible_changes(request.auth), show=show, state=state, start=start, end=end
    )
    return _prefetched().filter(pk__in=qs.values("pk")).order_by("-planned_start", "-pk")


@router.get("/changes/{change_id}", response=ChangeOut)
def get_change(request: HttpRequest, change_id: Id):  # type: ignore[no-untyped-def]
    return _change(request, change_id)


@router.post("/changes", response={201: ChangeOut})
def create_change(request: HttpRequest, payload: ChangeIn):  # type: ignore[no-untyped-def]
    """A change request in draft (requested by you); with ``unauthorised`` true, the
    record of a change already made without approval."""
    services.require_staff(request.auth)
    services.require_manager(request.auth)
    data = payload.dict()
    window_id = data.pop("maintenance_window_id")
    relations = {
        "services": _rows(Service, data.pop("service_ids"), "service_ids"),
        "customers": _rows(Organisation, data.pop("customer_ids"), "customer_ids"),
        "assets": _rows(Asset, data.pop("asset_ids"), "asset_ids"),
    }
    window = (
        _rows(MaintenanceWindow, [window_id], "maintenance_window_id")[0] if window_id else None
    )
    unauthorised = data.pop("unauthorised")
    implemented_at, result, notes = (
        data.pop("implemented_at"),
        data.pop("result"),
        data.pop("notes"),
    )
    if unauthorised:
        if implemented_at is None or result is None:
            raise ValidationError(
                {
                    "implemented_at": [
                        "登记未经授权的变更须给出实施时间与结果 / an unauthorised change is "
                        "recorded with implemented_at and result"
                    ]
                }
            )
        change = services.record_unauthorised(
            request.auth,
            implemented_at=implemented_at,
            result=result,
            notes=notes,
            maintenance_window=window,
            **relations,
            **data,
        )
    else:
        change = services.create_change(
            request.auth, maintenance_window=window, **relations, **data
        )
    return Status(201, _change(request, change.pk))


@router.post("/changes/{change_id}/transition", response=ChangeOut)
def transition(request: HttpRequest, change_id: Id, payload: ChangeTransitionIn):  # type: ignore[no-untyped-def]
    """Move a change on: submit, approve (not by its requester; a change affecting
    customers needs its covering maintenance window), reject (with a note), implement
    (the result), review (the notes), cancel (the reason)."""
    change = selectors.get_change(request.auth, change_id)
    services.require_manager(request.auth)
    services.transition(request.auth, change, **payload.dict())
    return _change(request, change_id)


# -- emergency plans ------------------------------------------------------------------------


def _plan_out(plan: Any) -> dict[str, Any]:
    standing = selectors.standing(plan, timezone.localdate())
    return {
        **{k: getattr(plan, k) for k in ("id", "name", "kind", "kind_detail", "content")},
        "owner_id": plan.owner_id,
        "version": plan.version,
        "drill_interval_days": plan.drill_interval_days,
        "active": plan.active,
        "drill_state": standing.state.value,
        "drill_due_on": standing.due_on,
        "drills": list(plan.drills.all()),
    }


def _plan(request: HttpRequest, pk: int) -> Any:
    selectors.get_plan(request.auth, pk)
    return selectors.with_drills(EmergencyPlan.objects.all()).get(pk=pk)


@router.get("/emergency-plans", response=list[EmergencyPlanOut])
@paginate(Pages, page_size=100)
def list_plans(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Emergency plans by kind, each with its drills and whether a drill is due."""
    plans = selectors.with_drills(selectors.visible_plans(request.auth)).prefetch_related("drills")
    return [_plan_out(p) for p in plans]


@router.get("/emergency-plans/{emergency_plan_id}", response=EmergencyPlanOut)
def get_plan(request: HttpRequest, emergency_plan_id: Id):  # type: ignore[no-untyped-def]
    return _plan_out(_plan(request, emergency_plan_id))


@router.post("/emergency-plans", response={201: EmergencyPlanOut})
def create_plan(request: HttpRequest, payload: EmergencyPlanIn):  # type: ignore[no-untyped-def]
    services.require_staff(request.auth)
    services.require_manager(request.auth)
    data = payload.dict()
    owner = _rows(User, [data.pop("owner_id")], "owner_id", is_active=True)[0]
    plan = services.create_plan(request.auth, owner=owner, **data)
    return Status(201, _plan_out(_plan(request, plan.pk)))


@router.post("/emergency-plans/{emergency_plan_id}/drills", response=EmergencyPlanOut)
def drills(request: HttpRequest, emergency_plan_id: Id, payload: DrillIn):  # type: ignore[no-untyped-def]
    """Schedule a drill (``scheduled_on``) or record one held (``held_on``,
    ``participants``, ``result``, ``lessons``; ``drill_id`` the scheduled one it fulfils)."""
    plan = selectors.get_plan(request.auth, emergency_plan_id)
    services.require_manager(request.auth)
    if payload.action == "schedule":
        if payload.scheduled_on is None:
            raise ValidationError({"scheduled_on": ["请填写日期 / give the date"]})
        services.schedule_drill(request.auth, plan, scheduled_on=payload.scheduled_on)
    else:
        drill = None
        if payload.drill_id is not None:
            drill = plan.drills.filter(pk=payload.drill_id).first()
            if drill is None:
                raise ValidationError(
                    {"drill_id": ["此预案没有该演练 / this plan has no such drill"]}
                )
        services.record_drill(
            request.auth,
            plan,
            held_on=payload.held_on,  # type: ignore[arg-type]
            participants=payload.participants,
            result=payload.result or "",
            lessons=payload.lessons,
            drill=drill,
        )
    return _plan_out(_plan(request, emergency_plan_id))


# -- low-usage periods ----------------------------------------------------------------------


WALL_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class LowUsagePeriodOut(Schema):
    service_id: int
    starts: str = Field(pattern=WALL_CLOCK, description="local wall-clock time, HH:MM")
    ends: str = Field(pattern=WALL_CLOCK, description="local wall-clock time, HH:MM")
    time_zone: str
    own: bool = Field(description="false: the operator's default applies (00:00–06:00)")


class LowUsagePeriodIn(Schema):
    starts: str = Field(pattern=WALL_CLOCK, description="local wall-clock time, HH:MM")
    ends: str = Field(
        pattern=WALL_CLOCK,
        description="local wall-clock time, HH:MM; before ``starts`` crosses midnight, equal "
        "to it is the whole day",
    )
    time_zone: str = Field("", max_length=64, description="IANA name; empty: the operator's")


def _wall_clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _standing_out(standing: low_usage.Standing) -> dict[str, Any]:
    return {
        "service_id": standing.service.pk,
        "starts": f"{standing.starts:%H:%M}",
        "ends": f"{standing.ends:%H:%M}",
        "time_zone": standing.time_zone,
        "own": standing.own,
    }


def _service(request: HttpRequest, service_id: int) -> Service:
    """The service, by the page's rule (views.low_usage_edit): looked up through what the
    caller may see (404 for another customer's people), then the capability of keeping
    equipment (403 for the service's own customer's people, who never hold it, and for
    staff without it)."""
    service = get_service(request.auth, service_id)
    services.require_manager(request.auth)
    return service


@router.get("/low-usage-periods", response=list[LowUsagePeriodOut])
@paginate(Pages, page_size=100)
def list_low_usage_periods(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Every service with the daily low-usage period that applies to it (its own, or the
    operator's default); a customer's people read none."""
    if not is_operator_staff(request.auth):
        return []
    return [_standing_out(s) for s in low_usage.standings()]


@router.put("/low-usage-periods/{service_id}", response=LowUsagePeriodOut)
def set_low_usage_period(  # type: ignore[no-untyped-def]
    request: HttpRequest, service_id: Id, payload: LowUsagePeriodIn
):
    """Set a service's own low-usage period."""
    service = _service(request, service_id)
    low_usage.set_low_usage_period(
        request.auth,
        service,
        starts=_wall_clock(payload.starts),
        ends=_wall_clock(payload.ends),
        time_zone=payload.time_zone,
    )
    return _standing_out(low_usage.standing_of(Service.objects.get(pk=service.pk)))


@router.delete("/low-usage-periods/{service_id}", response=LowUsagePeriodOut)
def reset_low_usage_period(request: HttpRequest, service_id: Id):  # type: ignore[no-untyped-def]
    """Give the service the operator's default period again (no change when it has it)."""
    service = _service(request, service_id)
    low_usage.reset_low_usage_period(request.auth, service)
    return _standing_out(low_usage.standing_of(Service.objects.get(pk=service.pk)))
