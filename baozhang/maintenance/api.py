"""API for maintenance (/api/v1/maintenance/…). Thin: every step is a service or selector.

Staff see every window; a customer's people the windows of their own services (and only
their own services in them). A refusal of a service (the 24-hour notice above all) is a
422 with the project's JSON error, its bilingual text under ``fields.__all__``.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.permissions import is_operator_staff
from baozhang.api.pagination import Pages
from baozhang.api.types import DateTime, Id
from baozhang.catalog.models import Service
from baozhang.maintenance import services
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.maintenance.selectors import visible_services, visible_windows
from baozhang.notify.selectors import unreached_about, unreached_text

router = Router(tags=["maintenance"])


class ServiceRef(Schema):
    id: int
    name: str
    name_en: str
    slug: str


class WindowOut(Schema):
    id: int
    title: str
    title_en: str
    description: str
    services: list[ServiceRef]
    start: dt.datetime
    end: dt.datetime
    is_emergency: bool
    emergency_reason: str
    status: WindowStatus
    announced_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    not_notified: list[str] = Field(
        default_factory=list,
        description="Staff only: the customers of the window that no channel could reach "
        "when they were to be told (in the reader's language).",
    )

    @staticmethod
    def resolve_services(obj: MaintenanceWindow, context: Any) -> list[Service]:
        # A customer's people see only their own services in a window.
        return visible_services(obj, context["request"].auth)

    @staticmethod
    def resolve_not_notified(obj: MaintenanceWindow, context: Any) -> list[str]:
        if not is_operator_staff(context["request"].auth):
            return []
        return [unreached_text(u) for u in unreached_about(obj)]


class WindowIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    description: str = ""
    service_ids: list[Id] = Field(..., min_length=1)
    start: DateTime
    end: DateTime
    is_emergency: bool = False
    emergency_reason: str = ""


class RescheduleIn(Schema):
    start: DateTime
    end: DateTime
    is_emergency: bool | None = None
    emergency_reason: str | None = None


class CancelIn(Schema):
    reason: str = Field(..., min_length=1)


def _window(request: HttpRequest, window_id: Id) -> MaintenanceWindow:
    return get_object_or_404(visible_windows(request.auth), pk=window_id)


@router.get("/maintenance/windows", response=list[WindowOut])
@paginate(Pages, page_size=100)
def list_windows(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    when: Literal["upcoming", "in_progress", "past", "cancelled"] | None = None,
):
    """Windows the caller may see, latest start first; ``when`` narrows them to those
    not started yet, under way, over, or cancelled."""
    now = timezone.now()
    qs = visible_windows(request.auth).prefetch_related("services").order_by("-start", "-id")
    scheduled = qs.filter(status=WindowStatus.SCHEDULED)
    if when == "upcoming":
        qs = scheduled.filter(start__gt=now)
    elif when == "in_progress":
        qs = scheduled.filter(start__lte=now, end__gt=now)
    elif when == "past":
        qs = scheduled.filter(end__lte=now)
    elif when == "cancelled":
        qs = qs.filter(status=WindowStatus.CANCELLED)
    return qs


@router.get("/maintenance/windows/{window_id}", response=WindowOut)
def get_window(request: HttpRequest, window_id: Id):  # type: ignore[no-untyped-def]
    return _window(request, window_id)


@router.post("/maintenance/windows", response={201: WindowOut})
def create_window(request: HttpRequest, payload: WindowIn):  # type: ignore[no-untyped-def]
    """Schedule maintenance and tell the customers of its services. A start less than
    24 hours ahead is refused (422) unless ``is_emergency`` with an ``emergency_reason``."""
    data = payload.dict()
    ids = set(data.pop("service_ids"))
    found = list(Service.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        missing = sorted(ids - {s.pk for s in found})
        raise services.Refusal(f"没有这些服务：{missing} / no such services: {missing}")
    window = services.schedule(request.auth, services=found, **data)
    return Status(201, window)


@router.post("/maintenance/windows/{window_id}/reschedule", response=WindowOut)
def reschedule_window(request: HttpRequest, window_id: Id, payload: RescheduleIn):  # type: ignore[no-untyped-def]
    window = services.reschedule(request.auth, _window(request, window_id), **payload.dict())
    return window


@router.post("/maintenance/windows/{window_id}/cancel", response=WindowOut)
def cancel_window(request: HttpRequest, window_id: Id, payload: CancelIn):  # type: ignore[no-untyped-def]
    window = services.cancel(request.auth, _window(request, window_id), payload.reason)
    return window
