"""The only code that changes incidents (with opening.py, whose functions it offers too).
One function per action; each owns its transaction, records its events (staff-only: an
incident spans several customers) and writes the customers' notices in the same
transaction (outbox).

The fault process (F1) only moves forward — detected → acknowledged → dispatched →
mitigated → resolved → reviewed — and may skip steps; going back is refused. `actor=None`
is the system itself (the monitoring ingest, the periodic check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.analysis import services as analysis
from baozhang.analysis.models import Action, CauseCategory, SubjectKind
from baozhang.analysis.selectors import analysis_of
from baozhang.events.models import EventKind
from baozhang.events.services import changed
from baozhang.events.text import said
from baozhang.incidents import notices
from baozhang.incidents.models import (
    OPEN_STATUSES,
    RESTORE_TARGET_MINUTES,
    Incident,
    IncidentReview,
    IncidentStatus,
    IncidentUpdate,
)
from baozhang.incidents.steps import (
    EDITABLE_FIELDS,
    add_customers,
    add_update,
    check_customers,
    check_forward,
    check_staff,
    check_time,
    event,
    locked,
    move,
    plain,
    require_worker,
    required_text,
    resolve_now,
    restore_due,
    settle_public,
    status_label,
    user_of,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.desk.models import Ticket

    Actor = User | AnonymousUser | None
from baozhang.incidents.opening import (
    check_emergency_plan,
    monitor_down,
    monitor_up,
    open_from_ticket,
    open_incident,
)

__all__ = [
    "acknowledge",
    "complete_action",
    "dispatch",
    "flag_missed_restore_target",
    "link_ticket",
    "mitigate",
    "monitor_down",
    "monitor_up",
    "open_from_ticket",
    "open_incident",
    "post_update",
    "resolve",
    "review",
    "update_fields",
]


@transaction.atomic
def acknowledge(actor: Actor, incident: Incident) -> Incident:
    require_worker(actor)
    incident = locked(incident)
    who = user_of(actor) or "system"
    incident, _entry = move(
        actor,
        incident,
        IncidentStatus.ACKNOWLEDGED,
        at=timezone.now(),
        message=said("acknowledged by %(who)s", who=str(who)),
        is_public=False,
    )
    return incident


@transaction.atomic
def dispatch(
    actor: Actor,
    incident: Incident,
    *,
    engineer: User,
    location: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> Incident:
    """Send an engineer on site (F3); may be repeated while dispatched (another engineer,
    another place). The dispatch is an internal note: names stay with the operator."""
    require_worker(actor)
    incident = locked(incident)
    check_staff("engineer", engineer, "工程师")
    location = required_text("location", location, "派往地点")[:200]
    now = timezone.now()
    at = at or now
    check_time("at", at, now=now, not_before=incident.detected_at)
    incident, _entry = move(
        actor,
        incident,
        IncidentStatus.DISPATCHED,
        at=at,
        message=said(
            "engineer %(engineer)s sent to %(location)s: %(note)s"
            if note.strip()
            else "engineer %(engineer)s sent to %(location)s",
            engineer=str(engineer),
            location=location,
            note=note.strip(),
        ),
        is_public=False,
        fields={"engineer": engineer, "dispatch_location": location, "dispatch_note": note.strip()},
        allow_same=True,
    )
    return incident


@transaction.atomic
def post_update(
    actor: Actor, incident: Incident, *, message: str, is_public: bool
) -> IncidentUpdate:
    """Add to the timeline (F4). A public update goes to every affected customer and to
    the status page; an internal note stays with the operator's staff."""
    require_worker(actor)
    incident = locked(incident)
    text = required_text("message", message, "进展内容")
    entry = add_update(incident, actor, text, is_public=is_public, at=timezone.now())
    event(
        EventKind.CREATED,
        entry,
        actor,
        parent=incident,
        after={"is_public": is_public, "status": incident.status},
        summary=text,
        object_label=incident.reference,
    )
    if is_public:
        notices.update(incident, entry)
    return entry


@transaction.atomic
def mitigate(actor: Actor, incident: Incident, message: str) -> Incident:
    """The impact is contained (a workaround, the standby running): a public update."""
    require_worker(actor)
    incident = locked(incident)
    text = required_text("message", message, "进展内容")
    incident, entry = move(
        actor, incident, IncidentStatus.MITIGATED, at=timezone.now(), message=text, is_public=True
    )
    notices.update(incident, entry)
    return incident


@transaction.atomic
def resolve(
    actor: Actor,
    incident: Incident,
    *,
    cause: str,
    resolution: str,
    impact: str = "",
    at: dt.datetime | None = None,
) -> Incident:
    """The service is restored: the customers are told at once with the detailed
    resolution report (F5). ``at`` (default now) is when the service came back."""
    require_worker(actor)
    incident = locked(incident)
    text = required_text("resolution", resolution, "处理措施")
    now = timezone.now()
    at = at or now
    check_forward(incident, IncidentStatus.RESOLVED)
    check_time("at", at, now=now, not_before=incident.detected_at)
    return resolve_now(actor, incident, cause=cause, resolution=text, impact=impact, at=at)


@transaction.atomic
def review(
    actor: Actor,
    incident: Incident,
    *,
    cause: str,
    prevention: str,
    actions: Iterable[Mapping[str, Any]] = (),
    category: CauseCategory | None = None,
) -> IncidentReview:
    """The after-action review of a resolved incident (Q2): root cause, preventive
    measures and actions with an owner each. Moves the incident to reviewed.

    The review is also the incident's cause analysis (baozhang/analysis, the one tracker of
    actions): its root cause, its cause ``category`` if given, and its actions there."""
    require_worker(actor)
    incident = locked(incident)
    if incident.status != IncidentStatus.RESOLVED:
        now = status_label(incident.status)
        raise ValidationError(
            {
                "status": f"只能复盘已恢复的故障；{incident.reference} 当前为“{now['zh']}” / "
                f"only a resolved incident can be reviewed; {incident.reference} is {now['en']}"
            }
        )
    cause = required_text("cause", cause, "根本原因")
    prevention = required_text("prevention", prevention, "预防措施")
    rows = []
    for n, item in enumerate(actions, start=1):
        description = (item.get("description") or "").strip()
        owner = item.get("owner")
        if not description:
            raise ValidationError(
                {"actions": f"第 {n} 项措施缺少描述 / action {n} needs a description"}
            )
        if owner is None or not is_operator_staff(owner):
            raise ValidationError(
                {
                    "actions": f"第 {n} 项措施的负责人必须是运维方员工（{owner}） / the owner of "
                    f"action {n} must be a member of the operator's staff (got {owner})"
                }
            )
        rows.append((description[:500], owner, item.get("due_on"), item.get("kind")))
    now = timezone.now()
    found = IncidentReview.objects.create(
        incident=incident,
        cause=cause,
        prevention=prevention,
        reviewed_by=user_of(actor),
        reviewed_at=now,
    )
    event(
        EventKind.CREATED,
        found,
        actor,
        parent=incident,
        after={"cause": cause, "prevention": prevention},
        object_label=incident.reference,
    )
    found_analysis = analyse_incident(actor, incident, root_cause=cause, category=category)
    for description, owner, due_on, kind in rows:
        analysis.add_action(
            actor,
            found_analysis,
            description=description,
            owner=owner,
            due_on=due_on,
            kind=kind or "preventive",
            parent=incident,
        )
    fields = {"cause": incident.cause or cause}
    move(
        actor,
        incident,
        IncidentStatus.REVIEWED,
        at=now,
        message=said(
            "reviewed: %(cause)s; prevention: %(prevention)s",
            cause=cause,
            prevention=prevention,
        ),
        is_public=False,
        fields=fields,
    )
    return found


def analyse_incident(
    actor: Actor,
    incident: Incident,
    *,
    root_cause: str | None = None,
    category: CauseCategory | None = None,
) -> Any:
    """Record or change the incident's cause analysis (category, root cause); the
    incident's reference, detection time and service go with it for the period's figures
    and repeats. ``root_cause=None`` keeps the one recorded (or the review's cause)."""
    require_worker(actor)
    current = analysis_of(SubjectKind.INCIDENT, incident.pk)
    if root_cause is None:
        root_cause = current.root_cause if current is not None else incident.cause
    return analysis.analyse(
        actor,
        subject_kind=SubjectKind.INCIDENT,
        subject_id=incident.pk,
        subject_label=incident.label,
        occurred_at=incident.detected_at,
        service=incident.service,
        category=category,
        root_cause=root_cause,
        parent=incident,
    )


def add_action(actor: Actor, incident: Incident, **fields: Any) -> Action:
    """One more corrective or preventive action on the incident's analysis (analysed first
    if it is not yet)."""
    require_worker(actor)
    current = analysis_of(SubjectKind.INCIDENT, incident.pk)
    if current is None:
        current = analyse_incident(actor, incident)
    return analysis.add_action(actor, current, parent=incident, **fields)


def complete_action(actor: Actor, action: Action) -> Action:
    require_worker(actor)
    incident = Incident.objects.filter(pk=action.analysis.subject_id).first()
    return analysis.complete_action(actor, action, parent=incident)


@transaction.atomic
def link_ticket(actor: Actor, incident: Incident, ticket: Ticket) -> Incident:
    """Link a customer's ticket to the incident; its customer is affected too."""
    require_worker(actor)
    incident = locked(incident)
    if incident.tickets.filter(pk=ticket.pk).exists():
        return incident
    before = sorted(incident.tickets.values_list("pk", flat=True))
    incident.tickets.add(ticket)
    new = add_customers(actor, incident, [ticket.customer])
    after: dict[str, Any] = {"tickets": [*before, ticket.pk]}
    if new:
        after["customers"] = sorted(incident.customers.values_list("pk", flat=True))
    event(
        EventKind.UPDATED,
        incident,
        actor,
        before={"tickets": before},
        after=after,
        summary=said("ticket %(reference)s linked", reference=ticket.reference),
    )
    return incident


@transaction.atomic
def update_fields(actor: Actor, incident: Incident, **fields: Any) -> Incident:
    """Change what is known about an incident: title, service, classification, severity
    (which resets the restore target to the severity's unless one is given with it),
    restore target (restore_due_at follows), responsibility, affected customers (new ones
    are told while it is open), public flag, emergency record (F10), cause and impact."""
    require_worker(actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            {
                k: f"不能修改此字段；可修改：{', '.join(sorted(EDITABLE_FIELDS))} / this field "
                f"cannot be changed; use one of {', '.join(sorted(EDITABLE_FIELDS))}"
                for k in sorted(unknown)
            }
        )
    incident = locked(incident)
    names = [k for k in fields if k not in ("customers", "assets")]
    if "severity" in fields and "restore_target_minutes" not in fields:
        minutes = RESTORE_TARGET_MINUTES.get(fields["severity"])
        if minutes is not None:
            fields["restore_target_minutes"] = minutes
            names.append("restore_target_minutes")
    watched = [*dict.fromkeys([*names, "is_public", "restore_due_at", "restore_missed_at"])]
    before = {k: plain(getattr(incident, k)) for k in watched}
    for key in names:
        value = fields[key]
        if isinstance(value, str) and key != "service":
            value = value.strip()
        setattr(incident, key, value)
    if "title" in names:
        incident.title = required_text("title", incident.title, "标题")[:200]
    if "is_emergency" in names and not incident.is_emergency and "emergency_plan" not in names:
        before.setdefault("emergency_plan", incident.emergency_plan_id)
        watched.append("emergency_plan")
        incident.emergency_plan = None  # no longer an emergency: no plan was used
    check_emergency_plan(incident.is_emergency, incident.emergency_plan)
    settle_public(incident, asked=fields.get("is_public") is True)
    incident.full_clean(exclude=["reference"])
    if "restore_target_minutes" in names:
        incident.restore_due_at = restore_due(incident.detected_at, incident.restore_target_minutes)
        if incident.status in OPEN_STATUSES and incident.restore_due_at > timezone.now():
            # A longer target gives the periodic check a new deadline to watch.
            incident.restore_missed_at = None
    old, new = changed(before, {k: plain(getattr(incident, k)) for k in watched})
    if new:
        incident.save(update_fields=[*new, "updated_at"])
    if "customers" in fields:
        wanted = check_customers(fields["customers"])
        current = set(incident.customers.values_list("pk", flat=True))
        if {o.pk for o in wanted} != current:
            old["customers"] = sorted(current)
            incident.customers.set([o for o in wanted if o.pk in current])
            add_customers(actor, incident, wanted)
            new["customers"] = sorted(o.pk for o in wanted)
    if "assets" in fields:
        # The assets of the register the fault is on (their figures count it).
        named = sorted({a.pk for a in fields["assets"]})
        current_assets = sorted(incident.assets.values_list("pk", flat=True))
        if named != current_assets:
            incident.assets.set(list(fields["assets"]))
            old["assets"], new["assets"] = current_assets, named
    if new:
        event(EventKind.UPDATED, incident, actor, before=old, after=new)
        if "is_emergency" in new or "emergency_procedure" in new or "emergency_plan" in new:
            plan = incident.emergency_plan
            used = f"{plan} · " if plan is not None else ""
            add_update(
                incident,
                actor,
                said(
                    "emergency event recorded: %(procedure)s"
                    if incident.is_emergency
                    else "emergency event cleared: %(procedure)s",
                    procedure=f"{used}{incident.emergency_procedure or '—'}",
                ),
                is_public=False,
                at=timezone.now(),
            )
    return incident


# -- the periodic check ---------------------------------------------------------------------


def flag_missed_restore_target(incident: Incident, now: dt.datetime) -> bool:
    """Flag an open incident past its restore deadline, once: an internal note and an
    event. The conditional update makes it once-only across workers and restarts. Returns
    True if it flagged now."""
    with transaction.atomic():
        claimed = Incident.objects.filter(
            pk=incident.pk,
            status__in=OPEN_STATUSES,
            restore_missed_at__isnull=True,
            restore_due_at__lte=now,
        ).update(restore_missed_at=now)
        if claimed != 1:
            return False  # restored meanwhile, or another worker got there first
        incident.restore_missed_at = now
        minutes = incident.restore_target_minutes
        due = notices.local_time(incident.restore_due_at)
        add_update(
            incident,
            None,
            said(
                "restore target missed: not restored within %(minutes)s minutes (due %(due)s)",
                minutes=minutes,
                due=due,
            ),
            is_public=False,
            at=now,
        )
        event(
            EventKind.UPDATED,
            incident,
            None,
            at=now,
            before={"restore_missed_at": None},
            after={"restore_missed_at": now, "restore_due_at": incident.restore_due_at},
            summary=said("restore target missed"),
        )
    return True
