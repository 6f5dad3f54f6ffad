"""Read queries about maintenance windows.

Availability and SLA figures ask for the windows of some services over a period (monitoring
maps its monitors to their services' windows, monitoring/windows.py), as
:class:`~baozhang.core.intervals.Interval` values of kind ``"maintenance"`` that core
excludes (and shows as excluded). Only scheduled windows count; cancelled ones never do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from baozhang.accounts.permissions import is_operator_staff
from baozhang.core.intervals import Interval
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.catalog.models import Service

#: The ``kind`` of the intervals returned here.
MAINTENANCE = "maintenance"


def clip_windows(
    rows: Iterable[tuple[int, int, str, dt.datetime, dt.datetime]],
    keys: Iterable[int],
    start: dt.datetime,
    end: dt.datetime,
) -> dict[int, list[Interval]]:
    """Rows of (key, window id, title, start, end) as, for each key, the windows clipped to
    ``[start, end)`` and sorted by start: kind ``"maintenance"``, reason the window's
    title, a window reached twice counted once, every key present (``[]`` if none)."""
    out: dict[int, dict[int, Interval]] = {key: {} for key in keys}
    for key, window_id, title, w_start, w_end in rows:
        lo, hi = max(w_start, start), min(w_end, end)
        if lo < hi:
            out.setdefault(key, {})[window_id] = Interval(lo, hi, MAINTENANCE, title)
    return {key: sorted(found.values()) for key, found in out.items()}


def windows_for_services(
    service_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """For each of ``service_ids``, its scheduled windows overlapping ``[start, end)``,
    clipped and sorted as by :func:`clip_windows`. One query."""
    ids = list(service_ids)
    rows = MaintenanceWindow.services.through.objects.filter(
        service_id__in=ids,
        maintenancewindow__status=WindowStatus.SCHEDULED,
        maintenancewindow__start__lt=end,
        maintenancewindow__end__gt=start,
    ).values_list(
        "service_id",
        "maintenancewindow_id",
        "maintenancewindow__title",
        "maintenancewindow__start",
        "maintenancewindow__end",
    )
    return clip_windows(rows, ids, start, end)


def upcoming(now: dt.datetime, days: int = 30) -> QuerySet[MaintenanceWindow]:
    """Scheduled windows in progress at ``now`` or starting within ``days`` days of it,
    by start, with their services. Not scoped to a person: for staff and public pages."""
    return (
        MaintenanceWindow.objects.filter(
            status=WindowStatus.SCHEDULED,
            end__gt=now,
            start__lt=now + dt.timedelta(days=days),
        )
        .prefetch_related("services")
        .order_by("start", "id")
    )


def visible_windows(user: User | AnonymousUser) -> QuerySet[MaintenanceWindow]:
    """Every window for the operator's staff; for a customer's people, the windows of the
    services their organisation uses; none for anyone else."""
    qs = MaintenanceWindow.objects.select_related("created_by")
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    if not user.organisation.is_active:
        return qs.none()
    ids = MaintenanceWindow.services.through.objects.filter(
        service__customers=user.organisation_id
    ).values("maintenancewindow_id")
    return qs.filter(pk__in=ids)


def visible_services(window: MaintenanceWindow, user: User | AnonymousUser) -> list[Service]:
    """The window's services a person may see: all for staff; for a customer's people
    only those their organisation uses (other customers' services are none of theirs)."""
    services = list(window.services.all())
    if is_operator_staff(user):
        return services
    org_id = getattr(user, "organisation_id", None)
    if org_id is None:
        return []
    from baozhang.catalog.models import Service

    mine = set(
        Service.objects.filter(pk__in=[s.pk for s in services], customers=org_id).values_list(
            "pk", flat=True
        )
    )
    return [s for s in services if s.pk in mine]
