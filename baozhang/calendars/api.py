"""API for business calendars. Thin: services change, selectors read, core computes.

Only the operator's staff see calendars; for anyone else every path answers 404.
Numeric ids are ``{calendar_id}`` and ``{schedule_id}``; computations take the ``{key}``
(built-ins ``24x7`` and ``cn-5x8`` included).
"""

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Date, Id
from baozhang.calendars import services
from baozhang.calendars.models import DateKind
from baozhang.calendars.presenters import builtin_rows, compute_add, compute_between, day_rows
from baozhang.calendars.selectors import (
    calendar_by_key_or_404,
    require_calendar_viewer,
    visible_calendars,
    visible_schedules,
)

router = Router(tags=["calendars"])


class DateOut(Schema):
    date: dt.date
    kind: DateKind
    reason: str


class CalendarOut(Schema):
    id: int | None = Field(None, description="null for a built-in calendar")
    key: str
    name: str
    builtin: bool = False
    description: str = ""
    time_zone: str
    base_schedule: str = Field("", description='"" none, "CN", or an ISO country code')
    monday: str
    tuesday: str
    wednesday: str
    thursday: str
    friday: str
    saturday: str
    sunday: str
    workday_spans: str
    is_active: bool = True
    version: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @staticmethod
    def resolve_builtin(obj: object) -> bool:
        return bool(getattr(obj, "builtin", False))


class CalendarDetailOut(CalendarOut):
    dates: list[DateOut] = []

    @staticmethod
    def resolve_dates(obj: object) -> list[object]:
        dates = getattr(obj, "dates", None)
        return list(dates.all()) if dates is not None and hasattr(dates, "all") else []


_SPANS = "Working spans, e.g. '09:00-12:00 13:00-18:00'; empty for a rest day"


class CalendarIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    key: str = Field(..., min_length=1, max_length=50)
    description: str = ""
    time_zone: str = "Asia/Shanghai"
    base_schedule: str = Field("", description='"" none, "CN", or an ISO country code')
    monday: str = Field("", description=_SPANS)
    tuesday: str = ""
    wednesday: str = ""
    thursday: str = ""
    friday: str = ""
    saturday: str = ""
    sunday: str = ""
    workday_spans: str = ""
    is_active: bool = True


class CalendarPatch(PatchIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = None
    time_zone: str | None = None
    base_schedule: str | None = None
    monday: str | None = None
    tuesday: str | None = None
    wednesday: str | None = None
    thursday: str | None = None
    friday: str | None = None
    saturday: str | None = None
    sunday: str | None = None
    workday_spans: str | None = None
    is_active: bool | None = None


class DateIn(Schema):
    date: Date
    kind: DateKind
    reason: str = Field("", max_length=200)


class ScheduleIn(Schema):
    country: str = Field("CN", min_length=2, max_length=2)
    name: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., description="The schedule in the docs/calendars.md format")


class ScheduleOut(Schema):
    id: int
    country: str
    name: str
    years: str
    text: str
    imported_by_id: int | None
    created_at: dt.datetime


class AddOut(Schema):
    calendar: str
    start: str
    duration: str
    end: str = Field(..., description="ISO 8601 with the calendar's offset")
    provisional: bool


class BetweenOut(Schema):
    calendar: str
    start: str
    end: str
    duration: str = Field(..., description="ISO 8601 business time, e.g. PT4H30M")
    seconds: float
    provisional: bool


class DayOut(Schema):
    date: dt.date
    open: bool
    spans: list[str]
    reason: str
    provisional: bool


@router.get("/calendars", response=list[CalendarOut])
@paginate(Pages, page_size=50)
def list_calendars(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Built-in calendars first (``builtin: true``, no id), then the operator's own."""
    require_calendar_viewer(request.auth)
    return [*builtin_rows(), *visible_calendars(request.auth)]


@router.get("/calendars/schedules", response=list[ScheduleOut])
@paginate(Pages, page_size=50)
def list_schedules(request: HttpRequest):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    return visible_schedules(request.auth)


@router.post("/calendars/schedules", response={201: ScheduleOut})
def import_schedule(request: HttpRequest, payload: ScheduleIn):  # type: ignore[no-untyped-def]
    """Import a newly announced official schedule; its years stop being provisional on
    every calendar based on that country (built-in cn-5x8 too for CN)."""
    require_calendar_viewer(request.auth)
    return Status(201, services.import_schedule(request.auth, **payload.dict()))


@router.delete("/calendars/schedules/{schedule_id}", response={204: None})
def delete_schedule(request: HttpRequest, schedule_id: Id):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    item = get_object_or_404(visible_schedules(request.auth), pk=schedule_id)
    services.delete_schedule(request.auth, item)
    return Status(204, None)


@router.get("/calendars/{calendar_id}", response=CalendarDetailOut)
def get_calendar(request: HttpRequest, calendar_id: Id):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    return get_object_or_404(visible_calendars(request.auth), pk=calendar_id)


@router.post("/calendars", response={201: CalendarDetailOut})
def create_calendar(request: HttpRequest, payload: CalendarIn):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    return Status(201, services.create_calendar(request.auth, **payload.dict()))


@router.patch("/calendars/{calendar_id}", response=CalendarDetailOut)
def update_calendar(request: HttpRequest, calendar_id: Id, payload: CalendarPatch):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    cal = get_object_or_404(visible_calendars(request.auth), pk=calendar_id)
    return services.update_calendar(request.auth, cal, **payload.dict(exclude_unset=True))


@router.get("/calendars/{calendar_id}/dates", response=list[DateOut])
def list_dates(request: HttpRequest, calendar_id: Id):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    cal = get_object_or_404(visible_calendars(request.auth), pk=calendar_id)
    return list(cal.dates.all())


@router.post("/calendars/{calendar_id}/dates", response={201: DateOut})
def set_date(request: HttpRequest, calendar_id: Id, payload: DateIn):  # type: ignore[no-untyped-def]
    """Close or open a date (replaces any earlier setting of that date)."""
    require_calendar_viewer(request.auth)
    cal = get_object_or_404(visible_calendars(request.auth), pk=calendar_id)
    return Status(201, services.set_date(request.auth, cal, **payload.dict()))


@router.delete("/calendars/{calendar_id}/dates/{date}", response={204: None})
def remove_date(request: HttpRequest, calendar_id: Id, date: Date):  # type: ignore[no-untyped-def]
    require_calendar_viewer(request.auth)
    cal = get_object_or_404(visible_calendars(request.auth), pk=calendar_id)
    services.remove_date(request.auth, cal, date)
    return Status(204, None)


@router.get("/calendars/{key}/add", response=AddOut)
def add(request: HttpRequest, key: str, start: str, duration: str):  # type: ignore[no-untyped-def]
    """The end of ``duration`` business time (``PT4H30M``) or working days (``10wd``)
    after ``start`` (ISO 8601 with offset). Bad input: 422 with ``fields``."""
    require_calendar_viewer(request.auth)
    calendar = calendar_by_key_or_404(key)
    return compute_add(key, calendar, start, duration)


@router.get("/calendars/{key}/between", response=BetweenOut)
def between(request: HttpRequest, key: str, start: str, end: str):  # type: ignore[no-untyped-def]
    """Business time from ``start`` to ``end`` (negative if end is before start)."""
    require_calendar_viewer(request.auth)
    calendar = calendar_by_key_or_404(key)
    return compute_between(key, calendar, start, end)


@router.get("/calendars/{key}/days", response=list[DayOut])
def days(request: HttpRequest, key: str, first: str, last: str):  # type: ignore[no-untyped-def]
    """Each date from ``first`` to ``last`` (YYYY-MM-DD, at most 366 days): open spans or
    closed, and why."""
    require_calendar_viewer(request.auth)
    calendar = calendar_by_key_or_404(key)
    rows = day_rows(calendar, first, last)
    return [
        {
            "date": r.date,
            "open": bool(r.spans),
            "spans": [str(s) for s in r.spans],
            "reason": r.reason,
            "provisional": r.provisional,
        }
        for r in rows
    ]
