from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from baozhang.api.pagination import Pages
from baozhang.api.types import DateTime, Id
from baozhang.events.selectors import visible_events

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    kind: str
    object_type: str
    object_id: str
    object_label: str
    organisation_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    summary: str
    summary_id: str
    summary_params: dict[str, Any] | None

    @staticmethod
    def resolve_summary(obj: Any) -> str:
        """In the reader's language (Accept-Language, else the token owner's): our own
        texts are stored as ``summary_id`` and ``summary_params`` and said again here."""
        return str(obj.summary_text)

    @staticmethod
    def resolve_object_label(obj: Any) -> str:
        return str(obj.object_text)


@router.get("/events", response=list[EventOut])
@paginate(Pages, page_size=100)
def list_events(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    kind: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: DateTime | None = None,
):
    qs = visible_events(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=since)
    return qs


@router.get("/events/{event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: Id):  # type: ignore[no-untyped-def]
    return get_object_or_404(visible_events(request.auth), pk=event_id)
