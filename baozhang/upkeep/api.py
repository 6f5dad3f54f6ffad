"""API of maintenance plans and work orders (/api/v1/upkeep/…). Thin: every step is a
service or selector.

The operator's staff read them; a customer's people get 404 (empty lists). Planning,
recording and accepting need the capability of keeping equipment. A refusal (a correction
without its reason, an acceptance by the performer, a value that is not a number) is a
422 with the project's JSON error naming the field, in both languages.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from baozhang.accounts.models import User
from baozhang.api.pagination import Pages
from baozhang.api.types import Date, Id
from baozhang.assets.models import Asset
from baozhang.upkeep import order_changes, selectors, services
from baozhang.upkeep.models import OrderStatus, Outcome, Period, Plan, Requirement, WorkOrder
from baozhang.upkeep.photos import MAX_PHOTO_BYTES

router = Router(tags=["maintenance plans and work orders"])


class StepIO(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    requirement: Requirement
    low: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    high: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    target: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    tolerance: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    expected_yes: bool | None = None
    unit: str = Field("", max_length=20)


class StepOut(StepIO):
    position: int
    text: str


class PlanOut(Schema):
    id: int
    item: str
    description: str
    period: Period
    every_days: int | None
    calendar_key: str
    starts_on: dt.date
    asset_ids: list[int]
    units: int
    team_name: str
    team_ids: list[int]
    supervisor_ids: list[int]
    time_limit_days: int
    lead_days: int
    warn_hours: int
    active: bool
    steps: list[StepOut]

    @staticmethod
    def resolve_asset_ids(obj: Plan) -> list[int]:
        return sorted(a.pk for a in obj.assets.all())

    @staticmethod
    def resolve_units(obj: Plan) -> int:
        return len(obj.assets.all())

    @staticmethod
    def resolve_team_ids(obj: Plan) -> list[int]:
        return sorted(u.pk for u in obj.team.all())

    @staticmethod
    def resolve_supervisor_ids(obj: Plan) -> list[int]:
        return sorted(u.pk for u in obj.supervisors.all())

    @staticmethod
    def resolve_steps(obj: Plan) -> list[dict[str, Any]]:
        return [
            {
                "position": s.position,
                "title": s.title_text,
                "requirement": s.requirement,
                "low": s.low,
                "high": s.high,
                "target": s.target,
                "tolerance": s.tolerance,
                "expected_yes": s.expected_yes,
                "unit": s.unit,
                "text": services.requirement_of(s).text(s.unit),
            }
            for s in obj.steps.order_by("position")
        ]


class PlanIn(Schema):
    item: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    period: Period
    every_days: int | None = Field(None, ge=1, le=3660)
    calendar_key: str = Field("", max_length=60)
    starts_on: Date
    asset_ids: list[Id] = Field(..., min_length=1, max_length=100_000)
    team_name: str = Field(..., min_length=1, max_length=100)
    team_ids: list[Id] = Field(..., min_length=1, max_length=100)
    supervisor_ids: list[Id] = Field(default_factory=list, max_length=100)
    time_limit_days: int = Field(..., ge=1, le=3660)
    lead_days: int = Field(7, ge=0, le=366)
    warn_hours: int = Field(24, ge=0, le=24 * 366)
    active: bool = True
    steps: list[StepIO] = Field(..., min_length=1, max_length=services.MAX_STEPS)


class ReadingOut(Schema):
    position: int
    step: str
    requirement: str
    number: Decimal | None
    answer: bool | None
    outcome: Outcome


class PhotoOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class RecordOut(Schema):
    version: int
    recorded_by_id: int
    recorded_at: dt.datetime
    signed: bool
    remarks: str
    reason: str
    corrected: bool
    readings: list[ReadingOut]
    photos: list[PhotoOut]


class OrderOut(Schema):
    id: int
    reference: str
    plan_id: int
    plan_item: str
    asset_id: int
    asset_name: str
    period_start: dt.date
    period_end: dt.date
    due_at: dt.datetime
    status: OrderStatus
    late: bool
    assignee_id: int | None
    performed_by_id: int | None
    performed_at: dt.datetime | None
    accepted_by_id: int | None
    accepted_at: dt.datetime | None
    accepted_version: int | None

    @staticmethod
    def resolve_plan_item(obj: Any) -> str:
        return obj["plan_item"] if isinstance(obj, dict) else obj.plan.item_text

    @staticmethod
    def resolve_asset_name(obj: Any) -> str:
        return obj["asset_name"] if isinstance(obj, dict) else obj.asset.name

    @staticmethod
    def resolve_late(obj: Any) -> bool:
        if isinstance(obj, dict):
            return bool(obj["late"])
        return bool((obj.performed_at or timezone.now()) > obj.due_at)


class OrderDetail(OrderOut):
    records: list[RecordOut]


class RecordIn(Schema):
    values: dict[int, Decimal | bool | None] = Field(
        default_factory=dict,
        description="Measured values by step position: a number, true/false, or null.",
        max_length=services.MAX_STEPS,
    )
    remarks: str = Field("", max_length=5000)
    sign: bool = False
    reason: str = Field("", max_length=2000)


class AssignIn(Schema):
    assignee_id: Id | None = Field(description="one of the operator's active staff; null: nobody")


class AcceptIn(Schema):
    remark: str = Field("", max_length=2000)


def _order_out(order: WorkOrder, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": order.pk,
        "reference": order.reference,
        "plan_id": order.plan_id,
        "plan_item": order.plan.item_text,
        "asset_id": order.asset_id,
        "asset_name": order.asset.name,
        "period_start": order.period_start,
        "period_end": order.period_end,
        "due_at": order.due_at,
        "status": order.status,
        "late": (order.performed_at or now) > order.due_at,
        "assignee_id": order.assignee_id,
        "performed_by_id": order.performed_by_id,
        "performed_at": order.performed_at,
        "accepted_by_id": order.accepted_by_id,
        "accepted_at": order.accepted_at,
        "accepted_version": order.accepted_version,
    }


def _detail(order: WorkOrder) -> dict[str, Any]:
    versions = selectors.versions(order)
    out = _order_out(order, timezone.now())
    out["records"] = [
        {
            "version": v.version,
            "recorded_by_id": v.recorded_by_id,
            "recorded_at": v.recorded_at,
            "signed": v.signed,
            "remarks": v.remarks,
            "reason": v.reason,
            "corrected": v is not versions[-1],
            "readings": [
                {
                    "position": r.position,
                    "step": r.title_text,
                    "requirement": r.requirement_text,
                    "number": r.number,
                    "answer": r.answer,
                    "outcome": r.outcome,
                }
                for r in v.readings.all()
            ],
            "photos": [
                {"id": p.pk, "filename": p.filename, "content_type": p.content_type, "size": p.size}
                for p in v.photos.all()
            ],
        }
        for v in versions
    ]
    return out


def _rows(model: Any, ids: list[int], field: str, **extra: Any) -> list[Any]:
    wanted = set(ids)
    found = list(model.objects.filter(pk__in=wanted, **extra))
    if len(found) != len(wanted):
        missing = sorted(wanted - {r.pk for r in found})
        raise ValidationError({field: f"没有这些编号：{missing} / no such ids: {missing}"})
    return found


def _prefetched() -> Any:
    return Plan.objects.prefetch_related("assets", "team", "supervisors", "steps")


@router.get("/upkeep/plans", response=list[PlanOut])
@paginate(Pages, page_size=100)
def list_plans(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Maintenance plans, by item (the operator's staff only)."""
    return _prefetched().filter(pk__in=selectors.visible_plans(request.auth).values("pk"))


@router.get("/upkeep/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: Id):  # type: ignore[no-untyped-def]
    return _prefetched().get(pk=selectors.get_plan(request.auth, plan_id).pk)


@router.post("/upkeep/plans", response={201: PlanOut})
def create_plan(request: HttpRequest, payload: PlanIn):  # type: ignore[no-untyped-def]
    """A plan with its checklist; work orders follow from the next generation."""
    services.require_staff(request.auth)
    services.require_manager(request.auth)
    data = payload.dict()
    plan = services.create_plan(
        request.auth,
        assets=_rows(Asset, data.pop("asset_ids"), "asset_ids"),
        team=_rows(User, data.pop("team_ids"), "team_ids", is_active=True),
        supervisors=_rows(User, data.pop("supervisor_ids"), "supervisor_ids", is_active=True),
        steps=data.pop("steps"),
        **data,
    )
    return Status(201, _prefetched().get(pk=plan.pk))


@router.get("/upkeep/work-orders", response=list[OrderOut])
@paginate(Pages, page_size=100)
def list_orders(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    show: str = "",
    plan_id: Id | None = None,
):
    """Work orders by time limit; ``show`` = open, late, mine or to_accept."""
    if show not in selectors.Show.CHOICES:
        raise ValidationError(
            {
                "show": f"未知筛选 {show!r}（可用：open、late、mine、to_accept） / unknown filter "
                f"{show!r} (accepted: open, late, mine, to_accept)"
            }
        )
    return selectors.filter_orders(
        selectors.visible_orders(request.auth),
        user=request.auth,
        show=show,
        plan=plan_id,
        now=timezone.now(),
    )


@router.get("/upkeep/work-orders/{order_id}", response=OrderDetail)
def get_order(request: HttpRequest, order_id: Id):  # type: ignore[no-untyped-def]
    """A work order with every version of its original record (corrected ones marked)."""
    return _detail(selectors.get_order(request.auth, order_id))


@router.post("/upkeep/work-orders/{order_id}/record", response={201: OrderDetail})
def record(request: HttpRequest, order_id: Id, payload: RecordIn):  # type: ignore[no-untyped-def]
    """The next version of the original record: values by step position, remarks, the
    performer's signature (``sign``); a correction (any version after the first) needs
    its ``reason``. Photos are sent one by one to ``/photos`` after it."""
    order = selectors.get_order(request.auth, order_id)
    services.record_work(
        request.auth,
        order,
        values=payload.values,
        remarks=payload.remarks,
        sign=payload.sign,
        reason=payload.reason,
    )
    return Status(201, _detail(selectors.get_order(request.auth, order_id)))


@router.post("/upkeep/work-orders/{order_id}/accept", response=OrderDetail)
def accept(request: HttpRequest, order_id: Id, payload: AcceptIn):  # type: ignore[no-untyped-def]
    """Acceptance (验收) by a second person: refused (422) to anyone who recorded it."""
    order = selectors.get_order(request.auth, order_id)
    services.accept(request.auth, order, remark=payload.remark)
    return _detail(selectors.get_order(request.auth, order_id))


@router.post("/upkeep/work-orders/{order_id}/assign", response=OrderDetail)
def assign(request: HttpRequest, order_id: Id, payload: AssignIn):  # type: ignore[no-untyped-def]
    """Give a work order that is not accepted yet to another person (or to nobody)."""
    order = selectors.get_order(request.auth, order_id)
    assignee = (
        _rows(User, [payload.assignee_id], "assignee_id")[0]
        if payload.assignee_id is not None
        else None
    )
    order_changes.reassign(request.auth, order, assignee)
    return _detail(selectors.get_order(request.auth, order_id))


@router.post("/upkeep/work-orders/{order_id}/photos", response={201: OrderDetail})
def add_photo(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    order_id: Id,
    file: UploadedFile = File(...),  # noqa: B008
):
    """A photo (JPEG, PNG, WebP, HEIC or GIF, at most 10 MB; multipart field ``file``) kept
    with the latest version of the work order's record, until the order is accepted."""
    order = selectors.get_order(request.auth, order_id)
    services.require_manager(request.auth)
    data = file.read(MAX_PHOTO_BYTES + 1)  # enough to tell it is too large
    order_changes.add_photos(
        request.auth, order, [(file.name or "photo", file.content_type or "", data)]
    )
    return Status(201, _detail(selectors.get_order(request.auth, order_id)))
