"""The steps every incident action shares: permission and input checks, the lifecycle
move with its timeline entry and event, saving a new incident under its reference. Only
the incident services (services.py, opening.py) call these; they run inside the caller's
transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, is_operator_staff, require
from baozhang.core.calendar import builtin_calendar
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record
from baozhang.events.text import Said, in_english
from baozhang.incidents import notices
from baozhang.incidents.models import (
    LIFECYCLE,
    OPEN_STATUSES,
    Incident,
    IncidentStatus,
    IncidentUpdate,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

INCIDENT_FIELDS = (
    "title",
    "service",
    "status",
    "severity",
    "restore_target_minutes",
    "restore_due_at",
    "classification",
    "responsibility",
    "source",
    "is_public",
    "is_emergency",
    "emergency_procedure",
    "emergency_plan",
    "detected_at",
)
# What update_fields may change (status moves only through the lifecycle actions).
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "service",
        "classification",
        "severity",
        "restore_target_minutes",
        "responsibility",
        "customers",
        "assets",
        "is_public",
        "is_emergency",
        "emergency_procedure",
        "emergency_plan",
        "cause",
        "impact",
    }
)
# Faults are restored round the clock (F1: 7x24): the restore deadline runs on 24x7 time.
RESTORE_CALENDAR = "24x7"
# A time given by hand may be a little ahead of the server's clock, not more.
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_REFERENCE_TRIES = 50
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def require_worker(actor: Actor) -> None:
    if actor is not None:
        require(actor, Capability.WORK_INCIDENTS)


def user_of(actor: Actor) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None  # type: ignore[return-value]


def status_label(status: str) -> dict[str, str]:
    return notices.both(IncidentStatus(status).label)


def restore_due(detected_at: dt.datetime, minutes: int) -> dt.datetime:
    """When an incident detected at ``detected_at`` must be restored by."""
    return builtin_calendar(RESTORE_CALENDAR).add(detected_at, dt.timedelta(minutes=minutes)).at


def check_time(name: str, at: dt.datetime, *, now: dt.datetime, not_before: dt.datetime) -> None:
    if timezone.is_naive(at):
        raise ValidationError(
            {
                name: f"请给出带时区偏移的时间，例如 2026-11-27T10:00:00+08:00 / give a date and "
                f"time with its UTC offset, e.g. 2026-11-27T10:00:00+08:00 (got {at.isoformat()})"
            }
        )
    if at > now + CLOCK_SKEW:
        raise ValidationError(
            {
                name: f"时间 {at.isoformat()} 在将来 / {name} {at.isoformat()} is in the future; "
                "give the moment it happened"
            }
        )
    if at < not_before:
        raise ValidationError(
            {
                name: f"时间 {at.isoformat()} 早于故障发现时间 {not_before.isoformat()} / "
                f"{name} {at.isoformat()} is before the incident was detected "
                f"({not_before.isoformat()})"
            }
        )


def required_text(name: str, value: str, zh: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({name: f"请填写{zh} / {name} is required"})
    return text


def settle_public(incident: Incident, *, asked: bool) -> None:
    """An incident shows on the public status page only with a service: the page lists
    incidents under the services they affect, so one without a service would be public and
    shown nowhere. Asked for explicitly without a service, it is refused; otherwise (opened
    without a service, its service removed) it is simply not public."""
    if incident.is_public and incident.service_id is None:
        if asked:
            raise ValidationError(
                {"is_public": gettext("Only an incident with a service can be on the status page")}
            )
        incident.is_public = False


def check_forward(incident: Incident, to: str, *, allow_same: bool = False) -> None:
    """Refuse a move that goes back along the lifecycle (or stays, unless allowed)."""
    here, there = LIFECYCLE.index(incident.status), LIFECYCLE.index(to)
    if there > here or (allow_same and there == here):
        return
    now, target = status_label(incident.status), status_label(to)
    order = " → ".join(status_label(s)["en"] for s in LIFECYCLE)
    raise ValidationError(
        {
            "status": f"故障 {incident.reference} 当前状态为“{now['zh']}”，不能再变为“"
            f"{target['zh']}”（处理流程只能向前） / incident {incident.reference} is "
            f"{now['en']}; it cannot become {target['en']} again (the process only moves "
            f"forward: {order})"
        }
    )


def check_customers(customers: Iterable[Organisation]) -> list[Organisation]:
    out = list(dict.fromkeys(customers))
    wrong = [o.name for o in out if o.kind != OrganisationKind.CUSTOMER]
    if wrong:
        raise ValidationError(
            {
                "customers": f"受影响的客户必须是客户组织，{', '.join(wrong)} 不是 / affected "
                f"customers must be customer organisations; {', '.join(wrong)} is not"
            }
        )
    return out


def check_staff(name: str, person: Any, zh: str) -> None:
    if person is None or not is_operator_staff(person):
        raise ValidationError(
            {
                name: f"{zh}必须是运维方的在职员工（{person}） / the {name} must be an active "
                f"member of the operator's staff (got {person})"
            }
        )


def event(kind: str, obj: Any, actor: Actor, **kw: Any) -> None:
    """Record an incident's event. organisation=None: an incident affects several
    customers, and its events (internal notes, engineers' names) are the operator's;
    customers read the public updates. The event names an incident by its reference,
    which reads whole in either language, never by its title, which monitoring writes in
    both glued (its timeline entries and review are named so by their services)."""
    if isinstance(obj, Incident):
        kw.setdefault("object_label", obj.reference)
    record(kind, obj, actor=actor, organisation=None, **kw)


def add_update(
    incident: Incident, actor: Actor, message: str | Said, *, is_public: bool, at: dt.datetime
) -> IncidentUpdate:
    """A timeline entry: typed text kept as written, or a text of ours (``said(...)``)
    stored as its message and parameters, read in each reader's language (``message``
    keeps it in English for searches and the raw record)."""
    if isinstance(message, Said):
        text_id, params, plain_text = message.msgid, message.stored_params(), in_english(message)
    else:
        text_id, params, plain_text = "", None, message
    return IncidentUpdate.objects.create(
        incident=incident,
        at=at,
        author=user_of(actor),
        status=incident.status,
        message=plain_text,
        text_id=text_id,
        params=params,
        is_public=is_public,
    )


def locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def next_reference(day: str, n: int) -> str:
    return f"INC-{day}-{n:03d}"


def save_new(incident: Incident) -> None:
    """Save a new incident under the next free reference of its day (INC-YYYYMMDD-NNN,
    the day of detection in the operator's time zone)."""
    day = timezone.localtime(incident.detected_at).strftime("%Y%m%d")
    n = Incident.objects.filter(reference__startswith=f"INC-{day}-").count() + 1
    for _attempt in range(MAX_REFERENCE_TRIES):
        incident.reference = next_reference(day, n)
        if not Incident.objects.filter(reference=incident.reference).exists():
            try:
                with transaction.atomic():
                    incident.save()
                return
            except IntegrityError:
                pass  # another worker took this number a moment ago
        n += 1
    raise RuntimeError(f"no free incident reference for {day} after {n} tries")


def move(
    actor: Actor,
    incident: Incident,
    to: str,
    *,
    at: dt.datetime,
    message: str | Said,
    is_public: bool,
    fields: Mapping[str, Any] | None = None,
    allow_same: bool = False,
    summary: Said | None = None,
) -> tuple[Incident, IncidentUpdate]:
    """Move a (locked) incident along the lifecycle, with its timeline entry and event.
    The event says ``summary`` (a text of ours, in each reader's language), else what the
    timeline entry says (``message``: typed text, or a text of ours)."""
    check_forward(incident, to, allow_same=allow_same)
    fields = dict(fields or {})
    names = ["status", *fields]
    before = {"status": incident.status, **{k: plain(getattr(incident, k)) for k in fields}}
    incident.status = to
    stamp = f"{to}_at"
    if not (allow_same and before["status"] == to and getattr(incident, stamp)):
        setattr(incident, stamp, at)
        names.append(stamp)
    for key, value in fields.items():
        setattr(incident, key, value)
    incident.save(update_fields=[*dict.fromkeys(names), "updated_at"])
    entry = add_update(incident, actor, message, is_public=is_public, at=at)
    old, new = changed(before, {k: plain(getattr(incident, k)) for k in dict.fromkeys(names)})
    event(
        EventKind.STATE_CHANGED,
        incident,
        actor,
        before=old,
        after=new,
        summary=summary if summary is not None else message,
    )
    return incident, entry


def plain(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def resolve_now(
    actor: Actor,
    incident: Incident,
    *,
    cause: str,
    resolution: str | Said,
    impact: str,
    at: dt.datetime,
) -> Incident:
    """Resolve now. A ``resolution`` of ours (``said``) reads in each reader's language on
    the timeline; the free-text field keeps it in both (``中文 / English``), read in the
    reader's half (``Incident.resolution_text``)."""
    written = both_halves(resolution) if isinstance(resolution, Said) else resolution
    incident, _entry = move(
        actor,
        incident,
        IncidentStatus.RESOLVED,
        at=at,
        message=resolution,
        is_public=True,
        fields={"cause": cause.strip(), "resolution": written, "impact": impact.strip()},
    )
    notices.resolved(incident)
    return incident


def both_halves(message: Said) -> str:
    """``中文 / English``: a text of ours for a free-text field, read in one language
    through core.bilingual."""
    with translation.override("zh-hans"):
        zh = str(message)
    return f"{zh} / {in_english(message)}"


def add_customers(
    actor: Actor, incident: Incident, orgs: Iterable[Organisation]
) -> list[Organisation]:
    """Add affected customers; while the incident is open they are told at once."""
    known = set(incident.customers.values_list("pk", flat=True))
    new = [o for o in check_customers(orgs) if o.pk not in known]
    if new:
        incident.customers.add(*new)
        if incident.status in OPEN_STATUSES:
            notices.opened(incident, new)
    return new
