"""Who may see what of monitoring: the operator's staff see everything; a customer's
people see the monitors that watch for them (name, state and figures, never targets,
headers or tokens — the pages and the API leave those out); probe regions are the
operator's alone. Which services a person sees is the catalogue's rule
(catalog.selectors)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.catalog.selectors import customer_organisation_id
from baozhang.monitoring.models import (
    LOCAL_REGION,
    Monitor,
    MonitorKind,
    MonitorStatus,
    ProbeRegion,
    ProbeResult,
    StateSpell,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

RECENT_RESULTS = 50


def visible_monitors(user: User | AnonymousUser) -> QuerySet[Monitor]:
    qs = Monitor.objects.select_related("check_state")  # for last_check_at
    if is_operator_staff(user):
        return qs
    org = customer_organisation_id(user)
    return qs.filter(customers=org) if org is not None else qs.none()


def get_monitor(user: User | AnonymousUser, pk: int) -> Monitor:
    """The monitor ``pk`` if the user may see it; Http404 otherwise."""
    try:
        return visible_monitors(user).get(pk=pk)
    except Monitor.DoesNotExist:
        raise Http404 from None


def visible_regions(user: User | AnonymousUser) -> QuerySet[ProbeRegion]:
    """Probe regions: the operator's staff only."""
    qs = ProbeRegion.objects.all()
    return qs if is_operator_staff(user) else qs.none()


def get_region(user: User | AnonymousUser, pk: int) -> ProbeRegion:
    try:
        return visible_regions(user).get(pk=pk)
    except ProbeRegion.DoesNotExist:
        raise Http404 from None


def filter_monitors(
    qs: QuerySet[Monitor],
    *,
    status: str | None = None,
    kind: str | None = None,
    service: int | None = None,
) -> QuerySet[Monitor]:
    """``qs`` narrowed to a status, a kind and a service; unknown values are ignored."""
    if status in MonitorStatus.values:
        qs = qs.filter(status=status)
    if kind in MonitorKind.values:
        qs = qs.filter(kind=kind)
    if service:
        qs = qs.filter(services=service)
    return qs


def region_choices() -> list[str]:
    """The region names a monitor may name: ``local`` and the active regions."""
    names = ProbeRegion.objects.filter(is_active=True).values_list("name", flat=True)
    return [LOCAL_REGION, *names]


def monitors_naming(region: str) -> list[Monitor]:
    """Monitors whose regions include ``region`` (JSON lists: filtered here, the same way
    on SQLite and PostgreSQL)."""
    return [
        m
        for m in Monitor.objects.exclude(kind=MonitorKind.PUSH).only("id", "name", "regions")
        if region in (m.regions or [])
    ]


def region_usage() -> dict[str, int]:
    """How many monitors name each region."""
    counts: dict[str, int] = {}
    for regions in Monitor.objects.exclude(kind=MonitorKind.PUSH).values_list("regions", flat=True):
        for name in regions or []:
            counts[name] = counts.get(name, 0) + 1
    return counts


def recent_results(monitor: Monitor, limit: int = RECENT_RESULTS) -> QuerySet[ProbeResult]:
    return monitor.results.order_by("-at", "-id")[:limit]


def spells_between(monitor: Monitor, start: dt.datetime, end: dt.datetime) -> QuerySet[StateSpell]:
    """State spells that overlap ``[start, end)``, newest first."""
    return monitor.spells.filter(Q(end__isnull=True) | Q(end__gt=start), start__lt=end).order_by(
        "-start"
    )


def scoped_monitors(
    customer_id: int | None = None, service_id: int | None = None
) -> QuerySet[Monitor]:
    """The operator's monitors, or those watching for one customer or one service."""
    qs = Monitor.objects.all()
    if customer_id is not None:
        qs = qs.filter(pk__in=Monitor.objects.filter(customers=customer_id).values("pk"))
    if service_id is not None:
        qs = qs.filter(pk__in=Monitor.objects.filter(services=service_id).values("pk"))
    return qs.order_by("pk")
