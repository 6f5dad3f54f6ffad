"""/api/v1/calls: the call log, through the same service as the agents' quick form."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.types import DateTime, Id
from baozhang.calls import services
from baozhang.calls.models import CallChannel, Direction
from baozhang.calls.selectors import visible_calls
from baozhang.desk.models import TicketKind

router = Router(tags=["calls"])


class CallOut(Schema):
    id: int
    channel: CallChannel
    direction: Direction
    caller_name: str
    number: str
    customer_id: int | None
    started_at: datetime
    answered: bool
    duration_seconds: int
    agent_id: int | None
    ticket_id: int | None
    note: str

    @staticmethod
    def resolve_note(obj: Any, context: Any) -> str:
        # An agent's note is for the operator's people: a customer sees the call, not it.
        return obj.note if is_operator_staff(context["request"].auth) else ""


class CallIn(Schema):
    channel: CallChannel
    direction: Direction = Direction.IN
    number: str = Field("", max_length=50)
    caller_name: str = Field("", max_length=200)
    customer_id: Id | None = None
    started_at: DateTime
    answered: bool = True
    duration_seconds: int = Field(0, ge=0)
    agent_id: Id | None = None
    note: str = ""
    follow_up: bool = False
    ticket_kind: TicketKind = TicketKind.FAULT
    subject: str = Field("", max_length=300)


@router.get("/calls", response=list[CallOut])
@paginate(Pages, page_size=50)
def list_calls(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    channel: CallChannel | None = None,
    answered: bool | None = None,
    start: DateTime | None = None,
    end: DateTime | None = None,
):
    """Calls newest first; ``start`` inclusive, ``end`` exclusive."""
    qs = visible_calls(request.auth)
    if channel is not None:
        qs = qs.filter(channel=channel)
    if answered is not None:
        qs = qs.filter(answered=answered)
    if start is not None:
        qs = qs.filter(started_at__gte=start)
    if end is not None:
        qs = qs.filter(started_at__lt=end)
    return qs


@router.post("/calls", response={201: CallOut})
def log_call(request: HttpRequest, payload: CallIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    customer_id = data.pop("customer_id")
    agent_id = data.pop("agent_id")
    if not is_operator_staff(request.auth):
        # The service refuses too; answering before any lookup reveals no customer ids.
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the operator's staff log calls / 仅运营方人员可登记来电")
    customer = (
        None
        if customer_id is None
        else get_object_or_404(Organisation, pk=customer_id, kind=OrganisationKind.CUSTOMER)
    )
    agent = None if agent_id is None else get_object_or_404(User, pk=agent_id)
    call = services.record_call(request.auth, customer=customer, agent=agent, **data)
    return Status(201, call)


@router.get("/calls/{call_id}", response=CallOut)
def get_call(request: HttpRequest, call_id: Id):  # type: ignore[no-untyped-def]
    return get_object_or_404(visible_calls(request.auth), pk=call_id)
