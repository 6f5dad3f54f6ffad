"""API for the roster (/api/v1/staffing/…). Thin: every step is a service or selector.

A customer's people get 404 on every path: the roster is none of their business.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import User
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import DateTime, Id, LocalTime
from baozhang.core.roster import GapKind
from baozhang.staffing import services
from baozhang.staffing.selectors import (
    coverage_report,
    get_promise,
    require_staff,
    visible_seats,
    visible_shifts,
)

router = Router(tags=["staffing"])


class SeatIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    location: str = Field("", max_length=200)
    extension: str = Field("", max_length=20)
    is_active: bool = True


class SeatPatch(PatchIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    location: str | None = Field(None, max_length=200)
    extension: str | None = Field(None, max_length=20)
    is_active: bool | None = None


class SeatOut(SeatIn):
    id: int


class ShiftIn(Schema):
    person_id: Id
    seat_id: Id | None = None
    start: DateTime
    end: DateTime
    note: str = Field("", max_length=200)


class ShiftOut(ShiftIn):
    id: int
    person_name: str

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.get_full_name() or obj.person.get_username())


class PromiseIn(Schema):
    calendar_key: str | None = Field(None, min_length=1, max_length=64)
    duty_on_rest_days: bool | None = None
    min_on_duty: int | None = Field(None, ge=0, le=1000)
    min_day_shift: int | None = Field(None, ge=0, le=1000)
    day_shift_start: LocalTime | None = None
    day_shift_end: LocalTime | None = None
    min_seats: int | None = Field(None, ge=0, le=1000)
    min_staff: int | None = Field(None, ge=0, le=1000)


class PromiseOut(Schema):
    calendar_key: str
    duty_on_rest_days: bool
    min_on_duty: int
    min_day_shift: int
    day_shift_start: LocalTime
    day_shift_end: LocalTime
    min_seats: int
    min_staff: int


class GapOut(Schema):
    start: dt.datetime
    end: dt.datetime
    kind: GapKind
    day: dt.date
    required: int
    on_duty: int
    missing: int
    upcoming: bool


class DayShiftShortfallOut(Schema):
    day: dt.date
    fewest: int
    required: int


class ShortfallOut(Schema):
    have: int
    required: int
    missing: int


class OverlapOut(Schema):
    start: dt.datetime
    end: dt.datetime
    shift_ids: list[int]


class DoubleBookingOut(OverlapOut):
    person_id: int


class SeatClashOut(OverlapOut):
    seat_id: int


class CoverageOut(Schema):
    start: dt.datetime
    end: dt.datetime
    ok: bool
    gaps: list[GapOut]
    day_shift_shortfalls: list[DayShiftShortfallOut]
    rest_days_without_duty: list[dt.date]
    seats: ShortfallOut
    staff: ShortfallOut
    double_bookings: list[DoubleBookingOut]
    seat_clashes: list[SeatClashOut]


def _staff(request: HttpRequest) -> Any:
    require_staff(request.auth)
    return request.auth


def _seat(request: HttpRequest, seat_id: Id) -> Any:
    return get_object_or_404(visible_seats(_staff(request)), pk=seat_id)


def _shift(request: HttpRequest, shift_id: Id) -> Any:
    return get_object_or_404(visible_shifts(_staff(request)), pk=shift_id)


@router.get("/staffing/seats", response=list[SeatOut])
@paginate(Pages, page_size=100)
def list_seats(request: HttpRequest, active: bool | None = None):  # type: ignore[no-untyped-def]
    qs = visible_seats(_staff(request))
    return qs if active is None else qs.filter(is_active=active)


@router.post("/staffing/seats", response={201: SeatOut})
def create_seat(request: HttpRequest, payload: SeatIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_seat(_staff(request), **payload.dict()))


@router.patch("/staffing/seats/{seat_id}", response=SeatOut)
def update_seat(request: HttpRequest, seat_id: Id, payload: SeatPatch):  # type: ignore[no-untyped-def]
    seat = _seat(request, seat_id)
    return services.update_seat(request.auth, seat, **payload.dict(exclude_unset=True))


@router.delete("/staffing/seats/{seat_id}", response={204: None})
def delete_seat(request: HttpRequest, seat_id: Id):  # type: ignore[no-untyped-def]
    services.delete_seat(request.auth, _seat(request, seat_id))
    return Status(204, None)


@router.get("/staffing/shifts", response=list[ShiftOut])
@paginate(Pages, page_size=200)
def list_shifts(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    start: DateTime | None = None,
    end: DateTime | None = None,
    person_id: Id | None = None,
    seat_id: Id | None = None,
):
    """Shifts that overlap [start, end) (either end may be left open), in order of start."""
    qs = visible_shifts(_staff(request))
    if start is not None:
        qs = qs.filter(end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if seat_id is not None:
        qs = qs.filter(seat_id=seat_id)
    return qs


@router.get("/staffing/shifts/{shift_id}", response=ShiftOut)
def get_shift(request: HttpRequest, shift_id: Id):  # type: ignore[no-untyped-def]
    return _shift(request, shift_id)


@router.post("/staffing/shifts", response={201: ShiftOut})
def create_shift(request: HttpRequest, payload: ShiftIn):  # type: ignore[no-untyped-def]
    actor = _staff(request)
    data = payload.dict()
    person = User.objects.filter(pk=data.pop("person_id")).first()
    if person is None:
        raise ValidationError({"person_id": "No such person / 没有这个人"})
    seat_id = data.pop("seat_id")
    seat = None
    if seat_id is not None:
        seat = visible_seats(actor).filter(pk=seat_id).first()
        if seat is None:
            raise ValidationError({"seat_id": "No such seat / 没有这个席位"})
    try:
        shift = services.add_shift(actor, person=person, seat=seat, **data)
    except ValidationError as exc:
        # The API's fields are person_id and seat_id; say so in the errors too.
        names = {"person": "person_id", "seat": "seat_id"}
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}) from None
    return Status(201, shift)


@router.delete("/staffing/shifts/{shift_id}", response={204: None})
def delete_shift(request: HttpRequest, shift_id: Id):  # type: ignore[no-untyped-def]
    services.remove_shift(request.auth, _shift(request, shift_id))
    return Status(204, None)


@router.get("/staffing/promise", response=PromiseOut)
def get_staffing_promise(request: HttpRequest):  # type: ignore[no-untyped-def]
    _staff(request)
    return get_promise()


@router.patch("/staffing/promise", response=PromiseOut)
def update_staffing_promise(request: HttpRequest, payload: PromiseIn):  # type: ignore[no-untyped-def]
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_promise(_staff(request), **fields)


@router.get("/staffing/coverage", response=CoverageOut)
def coverage(request: HttpRequest, start: DateTime, end: DateTime):  # type: ignore[no-untyped-def]
    """Check the roster over [start, end) (at most 92 days) against the promise."""
    _staff(request)
    errors = {
        name: "Give a date and time with its UTC offset / 请给出带时区偏移的时间"
        for name, value in (("start", start), ("end", end))
        if timezone.is_naive(value)
    }
    if not errors and end <= start:
        errors["end"] = "end must be after start / 结束须晚于开始"
    if errors:
        raise ValidationError(errors)
    try:
        found = coverage_report(start, end, timezone.now())
    except ValueError as exc:
        raise ValidationError({"end": str(exc)}) from None
    except KeyError as exc:
        raise ValidationError({"calendar_key": str(exc)}) from None
    report = found.report
    return {
        "start": report.start,
        "end": report.end,
        "ok": report.ok,
        "gaps": [
            {
                "start": g.start,
                "end": g.end,
                "kind": g.kind,
                "day": g.day,
                "required": g.required,
                "on_duty": g.on_duty,
                "missing": g.missing,
                "upcoming": g.end > found.now,
            }
            for g in report.gaps
        ],
        "day_shift_shortfalls": [
            {"day": s.day, "fewest": s.fewest, "required": s.required}
            for s in report.day_shift_shortfalls
        ],
        "rest_days_without_duty": list(report.rest_days_without_duty),
        "seats": {**vars(report.seats), "missing": report.seats.missing},
        "staff": {**vars(report.staff), "missing": report.staff.missing},
        "double_bookings": [
            {
                "person_id": int(b.person),
                "start": b.start,
                "end": b.end,
                "shift_ids": [int(b.first.ref), int(b.second.ref)],
            }
            for b in report.double_bookings
        ],
        "seat_clashes": [
            {
                "seat_id": int(c.seat),
                "start": c.start,
                "end": c.end,
                "shift_ids": [int(c.first.ref), int(c.second.ref)],
            }
            for c in report.seat_clashes
        ],
    }
