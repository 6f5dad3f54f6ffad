"""Read queries about maintenance windows.

Availability and SLA figures ask for the windows of some services over a period (monitoring
maps its monitors to their services' windows, monitoring/windows.py), as
:class:`~baozhang.core.intervals.Interval` values of kind ``"maintenance"`` that core
excludes (and shows as excluded). Only scheduled windows count; cancelled ones never do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db import connection
from django.db.models import BooleanField, Model, QuerySet
from django.db.models.expressions import RawSQL

from baozhang.accounts.permissions import is_operator_staff
from baozhang.core.intervals import Interval
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.catalog.models import Service

#: The ``kind`` of the intervals returned here.
MAINTENANCE = "maintenance"

M = TypeVar("M", bound=Model)


def clipped_windows(
    windows: dict[int, tuple[str, dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime
) -> dict[int, Interval]:
    """Windows by id — (title, start, end) — clipped to ``[start, end)``: kind
    ``"maintenance"``, reason the title; a window wholly outside is left out."""
    out: dict[int, Interval] = {}
    for window_id, (title, w_start, w_end) in windows.items():
        lo, hi = max(w_start, start), min(w_end, end)
        if lo < hi:
            out[window_id] = Interval(lo, hi, MAINTENANCE, title)
    return out


def windows_by_key(
    pairs: Iterable[tuple[int, int]], clipped: dict[int, Interval], keys: Iterable[int]
) -> dict[int, list[Interval]]:
    """(key, window id) pairs as, for each key, its windows of ``clipped`` (as
    :func:`clipped_windows` gives them) sorted by start, a window reached twice counted
    once, every key present (``[]`` if none). The same few windows reach thousands of
    monitors or services: each window is one interval, shared (intervals are immutable),
    and each set of windows is sorted once."""
    found: dict[int, set[int]] = {}
    for key, window_id in pairs:
        if window_id in clipped:
            found.setdefault(key, set()).add(window_id)
    out: dict[int, list[Interval]] = {key: [] for key in keys}
    ordered: dict[frozenset[int], tuple[Interval, ...]] = {}
    for key, ids in found.items():
        same = frozenset(ids)
        got = ordered.get(same)
        if got is None:
            got = ordered[same] = tuple(sorted(clipped[w] for w in same))
        out[key] = list(got)
    return out


def overlapping_windows(
    start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[str, dt.datetime, dt.datetime]]:
    """The scheduled windows overlapping ``[start, end)`` by id: (title, start, end). One
    query; the windows are few, whatever the monitors and services that ask."""
    rows = (
        MaintenanceWindow.objects.filter(
            status=WindowStatus.SCHEDULED, start__lt=end, end__gt=start
        )
        .order_by()
        .values_list("pk", "title", "start", "end")
    )
    return {pk: (title, w_start, w_end) for pk, title, w_start, w_end in rows}


def among(queryset: QuerySet[M], field: str, ids: list[int]) -> QuerySet[M]:
    """``queryset`` filtered on ``field`` (a column of its own table) being one of ``ids``.
    On PostgreSQL the ids go as one array (``= ANY(%s)``): an IN list of ten thousand
    placeholders cost more to build and parse than the rows cost to read. Elsewhere an IN
    list. The column is named by its table: read the result as it is, not as a subquery
    (which would rename the table)."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": ids})
    meta, quote = queryset.model._meta, connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(meta.get_field(field).column)}"
    return queryset.filter(RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField()))


def windows_for_services(
    service_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """For each of ``service_ids``, its scheduled windows overlapping ``[start, end)``,
    clipped to it and sorted by start (:func:`windows_by_key`). One query when no window
    overlaps the period, two otherwise (the windows, then which of the services they
    cover)."""
    ids = list(service_ids)
    windows = overlapping_windows(start, end)
    if not windows:
        return {key: [] for key in ids}
    through = MaintenanceWindow.services.through
    pairs = among(
        through.objects.filter(maintenancewindow_id__in=list(windows)), "service", ids
    ).values_list("service_id", "maintenancewindow_id")
    return windows_by_key(pairs, clipped_windows(windows, start, end), ids)


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
