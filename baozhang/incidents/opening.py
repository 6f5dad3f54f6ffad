"""How incidents begin: from monitoring (one per affected service, F6/F7), by hand and
from a customer's fault ticket; and how monitoring ends them when every monitor is up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.assets.models import ALWAYS, Asset, AssetKind, AssetRole, AssetStatus
from baozhang.calendars.selectors import calendar_for
from baozhang.catalog.models import Service
from baozhang.changes.models import EmergencyPlan
from baozhang.core.bilingual import one_language
from baozhang.events.announce import Announcement
from baozhang.events.models import EventKind
from baozhang.events.services import snapshot
from baozhang.events.text import Said, choice, said
from baozhang.incidents import notices
from baozhang.incidents.models import (
    OPEN_STATUSES,
    RESTORE_TARGET_MINUTES,
    Classification,
    Incident,
    Responsibility,
    Severity,
    Source,
)
from baozhang.incidents.steps import (
    EARLIEST,
    INCIDENT_FIELDS,
    add_update,
    check_customers,
    check_time,
    event,
    require_worker,
    required_text,
    resolve_now,
    restore_due,
    save_new,
    settle_public,
    user_of,
)
from baozhang.monitoring.models import Monitor, MonitorStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.desk.models import Ticket

    Actor = User | AnonymousUser | None


def check_emergency_plan(is_emergency: bool, plan: EmergencyPlan | None) -> None:
    """An incident links the emergency plan it used only when it is an emergency event."""
    if plan is not None and not is_emergency:
        raise ValidationError(
            {
                "emergency_plan": [
                    "只有紧急事件才关联应急预案 / only an incident recorded as an emergency "
                    "links an emergency plan"
                ]
            }
        )


def _create(
    actor: Actor,
    *,
    service: Service | None,
    title: str,
    severity: str,
    classification: str,
    responsibility: str,
    source: str,
    detected_at: dt.datetime,
    customers: Iterable[Organisation],
    monitors: Iterable[Monitor] = (),
    tickets: Iterable[Ticket] = (),
    assets: Iterable[Asset] = (),
    is_emergency: bool = False,
    is_public: bool = True,
    emergency_procedure: str = "",
    emergency_plan: EmergencyPlan | None = None,
    message: str = "",
    summary: Said | None = None,
) -> Incident:
    """``summary``: what the creation event says (an incident monitoring opens says so,
    its service named in the reader's language); the event then names the incident by its
    reference, not by its title of both languages."""
    title = required_text("title", title, "标题")[:200]
    check_emergency_plan(is_emergency, emergency_plan)
    if timezone.is_naive(detected_at):
        raise ValueError(f"detected_at must be aware, got {detected_at.isoformat()}")
    minutes = RESTORE_TARGET_MINUTES.get(severity, RESTORE_TARGET_MINUTES[Severity.CRITICAL])
    incident = Incident(
        reference="-",
        title=title,
        service=service,
        severity=severity,
        restore_target_minutes=minutes,
        restore_due_at=restore_due(detected_at, minutes),
        classification=classification,
        responsibility=responsibility,
        source=source,
        is_emergency=is_emergency,
        is_public=is_public,
        emergency_procedure=emergency_procedure.strip(),
        emergency_plan=emergency_plan,
        detected_at=detected_at,
        created_by=user_of(actor),
    )
    settle_public(incident, asked=False)
    incident.full_clean(exclude=["reference"])
    orgs = check_customers(customers)
    save_new(incident)
    incident.customers.set(orgs)
    incident.monitors.set(list(monitors))
    incident.tickets.set(list(tickets))
    incident.assets.set(list(assets))
    text = message.strip() or _opening_message(incident)
    add_update(incident, actor, text, is_public=True, at=detected_at)
    event(
        EventKind.CREATED,
        incident,
        actor,
        after={
            **snapshot(incident, INCIDENT_FIELDS),
            "customers": [o.pk for o in orgs],
            "monitors": [m.pk for m in incident.monitors.all()],
            "tickets": [t.pk for t in incident.tickets.all()],
            "assets": [a.pk for a in incident.assets.all()],
        },
        **({"summary": summary, "object_label": incident.reference} if summary else {}),
    )
    if is_emergency:
        event(
            EventKind.UPDATED,
            incident,
            actor,
            after={
                "is_emergency": True,
                "emergency_procedure": incident.emergency_procedure,
                "emergency_plan": incident.emergency_plan_id,
            },
            summary=said("emergency event recorded"),
        )
    notices.opened(incident, orgs, message.strip())
    return incident


def _opening_message(incident: Incident) -> Said:
    return (
        said(
            "A fault was detected (%(severity)s); we are working on it.",
            severity=choice(Severity(incident.severity).label),
        )
        if incident.source != Source.TICKET
        else said("A customer reported a fault; we are working on it.")
    )


# -- from monitoring ------------------------------------------------------------------------


def _monitored_name(service: Service | None, monitor: Monitor) -> str:
    """The name a monitoring incident goes by: its service's in both languages
    (``网站托管 / Web hosting``; Incident.title_text reads it in the reader's), else the
    monitor's."""
    if service is None:
        return monitor.name
    if service.name_en and service.name_en != service.name:
        return f"{service.name} / {service.name_en}"
    return service.name


def _monitor_title(service: Service | None, monitor: Monitor, reason: str) -> str:
    name = _monitored_name(service, monitor)
    return f"{name}: {reason}" if reason else name


def _monitor_summary(service: Service | None, monitor: Monitor, reason: str) -> Said:
    """What the event log says of an incident monitoring opened: the service named in the
    reader's language (a ``中文 / English`` parameter reads in the reader's half, as
    events/text.py says a parameter; a name the pair would not tell apart goes as the
    service's name), the probe's reason as it came."""
    name = _monitored_name(service, monitor)
    if service is not None and one_language(name, "en") == name:
        name = service.name
    if reason:
        return said("opened by monitoring: %(name)s: %(reason)s", name=name, reason=reason[:300])
    return said("opened by monitoring: %(name)s", name=name)


def _attach_monitor(incident: Incident, monitor: Monitor, *, at: dt.datetime, reason: str) -> None:
    """A further monitor of an incident's service failed: note it, and tell the customers
    it adds that they are affected too."""
    known = set(incident.customers.values_list("pk", flat=True))
    new_customers = [o for o in monitor.customers.all() if o.pk not in known]
    already = incident.monitors.filter(pk=monitor.pk).exists()
    incident.monitors.add(monitor)
    incident.assets.add(*monitor.registered_assets.all())
    if new_customers:
        incident.customers.add(*new_customers)
    add_update(
        incident,
        None,
        said("monitor %(monitor)s is down: %(reason)s", monitor=monitor.name, reason=reason),
        is_public=False,
        at=at,
    )
    event(
        EventKind.UPDATED,
        incident,
        None,
        before=None if already else {"monitors": None},
        after={
            "monitors": [m.pk for m in incident.monitors.all()],
            "customers": [o.pk for o in incident.customers.all()],
        },
        summary=said("monitor down: %(monitor)s", monitor=monitor.name[:300]),
    )
    if new_customers:
        notices.opened(incident, new_customers)


def monitor_down(monitor: Monitor, *, at: dt.datetime, reason: str) -> list[Incident]:
    """A monitor went down: one incident per affected service, not one per failing monitor.

    For each service of the monitor, an unresolved incident of that service gets the
    monitor and an internal note; otherwise a critical server-disconnection incident is
    opened and its customers (the service's and the monitor's) are told at once (F6). A
    monitor with no service has an incident of its own. Called by the ingest inside its
    transaction; returns the incidents touched, in order of service.
    """
    out: list[Incident] = []
    with transaction.atomic():
        service_ids = list(monitor.services.values_list("pk", flat=True))
        if not service_ids:
            # Serialise with other workers on the monitor's row: one incident per monitor.
            Monitor.objects.select_for_update().filter(pk=monitor.pk).first()
            existing = (
                Incident.objects.filter(
                    service=None, source=Source.MONITOR, status__in=OPEN_STATUSES, monitors=monitor
                )
                .order_by("detected_at", "pk")
                .first()
            )
            if existing is not None:
                _attach_monitor(existing, monitor, at=at, reason=reason)
                return [existing]
            return [_open_for_monitor(None, monitor, at=at, reason=reason)]
        # Lock the services (in a fixed order) so that two monitors of one service failing
        # at once in two workers still open a single incident.
        for service in (
            Service.objects.select_for_update().filter(pk__in=service_ids).order_by("pk")
        ):
            existing = (
                Incident.objects.filter(service=service, status__in=OPEN_STATUSES)
                .order_by("detected_at", "pk")
                .first()
            )
            if existing is not None:
                _attach_monitor(existing, monitor, at=at, reason=reason)
                out.append(existing)
            else:
                out.append(_open_for_monitor(service, monitor, at=at, reason=reason))
    return out


def _required_at(asset: Asset, at: dt.datetime) -> bool:
    """Whether the asset must be running at ``at`` (its required running time)."""
    if asset.required_time == ALWAYS:
        return True
    try:
        return calendar_for(asset.required_time).is_open(at)
    except KeyError:
        return True


def fault_class(assets: Iterable[Asset], at: dt.datetime) -> str:
    """The F8 class of a fault on ``assets`` detected at ``at``: a line in service down in
    its required time is an egress-link fault; a primary or standby unit in service not
    running in its required time an equipment fault; anything else (no asset of the
    register, or none required then) a server disconnection, as before."""
    required = [a for a in assets if a.status == AssetStatus.IN_SERVICE and _required_at(a, at)]
    if any(a.kind == AssetKind.LINE for a in required):
        return Classification.EGRESS_LINK
    if any(a.role in (AssetRole.PRIMARY, AssetRole.STANDBY) for a in required):
        return Classification.EQUIPMENT_FAULT
    return Classification.SERVER_DISCONNECTION


def _open_for_monitor(
    service: Service | None, monitor: Monitor, *, at: dt.datetime, reason: str
) -> Incident:
    assets = list(monitor.registered_assets.all())
    customers = list(monitor.customers.all())
    if service is not None:
        customers = list(service.customers.all()) + customers
    return _create(
        None,
        service=service,
        title=_monitor_title(service, monitor, reason),
        summary=_monitor_summary(service, monitor, reason),
        severity=Severity.CRITICAL,
        classification=fault_class(assets, at),
        responsibility=Responsibility.INSIDE,
        source=Source.MONITOR,
        detected_at=at,
        customers=[o for o in customers if o.kind == OrganisationKind.CUSTOMER],
        monitors=[monitor],
        assets=assets,
        # A service the status page hides, or a bare monitor (its name is internal),
        # keeps its incident off the status page too; staff may publish it.
        is_public=service.is_public if service is not None else False,
    )


def monitor_up(monitor: Monitor, *, at: dt.datetime, reason: str) -> list[Incident]:
    """A monitor is up again. Every unresolved monitoring incident that holds it gets an
    internal note; one whose monitors are all up now (as saved in the database) is resolved
    at ``at`` and its customers get the resolution report (F5). Returns the incidents
    touched."""
    out: list[Incident] = []
    with transaction.atomic():
        incidents = (
            Incident.objects.select_for_update(of=("self",))
            .filter(source=Source.MONITOR, status__in=OPEN_STATUSES, monitors=monitor)
            .order_by("pk")
        )
        for incident in incidents:
            add_update(
                incident,
                None,
                said(
                    "monitor %(monitor)s is up again: %(reason)s",
                    monitor=monitor.name,
                    reason=reason,
                ),
                is_public=False,
                at=at,
            )
            states = set(incident.monitors.values_list("status", flat=True))
            if states == {MonitorStatus.UP}:
                # The resolution is public (the report to customers): monitors are named
                # in the internal notes above, not here.
                resolve_now(
                    None,
                    incident,
                    cause=incident.cause,
                    resolution=said("Recovered automatically: every monitor is up again."),
                    impact=incident.impact,
                    at=max(at, incident.detected_at),
                )
            out.append(incident)
    return out


def on_monitor_transition(announcement: Announcement) -> None:
    """Subscriber of monitoring's MONITOR_TRANSITION (registered in IncidentsConfig.ready):
    a monitor gone down opens or joins incidents, one back up from down ends them."""
    facts = announcement.payload
    if facts["after"] != MonitorStatus.DOWN and facts["before"] != MonitorStatus.DOWN:
        return
    monitor = Monitor.objects.get(pk=facts["monitor_id"])
    if facts["after"] == MonitorStatus.DOWN:
        monitor_down(monitor, at=facts["at"], reason=facts["reason"])
    else:
        monitor_up(monitor, at=facts["at"], reason=facts["reason"])


# -- by hand --------------------------------------------------------------------------------


@transaction.atomic
def open_incident(
    actor: Actor,
    *,
    service: Service | None,
    title: str,
    severity: str,
    classification: str,
    responsibility: str,
    is_emergency: bool = False,
    emergency_procedure: str = "",
    emergency_plan: EmergencyPlan | None = None,
    detected_at: dt.datetime | None = None,
    message: str = "",
    customers: Iterable[Organisation] | None = None,
    assets: Iterable[Asset] = (),
) -> Incident:
    """Open an incident by hand. ``customers`` None: the service's customers. The
    customers are told at once (F6). ``assets``: the assets of the register it is on."""
    require_worker(actor)
    now = timezone.now()
    if detected_at is not None:
        check_time("detected_at", detected_at, now=now, not_before=EARLIEST)
    if customers is None:
        customers = list(service.customers.all()) if service is not None else []
    return _create(
        actor,
        service=service,
        title=title,
        severity=severity,
        classification=classification,
        responsibility=responsibility,
        source=Source.MANUAL,
        detected_at=detected_at or now,
        customers=customers,
        is_emergency=is_emergency,
        emergency_procedure=emergency_procedure,
        emergency_plan=emergency_plan,
        message=message,
        assets=assets,
    )


# A fault ticket's priority suggests the incident's severity.
SEVERITY_OF_PRIORITY = {"P1": Severity.CRITICAL, "P2": Severity.MAJOR}


@transaction.atomic
def open_from_ticket(
    actor: Actor,
    ticket: Ticket,
    *,
    service: Service | None = None,
    severity: str | None = None,
    classification: str = Classification.OTHER,
    responsibility: str = Responsibility.INSIDE,
    title: str = "",
) -> Incident:
    """Open an incident from a customer's fault ticket: the ticket is linked, its customer
    is affected (with the service's customers), the fault counts from the ticket's time.
    Refused when the ticket is already linked to an unresolved incident."""
    require_worker(actor)
    linked = ticket.incidents.filter(status__in=OPEN_STATUSES).first()
    if linked is not None:
        raise ValidationError(
            {
                "ticket": f"工单 {ticket.reference} 已关联未恢复的故障 {linked.reference} / "
                f"ticket {ticket.reference} is already linked to the open incident "
                f"{linked.reference}"
            }
        )
    customers = [ticket.customer]
    if service is not None:
        customers += list(service.customers.all())
    return _create(
        actor,
        service=service,
        title=title or ticket.subject,
        severity=severity or SEVERITY_OF_PRIORITY.get(ticket.priority, Severity.MINOR),
        classification=classification,
        responsibility=responsibility,
        source=Source.TICKET,
        detected_at=min(ticket.created_at, timezone.now()),
        customers=customers,
        tickets=[ticket],
    )
