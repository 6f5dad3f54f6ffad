"""The only code that changes calendars, their dates and imported schedules. One function
per action; each owns its transaction, checks MANAGE_CALENDARS and records its event.

Every change bumps the calendar's ``version`` so that cached core calendars are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import Capability, require
from baozhang.calendars.models import (
    WEEKDAYS,
    BusinessCalendar,
    CalendarDate,
    DateKind,
    ImportedSchedule,
)
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import choice, said

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

CALENDAR_FIELDS = (
    "name",
    "key",
    "description",
    "time_zone",
    "base_schedule",
    *WEEKDAYS,
    "workday_spans",
    "is_active",
)
EDITABLE_FIELDS = frozenset(CALENDAR_FIELDS) - {"key"}


def _check_actor(actor: Actor, capability: Capability = Capability.MANAGE_CALENDARS) -> None:
    # actor None means the system itself (set-up commands, demo data, tests' factories).
    if actor is not None:
        require(actor, capability)


def _bump(cal: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(pk=cal.pk).update(version=F("version") + 1)
    cal.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def create_calendar(actor: Actor, **fields: Any) -> BusinessCalendar:
    """Create a calendar from CALENDAR_FIELDS; spans are normalised to
    ``"09:00-12:00 13:00-18:00"``. Raises ValidationError naming the bad fields."""
    _check_actor(actor)
    unknown = set(fields) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValueError(f"unknown calendar fields: {sorted(unknown)}")
    cal = BusinessCalendar(**fields)
    cal.full_clean()
    cal.save()
    record(EventKind.CREATED, cal, actor=actor, after=snapshot(cal, CALENDAR_FIELDS))
    return cal


@transaction.atomic
def update_calendar(actor: Actor, cal: BusinessCalendar, **fields: Any) -> BusinessCalendar:
    """Change some fields; the key cannot change (agreements and scripts refer to it)."""
    _check_actor(actor)
    if "key" in fields and fields["key"] != cal.key:
        raise ValidationError(
            {
                "key": _(
                    "The key of a calendar cannot be changed (agreements refer to it); "
                    "create a new calendar instead. / 日历标识不能修改（协议引用它），请新建日历。"
                )
            }
        )
    fields.pop("key", None)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"unknown calendar fields: {sorted(unknown)}")
    cal = BusinessCalendar.objects.select_for_update().get(pk=cal.pk)
    before = snapshot(cal, CALENDAR_FIELDS)
    for name, value in fields.items():
        setattr(cal, name, value)
    cal.full_clean()
    old, new = changed(before, snapshot(cal, CALENDAR_FIELDS))
    if new:
        cal.version += 1
        cal.save(update_fields=[*new, "version", "updated_at"])
        record(EventKind.UPDATED, cal, actor=actor, before=old, after=new)
    return cal


def _date_entry(entry: CalendarDate | None) -> dict[str, str] | None:
    if entry is None:
        return None
    return {"kind": entry.kind, "reason": entry.reason}


@transaction.atomic
def set_date(
    actor: Actor,
    cal: BusinessCalendar,
    *,
    date: dt.date,
    kind: str,
    reason: str = "",
) -> CalendarDate:
    """Close or open one date of the calendar (replacing what was set for that date)."""
    _check_actor(actor)
    if kind not in DateKind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(kind)r: expected closed or opened. / 类型无效 %(kind)r")
                % {"kind": kind}
            }
        )
    cal = BusinessCalendar.objects.select_for_update().get(pk=cal.pk)
    entry = CalendarDate.objects.filter(calendar=cal, date=date).first()
    before = _date_entry(entry)
    if entry is None:
        entry = CalendarDate(calendar=cal, date=date)
    entry.kind, entry.reason = kind, reason.strip()
    entry.full_clean(exclude=["calendar"], validate_unique=False)
    entry.save()
    after = _date_entry(entry)
    if before != after:
        _bump(cal)
        label = f"date {entry.date.isoformat()}"
        record(
            EventKind.UPDATED,
            cal,
            actor=actor,
            before={label: before},
            after={label: after},
            summary=said(
                "%(date)s %(kind)s: %(reason)s" if entry.reason else "%(date)s %(kind)s",
                date=entry.date.isoformat(),
                kind=choice(DateKind(kind).label),
                reason=entry.reason,
            ),
        )
    return entry


@transaction.atomic
def remove_date(actor: Actor, cal: BusinessCalendar, date: dt.date) -> None:
    """Remove the calendar's own setting for a date; the schedule and weekly spans apply
    again. Raises ValidationError if the date has no setting."""
    _check_actor(actor)
    cal = BusinessCalendar.objects.select_for_update().get(pk=cal.pk)
    entry = CalendarDate.objects.filter(calendar=cal, date=date).first()
    if entry is None:
        raise ValidationError(
            {
                "date": _(
                    "%(date)s is neither closed nor opened on this calendar. / "
                    "%(date)s 在此日历上既未关闭也未开放。"
                )
                % {"date": date.isoformat()}
            }
        )
    before = _date_entry(entry)
    entry.delete()
    _bump(cal)
    label = f"date {date.isoformat()}"
    record(
        EventKind.UPDATED,
        cal,
        actor=actor,
        before={label: before},
        after={label: None},
        summary=said("%(date)s setting removed", date=date.isoformat()),
    )


SCHEDULE_FIELDS = ("country", "name", "years")


@transaction.atomic
def import_schedule(actor: Actor, *, country: str, name: str, text: str) -> ImportedSchedule:
    """Store an official schedule (docs/calendars.md format) for ``country``; it is laid
    over the package's schedule for every calendar based on that country from now on.
    Raises ValidationError naming the bad line of ``text``."""
    _check_actor(actor)
    user = actor if actor is not None and actor.is_authenticated else None
    item = ImportedSchedule(
        country=country.strip().upper(), name=name.strip(), text=text, imported_by=user
    )
    item.full_clean()
    item.save()
    # The calendars based on this country change too: their cached objects must go.
    BusinessCalendar.objects.filter(base_schedule=item.country).update(version=F("version") + 1)
    record(EventKind.CREATED, item, actor=actor, after=snapshot(item, SCHEDULE_FIELDS))
    return item


@transaction.atomic
def delete_schedule(actor: Actor, item: ImportedSchedule) -> None:
    """Withdraw an imported schedule; the package's data applies again for its years."""
    _check_actor(actor)
    before = snapshot(item, SCHEDULE_FIELDS)
    record(EventKind.DELETED, item, actor=actor, before=before)
    BusinessCalendar.objects.filter(base_schedule=item.country).update(version=F("version") + 1)
    item.delete()
