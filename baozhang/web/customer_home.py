"""The home page of a customer's person (issue 18 §3): what their organisation has with the
operator, read through each area's own selectors, scoped to the person.

- open tickets, those waiting for the customer first, with their next deadline;
- each service the organisation uses: its state now (the status page's rule,
  status.selectors.service_state) and this month's availability, pooled over its monitors
  (monitoring.figures.availability_of and core.monitor_rollup.pooled_availability, as the
  quality report's chart);
- each agreement in force: this month's verdict of every target so far, by the SLA's own
  evaluation (sla.evaluation.evaluate_review on an unsaved review of this month), and the
  last review;
- maintenance announced on their services, in progress or ahead;
- incidents that concern them: open ones, and those resolved lately with their report;
- how to reach the operator: the hotline and the complaint line it set on its organisation.

Nothing here is the operator's own (its audit log, its costs, internal notes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import get_language

from baozhang.accounts.selectors import operator_contact_lines
from baozhang.catalog.selectors import visible_services
from baozhang.core.monitor_rollup import pooled_availability
from baozhang.core.observation import is_provisional
from baozhang.core.sla import month_period
from baozhang.core.sla_types import Unit
from baozhang.desk.models import FINISHED_STATUSES, Status
from baozhang.desk.selectors import visible_tickets
from baozhang.incidents.models import OPEN_STATUSES
from baozhang.incidents.selectors import visible_incidents, visible_updates
from baozhang.maintenance.models import WindowStatus
from baozhang.maintenance.selectors import visible_services as window_services
from baozhang.maintenance.selectors import visible_windows, windows_for_services
from baozhang.monitoring.figures import availability_of
from baozhang.monitoring.models import Monitor
from baozhang.sla.evaluation import evaluate_review
from baozhang.sla.models import Review
from baozhang.sla.selectors import visible_agreements, visible_reviews
from baozhang.status.selectors import ServiceState, service_state
from baozhang.ui import plain

if TYPE_CHECKING:
    from baozhang.accounts.models import User

#: How far back resolved incidents stay on the home page.
RECENT_INCIDENT_DAYS = 30
#: How far ahead announced maintenance is shown.
MAINTENANCE_AHEAD_DAYS = 60
#: At most this many rows per list (each list links to its full page).
ROWS = 10


@dataclass(frozen=True)
class ServiceLine:
    service: Any
    state: ServiceState
    availability: float | None  # 0–1, this month so far; None when nothing was observed
    provisional: bool

    @property
    def availability_text(self) -> str:
        """Rounded down to 0.001 %, as the monitor page and the reports show it."""
        if self.availability is None:
            return ""
        percent = Decimal(str(self.availability * 100)).quantize(
            Decimal("0.001"), rounding=ROUND_DOWN
        )
        return f"{percent} %"


@dataclass(frozen=True)
class AgreementLine:
    agreement: Any
    verdicts: list[dict[str, Any]]
    last_review: Any


@dataclass(frozen=True)
class CustomerHome:
    organisation: Any
    month_label: str
    open_tickets: list[Any]
    open_count: int
    awaiting_customer: int  # open tickets waiting for the customer
    services: list[ServiceLine]
    agreements: list[AgreementLine]
    maintenance: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    open_incidents: int
    hotline: str
    complaint_line: str


def month_start(now: dt.datetime) -> tuple[dt.datetime, str]:
    """The start of ``now``'s month in the operator's zone, and its label (2026-12)."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    period = month_period(local.year, local.month, ZoneInfo(settings.TIME_ZONE))
    return period.start, f"{local:%Y-%m}"


def open_tickets(user: User) -> list[Any]:
    """The organisation's unfinished tickets: those waiting for the customer first, then by
    the nearest deadline."""
    waiting_first = Case(
        When(status=Status.WAITING_CUSTOMER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        visible_tickets(user)
        .exclude(status__in=FINISHED_STATUSES)
        .annotate(_waiting=waiting_first)
        .order_by("_waiting", "next_due_at", "-created_at")[:ROWS]
    )


def services_now(user: User, now: dt.datetime, since: dt.datetime) -> list[ServiceLine]:
    """Each service the person's organisation uses, with its state now and its
    availability since ``since``."""
    services = list(visible_services(user).order_by("position", "name"))
    ids = [s.pk for s in services]
    monitors: dict[int, list[int]] = {sid: [] for sid in ids}
    statuses: dict[int, list[str]] = {sid: [] for sid in ids}
    rows = Monitor.services.through.objects.filter(
        service_id__in=ids, monitor__enabled=True
    ).values_list("service_id", "monitor_id", "monitor__status")
    for service_id, monitor_id, status in rows:
        monitors[service_id].append(monitor_id)
        statuses[service_id].append(status)
    figures = availability_of({m for ms in monitors.values() for m in ms}, since, now, now=now)
    in_window = windows_for_services(ids, now, now + dt.timedelta(seconds=1))
    lines = []
    for service in services:
        mine = [figures[m] for m in monitors[service.pk]]
        watched = max((a.end - a.start - a.excluded_time for a in mine), default=dt.timedelta(0))
        lines.append(
            ServiceLine(
                service=service,
                state=service_state(statuses[service.pk], bool(in_window.get(service.pk))),
                availability=pooled_availability(mine) if mine else None,
                provisional=is_provisional(watched, now - since),
            )
        )
    return lines


def agreements_now(user: User, now: dt.datetime, since: dt.datetime) -> list[AgreementLine]:
    """Each agreement in force, with this month's verdicts so far (the SLA's evaluation of
    an unsaved review from ``since`` to ``now``; nothing is stored) and its last review."""
    out = []
    for agreement in visible_agreements(user).in_force().order_by("reference"):
        review = evaluate_review(
            Review(agreement=agreement, period_start=since, period_end=now), now=now
        )
        last = (
            visible_reviews(user)
            .filter(agreement=agreement, evaluated_at__isnull=False)
            .order_by("-period_end")
            .first()
        )
        out.append(AgreementLine(agreement, [_shown(v) for v in review.verdicts], last))
    return out


def _amount(value: str | None, unit: str) -> str:
    """A verdict's figure or objective as a person reads it (99.95 %, 1 hour, 12)."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value))
    if unit == Unit.PERCENT:
        return f"{number.quantize(Decimal('0.001'), rounding=ROUND_DOWN).normalize():f} %"
    if unit == Unit.SECONDS:
        return plain.duration(dt.timedelta(seconds=int(number)))
    return f"{number.normalize():f}"


def _shown(verdict: dict[str, Any]) -> dict[str, Any]:
    """The parts of one stored verdict a customer reads: the target's name, where it
    stands (met, missed, not measured yet), the figure so far and the objective. The
    evidence and the reasons stay on the review's page."""
    unit = verdict.get("unit", "")
    return {
        "name": verdict["name"],
        "kind": verdict["kind"],
        "met": verdict["met"],
        "figure": _amount(verdict.get("figure"), unit),
        "objective": _amount(verdict.get("objective"), unit),
        "provisional": bool(verdict.get("provisional")),
    }


def maintenance_ahead(user: User, now: dt.datetime) -> list[dict[str, Any]]:
    """Maintenance announced on the organisation's services, in progress or starting within
    :data:`MAINTENANCE_AHEAD_DAYS`, each with the services of theirs it touches."""
    windows = (
        visible_windows(user)
        .filter(
            status=WindowStatus.SCHEDULED,
            end__gt=now,
            start__lt=now + dt.timedelta(days=MAINTENANCE_AHEAD_DAYS),
        )
        .order_by("start", "id")[:ROWS]
    )
    return [
        {
            "window": w,
            "title": w.display_title(get_language() or ""),
            "services": [s.display_name() for s in window_services(w, user)],
            "in_progress": w.start <= now,
        }
        for w in windows
    ]


def incidents_lately(user: User, now: dt.datetime) -> list[dict[str, Any]]:
    """Incidents that concern the organisation: the open ones, and those resolved in the
    last :data:`RECENT_INCIDENT_DAYS` days, each with its latest public notice."""
    since = now - dt.timedelta(days=RECENT_INCIDENT_DAYS)
    qs = visible_incidents(user)
    rows = list(
        (qs.filter(status__in=OPEN_STATUSES) | qs.filter(resolved_at__gte=since)).order_by(
            "-detected_at", "-id"
        )[:ROWS]
    )
    out = []
    for incident in rows:
        notice = visible_updates(user, incident).order_by("-at", "-id").first()
        out.append({"incident": incident, "notice": notice, "open": incident.is_open})
    return out


def customer_home(user: User, now: dt.datetime) -> CustomerHome:
    """Everything the home page of a customer's person shows, scoped to them."""
    since, label = month_start(now)
    unfinished = visible_tickets(user).exclude(status__in=FINISHED_STATUSES)
    hotline, complaint_line = operator_contact_lines()
    return CustomerHome(
        organisation=user.organisation,
        month_label=label,
        open_tickets=open_tickets(user),
        open_count=unfinished.count(),
        awaiting_customer=unfinished.filter(status=Status.WAITING_CUSTOMER).count(),
        services=services_now(user, now, since),
        agreements=agreements_now(user, now, since),
        maintenance=maintenance_ahead(user, now),
        incidents=incidents_lately(user, now),
        open_incidents=visible_incidents(user).filter(status__in=OPEN_STATUSES).count(),
        hotline=hotline,
        complaint_line=complaint_line,
    )
