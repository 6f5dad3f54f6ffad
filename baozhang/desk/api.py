"""/api/v1/tickets: the same services as the agent console and the portal."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Id
from baozhang.desk import services
from baozhang.desk.clocks import time_left
from baozhang.desk.customer_fields import refuse_operator_fields
from baozhang.desk.models import Channel, Priority, TicketKind
from baozhang.desk.selectors import QUEUE_VIEWS, queue, visible_messages, visible_tickets
from baozhang.events.api import EventOut
from baozhang.events.selectors import timeline

router = Router(tags=["tickets"])


class ClockOut(Schema):
    kind: str
    target: str
    calendar_key: str
    source: str
    started_at: datetime
    stopped_at: datetime | None
    due_at: datetime | None
    state: str
    seconds_left: int | None

    @staticmethod
    def resolve_seconds_left(obj: Any) -> int | None:
        if obj.stopped_at is not None:
            return None
        return int(time_left(obj, timezone.now()).total_seconds())


class TicketOut(Schema):
    id: int
    reference: str
    kind: TicketKind
    customer_id: int
    contact_id: int | None
    requester: str
    subject: str
    description: str
    category_id: int | None
    priority: Priority
    channel: Channel
    status: str
    assignee_id: int | None
    group_id: int | None
    level: int
    green_channel: bool
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    clocks: list[ClockOut]

    @staticmethod
    def resolve_clocks(obj: Any) -> list[Any]:
        return list(obj.clocks.all())


class TicketIn(Schema):
    kind: TicketKind
    subject: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    customer_id: Id | None = None
    priority: Priority = Priority.P3
    channel: Channel = Channel.API
    requester: str = Field("", max_length=200)
    green_channel: bool = False


class TicketPatch(PatchIn):
    nullable = frozenset({"assignee_id", "group_id", "category_id"})

    assignee_id: Id | None = None
    group_id: Id | None = None
    priority: Priority | None = None
    category_id: Id | None = None
    kind: TicketKind | None = None
    green_channel: bool | None = None
    subject: str | None = Field(None, min_length=1, max_length=300)


class ReplyIn(Schema):
    body: str = Field(..., min_length=1)
    internal: bool = False


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Schema):
    id: int
    author_label: str
    from_customer: bool
    visibility: str
    channel: str
    body: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class StatusIn(Schema):
    status: Literal["open", "waiting_customer", "resolved", "closed"]
    reason: str = ""


class EscalateIn(Schema):
    reason: str = Field(..., min_length=1)


class RatingIn(Schema):
    rating: int = Field(..., ge=1, le=5)


def _ticket(request: HttpRequest, ticket_id: Id) -> Any:
    return get_object_or_404(visible_tickets(request.auth), pk=ticket_id)


@router.get("/tickets", response=list[TicketOut])
@paginate(Pages, page_size=50)
def list_tickets(request: HttpRequest, view: str = "open", status: str | None = None):  # type: ignore[no-untyped-def]
    qs = queue(request.auth, view if view in QUEUE_VIEWS else "open")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("clocks")


@router.post("/tickets", response={201: TicketOut})
def open_ticket(request: HttpRequest, payload: TicketIn):  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from baozhang.accounts.selectors import visible_organisations

    # A customer who sends the operator's fields (a priority, the green channel) is told so.
    refuse_operator_fields(request.auth, payload.dict(exclude_unset=True), opening=True)
    data = payload.dict()
    customer_id = data.pop("customer_id")
    if customer_id is None:
        if is_operator_staff(request.auth):
            raise ValidationError({"customer_id": "required for staff / 运营方须指定客户"})
        customer = request.auth.organisation
    else:
        customer = get_object_or_404(visible_organisations(request.auth), pk=customer_id)
    ticket = services.open_ticket(request.auth, customer=customer, **data)
    started = getattr(ticket, "started_clocks", None)
    if started is not None:  # the answer's clocks, as prefetch_related would keep them
        clocks = ticket.clocks.all()
        clocks._result_cache, clocks._prefetch_done = started, True
        ticket._prefetched_objects_cache = {"clocks": clocks}
    return Status(201, ticket)


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    return _ticket(request, ticket_id)


@router.patch("/tickets/{ticket_id}", response=TicketOut)
def update_ticket(request: HttpRequest, ticket_id: Id, payload: TicketPatch):  # type: ignore[no-untyped-def]
    ticket = _ticket(request, ticket_id)
    sent = payload.dict(exclude_unset=True)
    refuse_operator_fields(request.auth, sent, opening=False)
    fields = _resolve_ids(sent)
    return services.update_ticket(request.auth, ticket, **fields)


def _resolve_ids(fields: dict[str, Any]) -> dict[str, Any]:
    from baozhang.accounts.models import User
    from baozhang.desk.models import Category, Group

    models = {
        "assignee_id": ("assignee", User),
        "group_id": ("group", Group),
        "category_id": ("category", Category),
    }
    out = {}
    for key, value in fields.items():
        if key in models:
            name, model = models[key]
            out[name] = None if value is None else get_object_or_404(model, pk=value)
        else:
            out[key] = value
    return out


@router.get("/tickets/{ticket_id}/events", response=list[EventOut])
@paginate(Pages, page_size=100)
def ticket_events(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    return timeline(request.auth, _ticket(request, ticket_id))


@router.get("/tickets/{ticket_id}/replies", response=list[MessageOut])
@paginate(Pages, page_size=100)
def list_replies(request: HttpRequest, ticket_id: Id):  # type: ignore[no-untyped-def]
    return visible_messages(request.auth, _ticket(request, ticket_id))


@router.post("/tickets/{ticket_id}/replies", response={201: MessageOut})
def add_reply(request: HttpRequest, ticket_id: Id, payload: ReplyIn):  # type: ignore[no-untyped-def]
    ticket = _ticket(request, ticket_id)
    return Status(
        201,
        services.reply(
            request.auth, ticket, payload.body, internal=payload.internal, channel=Channel.API
        ),
    )


@router.post("/tickets/{ticket_id}/attachments", response={201: MessageOut})
def add_attachment(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    ticket_id: Id,
    file: UploadedFile = File(...),  # noqa: B008
    note: str = "",
):
    ticket = _ticket(request, ticket_id)
    return Status(201, services.attach(request.auth, ticket, file, note, channel=Channel.API))


@router.post("/tickets/{ticket_id}/status", response=TicketOut)
def change_status(request: HttpRequest, ticket_id: Id, payload: StatusIn):  # type: ignore[no-untyped-def]
    ticket = _ticket(request, ticket_id)
    return services.change_status(request.auth, ticket, payload.status, reason=payload.reason)


@router.post("/tickets/{ticket_id}/escalate", response=TicketOut)
def escalate(request: HttpRequest, ticket_id: Id, payload: EscalateIn):  # type: ignore[no-untyped-def]
    return services.escalate(request.auth, _ticket(request, ticket_id), payload.reason)


@router.post("/tickets/{ticket_id}/rating", response=TicketOut)
def rate(request: HttpRequest, ticket_id: Id, payload: RatingIn):  # type: ignore[no-untyped-def]
    return services.rate(request.auth, _ticket(request, ticket_id), payload.rating)
