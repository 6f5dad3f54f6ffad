"""The only code that changes the roster. One function per action; each owns its
transaction and records its event, so the roster's history is its event record."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import Capability, is_operator_staff, require
from baozhang.core.sla_text import span_text
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said
from baozhang.staffing.models import CoveragePromise, GapWarning, Seat, Shift

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.core.roster import CoverageGap

SEAT_FIELDS = ("name", "location", "extension", "is_active")
SHIFT_FIELDS = ("person", "seat", "start", "end", "note")
PROMISE_FIELDS = (
    "calendar_key",
    "duty_on_rest_days",
    "min_on_duty",
    "min_day_shift",
    "day_shift_start",
    "day_shift_end",
    "min_seats",
    "min_staff",
)
# A longer shift is almost always a typo in a date; split real 48-hour duties in two.
MAX_SHIFT = dt.timedelta(hours=24)
# The event kind of a coverage gap found ahead of time.
GAP_FOUND = EventKind.COVERAGE_GAP


def _require_manager(actor: User | AnonymousUser) -> None:
    # Editing the roster is calendar work (who covers which hours); see the report to the
    # lead about a dedicated capability.
    require(actor, Capability.MANAGE_ROSTER)


# -- seats ----------------------------------------------------------------------------------


def _clean_seat(seat: Seat) -> None:
    seat.name = seat.name.strip()
    if not seat.name:
        raise ValidationError({"name": _("A seat needs a name.")})
    clash = Seat.objects.filter(name=seat.name).exclude(pk=seat.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("There is already a seat named %(name)s.") % {"name": seat.name}}
        )


@transaction.atomic
def create_seat(
    actor: User | AnonymousUser,
    *,
    name: str,
    location: str = "",
    extension: str = "",
    is_active: bool = True,
) -> Seat:
    _require_manager(actor)
    seat = Seat(name=name, location=location, extension=extension, is_active=is_active)
    _clean_seat(seat)
    seat.save()
    record(EventKind.CREATED, seat, actor=actor, after=snapshot(seat, SEAT_FIELDS))
    return seat


@transaction.atomic
def update_seat(actor: User | AnonymousUser, seat: Seat, **fields: Any) -> Seat:
    _require_manager(actor)
    unknown = set(fields) - set(SEAT_FIELDS)
    if unknown:
        raise ValidationError({k: _("This field cannot be changed.") for k in sorted(unknown)})
    before = snapshot(seat, SEAT_FIELDS)
    for name, value in fields.items():
        setattr(seat, name, value)
    _clean_seat(seat)
    old, new = changed(before, snapshot(seat, SEAT_FIELDS))
    if new:
        seat.save(update_fields=list(new))
        record(EventKind.UPDATED, seat, actor=actor, before=old, after=new)
    return seat


@transaction.atomic
def delete_seat(actor: User | AnonymousUser, seat: Seat) -> None:
    """Delete a seat that no shift uses; a seat with shifts is deactivated instead."""
    _require_manager(actor)
    before = snapshot(seat, SEAT_FIELDS)
    pk, label = seat.pk, str(seat)
    try:
        with transaction.atomic():
            seat.delete()
    except ProtectedError:
        raise ValidationError(
            {
                "seat": _(
                    "Seat %(name)s has shifts on the roster; make it inactive instead of "
                    "deleting it."
                )
                % {"name": label}
            }
        ) from None
    record(
        EventKind.DELETED,
        None,
        actor=actor,
        before=before,
        object_type="staffing.seat",
        object_id=str(pk),
        object_label=label,
    )


# -- shifts ---------------------------------------------------------------------------------


def _clean_shift(shift: Shift) -> None:
    errors: dict[str, str] = {}
    person = shift.person
    if not person.is_active:
        errors["person"] = _("%(name)s is not an active user and cannot be on the roster.") % {
            "name": person
        }
    elif not is_operator_staff(person):
        errors["person"] = _(
            "%(name)s is not one of the operator's staff; only staff can be on the roster."
        ) % {"name": person}
    if shift.seat is not None and not shift.seat.is_active:
        errors["seat"] = _("Seat %(name)s is not active.") % {"name": shift.seat}
    for name in ("start", "end"):
        value = getattr(shift, name)
        if value is None or timezone.is_naive(value):
            errors[name] = _("Give a date and time with its UTC offset, e.g. %(example)s.") % {
                "example": "2026-10-01T09:00:00+08:00"
            }
    if "start" not in errors and "end" not in errors:
        if shift.end <= shift.start:
            errors["end"] = _(
                "The shift must end after it starts (start %(start)s, end %(end)s)."
            ) % {"start": shift.start.isoformat(), "end": shift.end.isoformat()}
        elif shift.end - shift.start > MAX_SHIFT:
            errors["end"] = _("A shift lasts at most 24 hours; split a longer duty in two.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_shift(
    actor: User | AnonymousUser,
    *,
    person: User,
    start: dt.datetime,
    end: dt.datetime,
    seat: Seat | None = None,
    note: str = "",
) -> Shift:
    """Put a member of staff on the roster. Overlaps are allowed here and listed by the
    coverage check (a double booking is a planning mistake to show, not to hide)."""
    _require_manager(actor)
    shift = Shift(person=person, seat=seat, start=start, end=end, note=note.strip())
    _clean_shift(shift)
    shift.save()
    record(EventKind.CREATED, shift, actor=actor, after=snapshot(shift, SHIFT_FIELDS))
    return shift


@transaction.atomic
def remove_shift(actor: User | AnonymousUser, shift: Shift) -> None:
    _require_manager(actor)
    before = snapshot(shift, SHIFT_FIELDS)
    pk, label = shift.pk, str(shift)
    shift.delete()
    record(
        EventKind.DELETED,
        None,
        actor=actor,
        before=before,
        object_type="staffing.shift",
        object_id=str(pk),
        object_label=label,
    )


@transaction.atomic
def copy_week(actor: User | AnonymousUser, week_start: dt.date) -> list[Shift]:
    """Copy the shifts that start in the week before ``week_start`` (a local date in the
    promise's time zone) seven days later, at the same local times. Shifts already there
    (same person, start and end) are not copied twice; people who are no longer active
    staff are skipped, and an inactive seat is left empty. Returns the new shifts."""
    from baozhang.staffing.selectors import local_midnight, promise_time_zone

    _require_manager(actor)
    tz = promise_time_zone()
    lo = local_midnight(week_start - dt.timedelta(days=7), tz)
    hi = local_midnight(week_start, tz)
    created: list[Shift] = []
    for old in Shift.objects.filter(start__gte=lo, start__lt=hi).select_related("person", "seat"):
        if not is_operator_staff(old.person):
            continue
        start = _plus_week(old.start, tz)
        end = _plus_week(old.end, tz)
        if Shift.objects.filter(person=old.person, start=start, end=end).exists():
            continue
        seat = old.seat if old.seat is not None and old.seat.is_active else None
        created.append(
            add_shift(actor, person=old.person, start=start, end=end, seat=seat, note=old.note)
        )
    return created


def _plus_week(t: dt.datetime, tz: Any) -> dt.datetime:
    local = t.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=7)
    return local.replace(tzinfo=tz)


# -- the promise ----------------------------------------------------------------------------


@transaction.atomic
def update_promise(actor: User | AnonymousUser, **fields: Any) -> CoveragePromise:
    from baozhang.calendars.selectors import calendar_for
    from baozhang.staffing.selectors import get_promise

    _require_manager(actor)
    unknown = set(fields) - set(PROMISE_FIELDS)
    if unknown:
        raise ValidationError({k: _("This field cannot be changed.") for k in sorted(unknown)})
    promise = get_promise()
    before = snapshot(promise, PROMISE_FIELDS)
    for name, value in fields.items():
        setattr(promise, name, value)
    errors: dict[str, str] = {}
    try:
        calendar_for(promise.calendar_key)
    except KeyError:
        errors["calendar_key"] = _("There is no calendar %(key)s.") % {"key": promise.calendar_key}
    for name in ("min_on_duty", "min_day_shift", "min_seats", "min_staff"):
        value = getattr(promise, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
            errors[name] = _("Give a whole number from 0 to 1000, not %(value)s.") % {
                "value": value
            }
    if promise.day_shift_end <= promise.day_shift_start:
        errors["day_shift_end"] = _(
            "The day shift must end after it starts (%(start)s – %(end)s)."
        ) % {"start": promise.day_shift_start, "end": promise.day_shift_end}
    if errors:
        raise ValidationError(errors)
    old, new = changed(before, snapshot(promise, PROMISE_FIELDS))
    promise.pk = 1
    promise.save()
    if new:
        record(EventKind.UPDATED, promise, actor=actor, before=old, after=new)
    return promise


# -- warnings ahead of time ----------------------------------------------------------------


def gap_fingerprint(gap: CoverageGap) -> str:
    return "|".join(
        (gap.kind, gap.start.isoformat(), gap.end.isoformat(), str(gap.required), str(gap.on_duty))
    )


def _gap_span(gap: CoverageGap) -> str:
    """``2026-12-21 18:00–2026-12-22 00:00 (Asia/Shanghai)``: in the promise's zone, as
    people read it (never a UTC ISO string)."""
    from baozhang.staffing.selectors import promise_time_zone

    tz = promise_time_zone()
    return f"{span_text(gap.start, gap.end, tz)} ({tz})"


def warn_of_gap(gap: CoverageGap, now: dt.datetime) -> bool:
    """Record one warning event for ``gap`` unless it was warned of before (by this or
    any other worker, before or after a restart). Returns True if it warned now."""
    fingerprint = gap_fingerprint(gap)
    if GapWarning.objects.filter(fingerprint=fingerprint).exists():
        return False
    try:
        with transaction.atomic():
            warning = GapWarning.objects.create(
                fingerprint=fingerprint,
                start=gap.start,
                end=gap.end,
                kind=gap.kind,
                missing=gap.missing,
                warned_at=now,
            )
            record(
                GAP_FOUND,
                warning,
                actor=None,
                at=now,
                after={
                    "start": gap.start,
                    "end": gap.end,
                    "kind": str(gap.kind),
                    "required": gap.required,
                    "on_duty": gap.on_duty,
                },
                summary=said(
                    "roster gap: %(missing)s of %(required)s missing, %(span)s",
                    missing=gap.missing,
                    required=gap.required,
                    span=_gap_span(gap),
                ),
            )
    except IntegrityError:
        return False  # another worker got there first
    return True
