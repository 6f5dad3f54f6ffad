"""The only code that changes maintenance windows. One function per action; each owns its
transaction, records its event and writes the customers' notices in the same transaction
(the outbox delivers them after commit).

The rule of T3: the customers of a service are told at least 24 hours before it is worked
on. Every new stretch of maintenance time must begin at least ``NOTICE`` after the moment
it is announced, unless the window is an emergency with a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, require
from baozhang.core.intervals import Interval, subtract
from baozhang.core.sla_text import duration_text, spoken_duration
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import Said, said
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.notify.services import notify_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.catalog.models import Service

    Actor = User | AnonymousUser

#: How long before maintenance its customers must be told (T3).
NOTICE = dt.timedelta(hours=24)
#: How far ahead maintenance may be scheduled: a year, the longest plan operators announce
#: (a yearly power test); a later date is a typing mistake (9999) and would sit in every
#: customer's list of upcoming work.
MAX_AHEAD = dt.timedelta(days=366)
#: How long one window may last: a week. Maintenance is excluded from availability, so a
#: longer stretch would hide outages; longer work is announced as several windows.
MAX_LENGTH = dt.timedelta(days=7)
#: How far back an emergency window may start: work begun a few minutes before it was
#: entered. More than that would turn past outages into "maintenance" after the fact.
EMERGENCY_BACKDATE = dt.timedelta(minutes=15)

_FIELDS = ("title", "title_en", "description", "start", "end", "is_emergency", "status")


class Refusal(ValueError):
    """A bilingual refusal ("中文 / English") naming the form field it is about."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def _tz() -> ZoneInfo:
    # Customers are told times in the operator's time zone (Asia/Shanghai by default).
    return ZoneInfo(settings.TIME_ZONE)


def local_text(t: dt.datetime) -> str:
    """``2026-10-03 02:00 (UTC+08:00)`` in the operator's time zone."""
    local = t.astimezone(_tz())
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def _hours(td: dt.timedelta) -> str:
    hours = td.total_seconds() / 3600
    return f"{hours:.1f}".rstrip("0").rstrip(".")


def _check_aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise Refusal(
            f"{field} 须为带时区的时间，例如 2026-10-03T02:00:00+08:00 / "
            f"{field} must be a date and time with its UTC offset, e.g. "
            "2026-10-03T02:00:00+08:00",
            field,
        )
    return value


def _check_times(start: Any, end: Any) -> tuple[dt.datetime, dt.datetime]:
    start = _check_aware(start, "start")
    end = _check_aware(end, "end")
    if end <= start:
        raise Refusal(
            f"结束时间 {local_text(end)} 必须晚于开始时间 {local_text(start)} / "
            f"the end {local_text(end)} must be after the start {local_text(start)}",
            "end",
        )
    return start, end


def _days_hours(td: dt.timedelta) -> tuple[str, str]:
    """``8 days 2 hours`` / ``8 天 2 小时`` (whole hours, rounded up)."""
    hours = -(-int(td.total_seconds()) // 3600)
    days, hours = divmod(hours, 24)
    en = " ".join(
        f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((days, "day"), (hours, "hour")) if n
    )
    zh = "".join(p for p in (f"{days} 天" if days else "", f" {hours} 小时" if hours else "") if p)
    return en or "0 hours", zh.strip() or "0 小时"


def _check_bounds(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    """Refuse a start more than MAX_AHEAD after ``now`` and a window longer than
    MAX_LENGTH (the form and the API both come through here)."""
    latest = now + MAX_AHEAD
    if start > latest:
        raise Refusal(
            f"开始时间 {local_text(start)} 太远：维护最多提前 {MAX_AHEAD.days} 天安排，"
            f"最晚 {local_text(latest)} 开始 / the start {local_text(start)} is too far "
            f"ahead: maintenance is scheduled at most {MAX_AHEAD.days} days ahead, so it "
            f"must start by {local_text(latest)}",
            "start",
        )
    if end - start > MAX_LENGTH:
        given_en, given_zh = _days_hours(end - start)
        raise Refusal(
            f"维护时长 {given_zh}，超过了一个窗口最长 {MAX_LENGTH.days} 天的上限；请分成几个"
            f"窗口 / the window lasts {given_en}, longer than the {MAX_LENGTH.days} days one "
            f"window may last; split the work into several windows",
            "end",
        )


def _check_notice(
    new_time: Iterable[Interval], now: dt.datetime, is_emergency: bool, reason: str
) -> None:
    """Refuse maintenance time that begins less than NOTICE after ``now`` unless the window
    is an emergency with a reason; an emergency may start at most EMERGENCY_BACKDATE ago."""
    pieces = sorted(new_time)
    if not pieces:
        return  # the window only shrinks: customers already know of all of it
    first = pieces[0].start
    earliest = now + NOTICE
    # Shown to the minute, rounded up so that the time shown is itself allowed.
    earliest_shown = earliest
    if earliest.second or earliest.microsecond:
        earliest_shown = earliest.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    if is_emergency:
        if not reason.strip():
            raise Refusal(
                "紧急维护须说明原因 / emergency maintenance needs a reason",
                "emergency_reason",
            )
        if first < now - EMERGENCY_BACKDATE:
            raise Refusal(
                f"开始时间 {local_text(first)} 已过去；紧急维护最多可提前 15 分钟登记 / "
                f"the start {local_text(first)} is in the past; emergency maintenance may "
                "start at most 15 minutes before it is entered",
                "start",
            )
        return
    if first < earliest:
        given = max(first - now, dt.timedelta(0))
        given -= dt.timedelta(seconds=given.seconds % 60, microseconds=given.microseconds)
        given_en, given_zh = duration_text(given)
        raise Refusal(
            f"须至少提前 24 小时通知客户：维护从 {local_text(first)} 开始，只提前了 {given_zh}；"
            f"最早可于 {local_text(earliest_shown)} 开始，或标记为紧急维护并说明原因 / "
            f"customers must be told at least 24 hours ahead: maintenance from "
            f"{local_text(first)} gives only {given_en} of notice; the earliest start allowed "
            f"is {local_text(earliest_shown)}, or mark it as an emergency and give the reason",
            "start",
        )


def _check_services(services: Iterable[Service]) -> list[Service]:
    items = list(services)
    if not items:
        raise Refusal(
            "请至少选择一项受影响的服务 / choose at least one affected service", "services"
        )
    return items


def _check_open(window: MaintenanceWindow, now: dt.datetime, action_zh: str, action: str) -> None:
    if window.status == WindowStatus.CANCELLED:
        raise Refusal(
            f"维护“{window.title}”已取消，不能{action_zh} / "
            f"maintenance “{window.title}” is cancelled and cannot be {action}"
        )
    if window.end <= now:
        raise Refusal(
            f"维护“{window.title}”已于 {local_text(window.end)} 结束，"
            f"已成为记录，不能{action_zh} / "
            f"maintenance “{window.title}” ended at {local_text(window.end)}; it is part of "
            f"the record and cannot be {action}"
        )


def affected_customers(window: MaintenanceWindow) -> list[Organisation]:
    """The active customer organisations that use any of the window's services."""
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.CUSTOMER,
            is_active=True,
            services__maintenance_windows=window,
        )
        .distinct()
        .order_by("name")
    )


def _context(window: MaintenanceWindow, services: list[Service]) -> dict[str, Any]:
    length_en, length_zh = spoken_duration(window.end - window.start, units=0)
    return {
        "title": window.title,
        "title_en": window.title_en or window.title,
        "services": "、".join(s.name for s in services),
        "services_en": ", ".join(s.display_name("en") for s in services),
        "start": local_text(window.start),
        "end": local_text(window.end),
        "length": length_zh,
        "length_en": length_en,
        "description": window.description.strip(),
        "is_emergency": window.is_emergency,
        "emergency_reason": window.emergency_reason.strip(),
        "cancel_reason": window.cancel_reason.strip(),
    }


@dataclass(frozen=True)
class Told:
    """Who a notice of a window reached: the customers told (a message on at least one
    channel) and those not told because no channel of theirs is enabled."""

    told: list[Organisation] = field(default_factory=list)
    not_told: list[Organisation] = field(default_factory=list)

    def said(self) -> Said:
        """What the event says, in each reader's language: "2 customers told", and
        "…; not notified, no channel can reach them: X, Y" when some could not be."""
        if not self.not_told:
            return said("%(count)s customers told", count=len(self.told))
        return said(
            "%(count)s customers told; not notified, no channel can reach them: %(names)s",
            count=len(self.told),
            names=", ".join(org.name for org in self.not_told)[:300],
        )


def _notify(window: MaintenanceWindow, template_key: str, key: str, **extra: Any) -> Told:
    """Write ``template_key`` for every affected customer, naming only the services that
    customer uses (another customer's services are none of its business). Returns who was
    told and who could not be (no enabled channel: notify writes that down too); the
    window keeps it as ``window.told`` for the page that made the change."""
    customers = affected_customers(window)
    services = list(window.services.all())
    used: dict[int, set[int]] = {}
    through = Organisation.services.through
    for org_id, service_id in through.objects.filter(
        organisation__in=customers, service__in=services
    ).values_list("organisation_id", "service_id"):
        used.setdefault(org_id, set()).add(service_id)
    told = Told()
    for org in customers:
        theirs = [s for s in services if s.pk in used.get(org.pk, set())]
        context = _context(window, theirs) | extra
        sent = notify_organisation(
            org, template_key, context, f"maintenance:{window.pk}:{key}", about=window
        )
        (told.told if sent else told.not_told).append(org)
    window.told = told  # type: ignore[attr-defined]
    return told


def _after(window: MaintenanceWindow) -> dict[str, Any]:
    data = {name: getattr(window, name) for name in _FIELDS}
    data["services"] = sorted(window.services.values_list("pk", flat=True))
    return data


@transaction.atomic
def schedule(
    actor: Actor,
    *,
    title: str,
    title_en: str = "",
    description: str = "",
    services: Iterable[Service],
    start: dt.datetime,
    end: dt.datetime,
    is_emergency: bool = False,
    emergency_reason: str = "",
    now: dt.datetime | None = None,
) -> MaintenanceWindow:
    """Schedule maintenance of ``services`` over ``[start, end)`` and tell each customer
    of those services at once (template ``maintenance_scheduled``).

    Raises PermissionDenied without MANAGE_MAINTENANCE, and :class:`Refusal` (a bilingual
    ValueError naming the field) for an empty title, no services, an end not after the
    start, a start more than MAX_AHEAD ahead, a window longer than MAX_LENGTH, or a start
    less than 24 hours ahead that is not an emergency with a reason.
    """
    require(actor, Capability.MANAGE_MAINTENANCE)
    now = now or timezone.now()
    title = title.strip()
    if not title:
        raise Refusal("请填写标题 / give the maintenance a title", "title")
    items = _check_services(services)
    start, end = _check_times(start, end)
    _check_bounds(start, end, now)
    emergency_reason = emergency_reason.strip() if is_emergency else ""
    _check_notice([Interval(start, end)], now, is_emergency, emergency_reason)
    window = MaintenanceWindow.objects.create(
        title=title,
        title_en=title_en.strip(),
        description=description.strip(),
        start=start,
        end=end,
        is_emergency=is_emergency,
        emergency_reason=emergency_reason,
        announced_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    window.services.set(items)
    told = _notify(window, "maintenance_scheduled", "scheduled")
    record(
        EventKind.CREATED,
        window,
        actor=actor,
        at=now,
        after=_after(window),
        organisation=None,
        summary=told.said(),
    )
    return window


@transaction.atomic
def reschedule(
    actor: Actor,
    window: MaintenanceWindow,
    *,
    start: dt.datetime,
    end: dt.datetime,
    is_emergency: bool | None = None,
    emergency_reason: str | None = None,
    now: dt.datetime | None = None,
) -> MaintenanceWindow:
    """Move a scheduled window to ``[start, end)`` and tell its customers again
    (template ``maintenance_rescheduled``).

    The 24-hour notice applies to the maintenance time the change adds: moving the start
    earlier, or later, or the end later, needs 24 hours' notice of the time not announced
    before (or an emergency with a reason); shortening a window needs none. A window in
    progress keeps its start; a cancelled or ended window cannot change. ``is_emergency``
    and ``emergency_reason`` left as None keep the window's own.
    """
    require(actor, Capability.MANAGE_MAINTENANCE)
    now = now or timezone.now()
    window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    _check_open(window, now, "改期", "rescheduled")
    start, end = _check_times(start, end)
    _check_bounds(start, end, now)
    if window.start <= now and start != window.start:
        raise Refusal(
            f"维护已于 {local_text(window.start)} 开始，开始时间不能再改，只能改结束时间 / "
            f"the maintenance began at {local_text(window.start)}; its start cannot change, "
            "only its end",
            "start",
        )
    if end < now:
        raise Refusal(
            f"结束时间 {local_text(end)} 已过去，最早为现在 {local_text(now)} / "
            f"the end {local_text(end)} is in the past; the earliest end is now, "
            f"{local_text(now)}",
            "end",
        )
    emergency = window.is_emergency if is_emergency is None else is_emergency
    reason = window.emergency_reason if emergency_reason is None else emergency_reason.strip()
    reason = reason if emergency else ""
    old = Interval(window.start, window.end)
    _check_notice(subtract([Interval(start, end)], [old]), now, emergency, reason)
    before = {"start": window.start, "end": window.end, "is_emergency": window.is_emergency}
    window.start, window.end = start, end
    window.is_emergency, window.emergency_reason = emergency, reason
    window.revision += 1
    window.announced_at = now
    window.save(
        update_fields=[
            "start",
            "end",
            "is_emergency",
            "emergency_reason",
            "revision",
            "announced_at",
            "updated_at",
        ]
    )
    told = _notify(
        window,
        "maintenance_rescheduled",
        f"r{window.revision}",
        old_start=local_text(before["start"]),
        old_end=local_text(before["end"]),
    )
    record(
        EventKind.UPDATED,
        window,
        actor=actor,
        at=now,
        before=before,
        after={"start": start, "end": end, "is_emergency": emergency},
        organisation=None,
        summary=told.said(),
    )
    return window


@transaction.atomic
def cancel(
    actor: Actor, window: MaintenanceWindow, reason: str, *, now: dt.datetime | None = None
) -> MaintenanceWindow:
    """Cancel a window that has not started and tell its customers (template
    ``maintenance_cancelled``). A window in progress is ended early by rescheduling its end
    instead, so that the time already spent stays on record as maintenance."""
    require(actor, Capability.MANAGE_MAINTENANCE)
    now = now or timezone.now()
    window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
    _check_open(window, now, "取消", "cancelled")
    reason = reason.strip()
    if not reason:
        raise Refusal("请说明取消原因 / give the reason for cancelling", "reason")
    if window.start <= now:
        raise Refusal(
            f"维护已于 {local_text(window.start)} 开始，不能取消；如已完成，请把结束时间改为现在 / "
            f"the maintenance began at {local_text(window.start)} and cannot be cancelled; "
            "if the work is done, reschedule its end to now",
        )
    window.status = WindowStatus.CANCELLED
    window.cancelled_at = now
    window.cancel_reason = reason
    window.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    told = _notify(window, "maintenance_cancelled", "cancelled")
    record(
        EventKind.STATE_CHANGED,
        window,
        actor=actor,
        at=now,
        before={"status": WindowStatus.SCHEDULED},
        after={"status": WindowStatus.CANCELLED},
        organisation=None,
        summary=said("cancelled: %(reason)s; %(told)s", reason=reason[:200], told=told.said()),
    )
    return window


def complete(window: MaintenanceWindow, now: dt.datetime) -> bool:
    """Tell the customers of a scheduled window that has ended that the work is complete
    (template ``maintenance_completed``), once: the first worker to claim it tells them,
    any other (or a second run) finds it claimed. Returns True if it told them now."""
    with transaction.atomic():
        claimed = MaintenanceWindow.objects.filter(
            pk=window.pk,
            status=WindowStatus.SCHEDULED,
            end__lte=now,
            completed_at__isnull=True,
        ).update(completed_at=now)
        if claimed != 1:
            return False  # another worker got there first, or it is not over
        window.refresh_from_db()
        told = _notify(window, "maintenance_completed", "completed")
        record(
            EventKind.UPDATED,
            window,
            actor=None,
            at=now,
            after={"completed_at": now},
            organisation=None,
            summary=said("maintenance over; %(told)s", told=told.said()),
        )
    return True
