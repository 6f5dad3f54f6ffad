"""API for agreements (/api/v1/agreements …). Thin: every step is a service or selector."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import AwareDateTime, Date, Id
from baozhang.events.api import EventOut
from baozhang.events.selectors import timeline
from baozhang.sla import services
from baozhang.sla.models import (
    AgreementStatus,
    ExemptionKind,
    MeasuringPeriod,
    Risk,
    Target,
    TargetKind,
)
from baozhang.sla.selectors import visible_agreements, visible_reviews

router = Router(tags=["agreements"])


class TierIn(Schema):
    threshold: Decimal
    credit_percent: Decimal = Field(..., ge=0, le=100)


class TierOut(TierIn):
    id: int


class TargetIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: TargetKind
    objective: Decimal
    calendar_key: str = "24x7"
    period: MeasuringPeriod = MeasuringPeriod.MONTH
    priority_limits: dict[str, str] = {}
    clock: Literal["", "first_response", "next_update", "resolution"] = ""
    aggregate: Literal["", "max", "min"] = ""
    estimated_monthly_cost: Decimal = Field(Decimal("0"), ge=0)
    missed_credit_percent: Decimal = Field(Decimal("0"), ge=0, le=100)
    tiers: list[TierIn] = []


class TargetOut(Schema):
    id: int
    name: str
    kind: TargetKind
    family: str
    objective: Decimal
    calendar_key: str
    period: MeasuringPeriod
    priority_limits: dict[str, str]
    clock: str
    aggregate: str
    estimated_monthly_cost: Decimal | None
    missed_credit_percent: Decimal
    tiers: list[TierOut]

    @staticmethod
    def resolve_tiers(obj: Target) -> list[Any]:
        return list(obj.tiers.all())

    @staticmethod
    def resolve_estimated_monthly_cost(obj: Target, context: Any) -> Decimal | None:
        # The operator's own cost: null for customers' people.
        request = context["request"]
        return obj.estimated_monthly_cost if is_operator_staff(request.auth) else None


class AgreementIn(Schema):
    customer_id: Id
    reference: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=200)
    service: str = ""
    monthly_fee: Decimal = Field(Decimal("0"), ge=0)
    currency: str = Field("CNY", min_length=3, max_length=3)
    starts_on: Date | None = None
    ends_on: Date | None = None
    quality_needs: str = ""


class AgreementPatch(PatchIn):
    nullable = frozenset({"starts_on", "ends_on"})

    title: str | None = Field(None, min_length=1, max_length=200)
    service: str | None = None
    monthly_fee: Decimal | None = Field(None, ge=0)
    currency: str | None = Field(None, min_length=3, max_length=3)
    starts_on: Date | None = None
    ends_on: Date | None = None
    quality_needs: str | None = None


class AgreementOut(Schema):
    id: int
    customer_id: int
    reference: str
    title: str
    service: str
    status: AgreementStatus
    monthly_fee: Decimal
    currency: str
    starts_on: date | None
    ends_on: date | None
    quality_needs: str
    created_at: datetime
    updated_at: datetime


class AgreementDetailOut(AgreementOut):
    targets: list[TargetOut]
    risks: list["RiskOut"]
    clauses: list["ClauseOut"]

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.prefetch_related("tiers"))

    @staticmethod
    def resolve_risks(obj: Any) -> list[Any]:
        return list(obj.risks.all())

    @staticmethod
    def resolve_clauses(obj: Any) -> list[Any]:
        return list(obj.clauses.all())


class TransitionIn(Schema):
    action: Literal["negotiate", "back_to_draft", "activate", "begin_review", "resume", "end"]
    reason: str = ""


class RiskIn(Schema):
    description: str = Field(..., min_length=1, max_length=300)
    likelihood: Risk.Level
    impact: Risk.Level
    coverage: str = Field(..., min_length=1)


class RiskOut(RiskIn):
    id: int


class ClauseIn(Schema):
    kind: ExemptionKind
    text: str = Field(..., min_length=1)


class ClauseOut(ClauseIn):
    id: int


class SpanIn(Schema):
    start: AwareDateTime
    end: AwareDateTime


class ExclusionIn(SpanIn):
    clause_id: Id
    reason: str = Field(..., min_length=1, max_length=300)


class ExclusionOut(ExclusionIn):
    id: int


class DowntimeIn(SpanIn):
    description: str = Field(..., min_length=1, max_length=300)
    source: str = Field("api", max_length=40)


class DowntimeOut(DowntimeIn):
    id: int


class ObservationIn(Schema):
    at: AwareDateTime
    value: Decimal | None = None
    note: str = Field("", max_length=300)


class ObservationOut(ObservationIn):
    id: int
    target_id: int


class ReviewIn(SpanIn):
    is_final: bool = False


class ReviewPatch(PatchIn):
    nullable = frozenset({"satisfaction"})

    satisfaction: int | None = Field(None, ge=1, le=5)
    process_audit: str | None = None
    notes: str | None = None


class ReviewOut(Schema):
    id: int
    agreement_id: int
    period_start: datetime
    period_end: datetime
    is_final: bool
    status: str
    verdicts: list[dict[str, Any]]
    all_met: bool | None
    credit_percent: Decimal
    credit_amount: Decimal
    satisfaction: int | None
    process_audit: str
    notes: str
    evaluated_at: datetime | None
    operator_signed_by_id: int | None
    operator_signed_at: datetime | None
    customer_signed_by_id: int | None
    customer_signed_at: datetime | None


AgreementDetailOut.model_rebuild()


def _agreement(request: HttpRequest, agreement_id: Id) -> Any:
    return get_object_or_404(visible_agreements(request.auth), pk=agreement_id)


@router.get("/agreements", response=list[AgreementOut])
@paginate(Pages, page_size=50)
def list_agreements(request: HttpRequest, status: AgreementStatus | None = None):  # type: ignore[no-untyped-def]
    qs = visible_agreements(request.auth)
    return qs.filter(status=status) if status else qs


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut)
def get_agreement(request: HttpRequest, agreement_id: Id):  # type: ignore[no-untyped-def]
    return _agreement(request, agreement_id)


@router.post("/agreements", response={201: AgreementDetailOut})
def create_agreement(request: HttpRequest, payload: AgreementIn):  # type: ignore[no-untyped-def]
    from baozhang.accounts.selectors import visible_organisations

    data = payload.dict()
    customer = get_object_or_404(visible_organisations(request.auth), pk=data.pop("customer_id"))
    return Status(201, services.create_agreement(request.auth, customer=customer, **data))


@router.patch("/agreements/{agreement_id}", response=AgreementDetailOut)
def update_agreement(request: HttpRequest, agreement_id: Id, payload: AgreementPatch):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return services.update_agreement(request.auth, agreement, **payload.dict(exclude_unset=True))


@router.post("/agreements/{agreement_id}/transition", response=AgreementDetailOut)
def transition(request: HttpRequest, agreement_id: Id, payload: TransitionIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return services.transition(request.auth, agreement, payload.action, payload.reason)


@router.post("/agreements/{agreement_id}/targets", response={201: TargetOut})
def add_target(request: HttpRequest, agreement_id: Id, payload: TargetIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    data = payload.dict()
    tiers = data.pop("tiers")
    return Status(201, services.add_target(request.auth, agreement, tiers=tiers, **data))


@router.post("/agreements/{agreement_id}/risks", response={201: RiskOut})
def add_risk(request: HttpRequest, agreement_id: Id, payload: RiskIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return Status(201, services.add_risk(request.auth, agreement, **payload.dict()))


@router.post("/agreements/{agreement_id}/clauses", response={201: ClauseOut})
def add_clause(request: HttpRequest, agreement_id: Id, payload: ClauseIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return Status(201, services.add_clause(request.auth, agreement, **payload.dict()))


@router.post("/agreements/{agreement_id}/exclusions", response={201: ExclusionOut})
def add_exclusion(request: HttpRequest, agreement_id: Id, payload: ExclusionIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    data = payload.dict()
    clause = get_object_or_404(agreement.clauses, pk=data.pop("clause_id"))
    return Status(201, services.add_exclusion(request.auth, agreement, clause=clause, **data))


@router.post("/agreements/{agreement_id}/downtimes", response={201: DowntimeOut})
def record_downtime(request: HttpRequest, agreement_id: Id, payload: DowntimeIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return Status(201, services.record_downtime(request.auth, agreement, **payload.dict()))


@router.post("/targets/{target_id}/observations", response={201: ObservationOut})
def record_observation(request: HttpRequest, target_id: Id, payload: ObservationIn):  # type: ignore[no-untyped-def]
    target = get_object_or_404(
        Target.objects.filter(agreement__in=visible_agreements(request.auth)), pk=target_id
    )
    return Status(201, services.record_observation(request.auth, target, **payload.dict()))


@router.get("/agreements/{agreement_id}/events", response=list[EventOut])
@paginate(Pages, page_size=100)
def agreement_events(request: HttpRequest, agreement_id: Id):  # type: ignore[no-untyped-def]
    return timeline(request.auth, _agreement(request, agreement_id))


@router.get("/agreements/{agreement_id}/reviews", response=list[ReviewOut])
@paginate(Pages, page_size=50)
def list_reviews(request: HttpRequest, agreement_id: Id):  # type: ignore[no-untyped-def]
    return visible_reviews(request.auth).filter(agreement=_agreement(request, agreement_id))


@router.post("/agreements/{agreement_id}/reviews", response={201: ReviewOut})
def open_review(request: HttpRequest, agreement_id: Id, payload: ReviewIn):  # type: ignore[no-untyped-def]
    agreement = _agreement(request, agreement_id)
    return Status(
        201,
        services.open_review(
            request.auth,
            agreement,
            period_start=payload.start,
            period_end=payload.end,
            is_final=payload.is_final,
        ),
    )


@router.get("/reviews/{review_id}", response=ReviewOut)
def get_review(request: HttpRequest, review_id: Id):  # type: ignore[no-untyped-def]
    return get_object_or_404(visible_reviews(request.auth), pk=review_id)


@router.patch("/reviews/{review_id}", response=ReviewOut)
def update_review(request: HttpRequest, review_id: Id, payload: ReviewPatch):  # type: ignore[no-untyped-def]
    review = get_object_or_404(visible_reviews(request.auth), pk=review_id)
    return services.update_review(request.auth, review, **payload.dict(exclude_unset=True))


@router.post("/reviews/{review_id}/sign", response=ReviewOut)
def sign_review(request: HttpRequest, review_id: Id):  # type: ignore[no-untyped-def]
    review = get_object_or_404(visible_reviews(request.auth), pk=review_id)
    return services.sign_review(request.auth, review)
