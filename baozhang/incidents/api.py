"""API for incidents (/api/v1/incidents…). Thin: every step is a service or selector.

Everyone signed in reads the incidents they may see (a customer's people: those that
affect their organisation, with public updates only); acting needs WORK_INCIDENTS.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import Organisation, User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.analysis.models import ActionKind, CauseCategory, SubjectKind
from baozhang.analysis.selectors import analysis_of
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Date, DateTime, Id
from baozhang.assets.models import Asset
from baozhang.catalog.models import Service
from baozhang.changes.models import EmergencyPlan
from baozhang.desk.selectors import visible_tickets
from baozhang.incidents import services
from baozhang.incidents.models import (
    OPEN_STATUSES,
    Classification,
    IncidentStatus,
    Responsibility,
    Severity,
)
from baozhang.incidents.public import public_title
from baozhang.incidents.selectors import (
    fault_statistics,
    open_first,
    visible_incidents,
    visible_updates,
)

router = Router(tags=["incidents"])


class UpdateOut(Schema):
    id: int
    at: dt.datetime
    status: IncidentStatus
    message: str
    is_public: bool
    author_id: int | None

    @staticmethod
    def resolve_message(obj: Any) -> str:
        """The entry in the reader's language: a text of ours said again, typed text as
        written."""
        if isinstance(obj, dict):
            return str(obj["message"])
        return str(obj.text)


class ReviewActionOut(Schema):
    """An action of the incident's cause analysis (baozhang/analysis, the one tracker)."""

    id: int
    kind: ActionKind
    description: str
    owner_id: int
    due_on: dt.date | None
    done_at: dt.datetime | None


class IncidentReviewOut(Schema):
    cause: str
    prevention: str
    category: str | None = Field(
        None, description="The key of the cause category of the incident's analysis."
    )
    reviewed_by_id: int | None
    reviewed_at: dt.datetime
    actions: list[ReviewActionOut]

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        found = analysis_of(SubjectKind.INCIDENT, obj.incident_id)
        return found.category.key if found is not None and found.category else None


def _reader_language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


class IncidentOut(Schema):
    id: int
    reference: str
    title: str

    @staticmethod
    def resolve_title(obj: Any, context: Any) -> str:
        """Staff read the title as written (with the probe's words for monitoring's
        incidents); a customer's people the public title (incidents.public)."""
        if isinstance(obj, dict):
            return str(obj["title"])
        request = (context or {}).get("request")
        if request is not None and not is_operator_staff(request.auth):
            return public_title(obj, _reader_language())
        return str(obj.title)

    service_id: int | None
    status: IncidentStatus
    severity: Severity
    restore_target_minutes: int
    restore_due_at: dt.datetime
    restore_missed_at: dt.datetime | None
    classification: Classification
    source: str
    is_public: bool
    is_emergency: bool
    detected_at: dt.datetime
    acknowledged_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    cause: str
    resolution: str
    impact: str

    @staticmethod
    def resolve_resolution(obj: Any) -> str:
        """The resolution in the reader's language (ours are kept in both)."""
        if isinstance(obj, dict):
            return str(obj["resolution"])
        return str(obj.resolution_text)


class IncidentDetailOut(IncidentOut):
    """With the timeline as the caller may see it; the operator's details only for staff."""

    responsibility: Responsibility | None = None
    emergency_procedure: str | None = None
    emergency_plan_id: int | None = None
    engineer_id: int | None = None
    dispatch_location: str | None = None
    dispatch_note: str | None = None
    customer_ids: list[int] = []
    monitor_ids: list[int] = []
    ticket_ids: list[int] = []
    asset_ids: list[int] = []
    updates: list[UpdateOut]
    review: IncidentReviewOut | None = None


class IncidentIn(Schema):
    service_id: Id | None = None
    title: str = Field(..., min_length=1, max_length=200)
    severity: Severity = Severity.CRITICAL
    classification: Classification = Classification.OTHER
    responsibility: Responsibility = Responsibility.INSIDE
    is_emergency: bool = False
    emergency_procedure: str = ""
    emergency_plan_id: Id | None = None
    detected_at: DateTime | None = None
    message: str = ""
    customer_ids: list[Id] | None = None
    asset_ids: list[Id] = Field(default_factory=list, max_length=1000)


class IncidentPatch(PatchIn):
    nullable = frozenset({"service_id", "emergency_plan_id"})

    title: str | None = Field(None, min_length=1, max_length=200)
    service_id: Id | None = None
    classification: Classification | None = None
    severity: Severity | None = None
    restore_target_minutes: int | None = Field(None, ge=1, le=60 * 24 * 90)
    responsibility: Responsibility | None = None
    customer_ids: list[Id] | None = None
    asset_ids: list[Id] | None = Field(None, max_length=1000)
    is_public: bool | None = None
    is_emergency: bool | None = None
    emergency_procedure: str | None = None
    emergency_plan_id: Id | None = None
    cause: str | None = None
    impact: str | None = None


class DispatchIn(Schema):
    engineer_id: Id
    location: str = Field(..., min_length=1, max_length=200)
    note: str = ""
    at: DateTime | None = None


class UpdateIn(Schema):
    message: str = Field(..., min_length=1)
    is_public: bool = True


class MitigateIn(Schema):
    message: str = Field(..., min_length=1)


class ResolveIn(Schema):
    cause: str = ""
    resolution: str = Field(..., min_length=1)
    impact: str = ""
    at: DateTime | None = None


class ActionIn(Schema):
    description: str = Field(..., min_length=1, max_length=500)
    owner_id: Id
    due_on: Date | None = None
    kind: ActionKind = ActionKind.PREVENTIVE


class IncidentReviewIn(Schema):
    cause: str = Field(..., min_length=1)
    prevention: str = Field(..., min_length=1)
    actions: list[ActionIn] = Field(default_factory=list, max_length=20)
    category: str | None = Field(
        None, max_length=40, description="A cause category's key (GET /analysis/categories)."
    )


class TicketLinkIn(Schema):
    ticket_id: Id


class FromTicketIn(Schema):
    service_id: Id | None = None
    severity: Severity | None = None
    classification: Classification = Classification.OTHER
    responsibility: Responsibility = Responsibility.INSIDE


class StatisticsOut(Schema):
    classification: str
    label: str
    count: int
    open: int
    duration_seconds: int
    missed: int
    emergencies: int
    limit: int | None


def _incident(request: HttpRequest, incident_id: Id) -> Any:
    return get_object_or_404(visible_incidents(request.auth), pk=incident_id)


def _detail(request: HttpRequest, incident: Any) -> dict[str, Any]:
    user = request.auth
    incident.refresh_from_db()
    data: dict[str, Any] = {
        name: getattr(incident, name) for name in IncidentOut.model_fields if name != "id"
    }
    data["id"] = incident.pk
    data["updates"] = list(visible_updates(user, incident))
    if is_operator_staff(user):
        data.update(
            responsibility=incident.responsibility,
            emergency_procedure=incident.emergency_procedure,
            emergency_plan_id=incident.emergency_plan_id,
            engineer_id=incident.engineer_id,
            dispatch_location=incident.dispatch_location,
            dispatch_note=incident.dispatch_note,
            customer_ids=sorted(incident.customers.values_list("pk", flat=True)),
            monitor_ids=sorted(incident.monitors.values_list("pk", flat=True)),
            ticket_ids=sorted(incident.tickets.values_list("pk", flat=True)),
            asset_ids=sorted(incident.assets.values_list("pk", flat=True)),
            review=getattr(incident, "review", None),
        )
    else:
        data["title"] = public_title(incident, _reader_language())
        data["ticket_ids"] = sorted(
            visible_tickets(user).filter(incidents=incident).values_list("pk", flat=True)
        )
    return data


def _unknown(text: str, value: object, **more: str) -> ValidationError:
    """A reference to something that does not exist, in the reader's language."""
    return ValidationError(text % {"id": value, **more}, code="not_found")


def _service(service_id: Id | None) -> Service | None:
    if service_id is None:
        return None
    found = Service.objects.filter(pk=service_id).first()
    if found is None:
        raise ValidationError({"service_id": _unknown(_("No service %(id)s"), service_id)})
    return found


def _customers(ids: list[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {o.pk for o in found})
    if missing:
        raise ValidationError({"customer_ids": _unknown(_("No organisations %(id)s"), missing)})
    return found


def _assets(ids: list[int]) -> list[Asset]:
    found = list(Asset.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {a.pk for a in found})
    if missing:
        raise ValidationError({"asset_ids": _unknown(_("No assets %(id)s"), missing)})
    return found


def _emergency_plan(plan_id: int | None) -> EmergencyPlan | None:
    if plan_id is None:
        return None
    found = EmergencyPlan.objects.filter(pk=plan_id).first()
    if found is None:
        raise ValidationError(
            {"emergency_plan_id": _unknown(_("No emergency plan %(id)s"), plan_id)}
        )
    return found


def _staff_user(name: str, user_id: Id) -> User:
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        raise ValidationError({name: _unknown(_("No person %(id)s"), user_id)})
    return found


@router.get("/incidents", response=list[IncidentOut])
@paginate(Pages, page_size=50)
def list_incidents(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: str | None = None,
    service_id: Id | None = None,
    classification: Classification | None = None,
):
    """Unresolved incidents first, then the rest, newest first. ``status``: one of the
    statuses, or ``open`` for every unresolved one."""
    qs = visible_incidents(request.auth)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        if status not in IncidentStatus.values:
            raise ValidationError(
                {
                    "status": _unknown(
                        _("Unknown status %(id)s; use open or one of %(allowed)s"),
                        status,
                        allowed=", ".join(IncidentStatus.values),
                    )
                }
            )
        qs = qs.filter(status=status)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    if classification:
        qs = qs.filter(classification=classification)
    return open_first(qs)


@router.get("/incidents/statistics", response=list[StatisticsOut])
def incident_statistics(request: HttpRequest, start: DateTime, end: DateTime):  # type: ignore[no-untyped-def]
    """Faults detected in [start, end) per classification (Q4): staff only."""
    if not is_operator_staff(request.auth):
        raise Http404
    rows = fault_statistics(start, end)
    return [
        {**r, "label": str(r["label"]), "duration_seconds": int(r["duration"].total_seconds())}
        for r in rows
    ]


@router.get("/incidents/{incident_id}", response=IncidentDetailOut)
def get_incident(request: HttpRequest, incident_id: Id):  # type: ignore[no-untyped-def]
    return _detail(request, _incident(request, incident_id))


@router.post("/incidents", response={201: IncidentDetailOut})
def create_incident(request: HttpRequest, payload: IncidentIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    service = _service(data.pop("service_id"))
    ids = data.pop("customer_ids")
    customers = _customers(ids) if ids is not None else None
    data["assets"] = _assets(data.pop("asset_ids"))
    data["emergency_plan"] = _emergency_plan(data.pop("emergency_plan_id"))
    incident = services.open_incident(request.auth, service=service, customers=customers, **data)
    return Status(201, _detail(request, incident))


@router.patch("/incidents/{incident_id}", response=IncidentDetailOut)
def update_incident(request: HttpRequest, incident_id: Id, payload: IncidentPatch):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    fields = payload.dict(exclude_unset=True)
    if "service_id" in fields:
        fields["service"] = _service(fields.pop("service_id"))
    if "customer_ids" in fields:
        fields["customers"] = _customers(fields.pop("customer_ids") or [])
    if "asset_ids" in fields:
        fields["assets"] = _assets(fields.pop("asset_ids") or [])
    if "emergency_plan_id" in fields:
        fields["emergency_plan"] = _emergency_plan(fields.pop("emergency_plan_id"))
    services.update_fields(request.auth, incident, **fields)
    return _detail(request, incident)


@router.post("/incidents/{incident_id}/acknowledge", response=IncidentDetailOut)
def acknowledge(request: HttpRequest, incident_id: Id):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    return _detail(request, services.acknowledge(request.auth, incident))


@router.post("/incidents/{incident_id}/dispatch", response=IncidentDetailOut)
def dispatch(request: HttpRequest, incident_id: Id, payload: DispatchIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    data = payload.dict()
    engineer = _staff_user("engineer_id", data.pop("engineer_id"))
    return _detail(request, services.dispatch(request.auth, incident, engineer=engineer, **data))


@router.post("/incidents/{incident_id}/updates", response={201: UpdateOut})
def post_update(request: HttpRequest, incident_id: Id, payload: UpdateIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    return Status(201, services.post_update(request.auth, incident, **payload.dict()))


@router.post("/incidents/{incident_id}/mitigate", response=IncidentDetailOut)
def mitigate(request: HttpRequest, incident_id: Id, payload: MitigateIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    return _detail(request, services.mitigate(request.auth, incident, payload.message))


@router.post("/incidents/{incident_id}/resolve", response=IncidentDetailOut)
def resolve(request: HttpRequest, incident_id: Id, payload: ResolveIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    return _detail(request, services.resolve(request.auth, incident, **payload.dict()))


@router.post("/incidents/{incident_id}/review", response=IncidentDetailOut)
def review(request: HttpRequest, incident_id: Id, payload: IncidentReviewIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    actions = [
        {
            "description": a.description,
            "owner": _staff_user("actions", a.owner_id),
            "due_on": a.due_on,
            "kind": a.kind,
        }
        for a in payload.actions
    ]
    category = None
    if payload.category is not None:
        category = CauseCategory.objects.filter(key=payload.category).first()
        if category is None:
            raise ValidationError(
                {"category": _unknown(_("No cause category %(id)s"), repr(payload.category))}
            )
    services.review(
        request.auth,
        incident,
        cause=payload.cause,
        prevention=payload.prevention,
        actions=actions,
        category=category,
    )
    return _detail(request, incident)


@router.post(
    "/incidents/{incident_id}/review/actions/{review_action_id}/complete",
    response=ReviewActionOut,
)
def complete_action(request: HttpRequest, incident_id: Id, review_action_id: Id):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    if not is_operator_staff(request.auth) or not hasattr(incident, "review"):
        raise Http404
    action = get_object_or_404(incident.review.actions, pk=review_action_id)
    return services.complete_action(request.auth, action)


@router.post("/incidents/{incident_id}/tickets", response=IncidentDetailOut)
def link_ticket(request: HttpRequest, incident_id: Id, payload: TicketLinkIn):  # type: ignore[no-untyped-def]
    incident = _incident(request, incident_id)
    ticket = visible_tickets(request.auth).filter(pk=payload.ticket_id).first()
    if ticket is None:
        raise ValidationError({"ticket_id": _unknown(_("No ticket %(id)s"), payload.ticket_id)})
    return _detail(request, services.link_ticket(request.auth, incident, ticket))


@router.post("/tickets/{ticket_id}/incident", response={201: IncidentDetailOut})
def open_from_ticket(request: HttpRequest, ticket_id: Id, payload: FromTicketIn):  # type: ignore[no-untyped-def]
    """Open an incident from a customer's fault ticket (linked, source ticket)."""
    ticket = get_object_or_404(visible_tickets(request.auth), pk=ticket_id)
    data = payload.dict()
    service = _service(data.pop("service_id"))
    incident = services.open_from_ticket(request.auth, ticket, service=service, **data)
    return Status(201, _detail(request, incident))
