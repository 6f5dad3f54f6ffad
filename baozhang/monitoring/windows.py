"""Which monitors are in maintenance: the scheduled windows of each monitor's services.

The monitoring ingest asks which monitors are in maintenance now; availability figures ask
for the windows of some monitors over a period, as
:class:`~baozhang.core.intervals.Interval` values of kind ``"maintenance"`` that core
excludes (and shows as excluded). Only scheduled windows count; cancelled ones never do.
A monitor's services are monitoring's to know; the windows are maintenance's
(maintenance/selectors.py clips them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from baozhang.core.intervals import Interval
from baozhang.maintenance.models import WindowStatus
from baozhang.maintenance.selectors import (
    among,
    clipped_windows,
    overlapping_windows,
    windows_by_key,
)
from baozhang.monitoring.models import Monitor


def monitors_in_maintenance(at: dt.datetime) -> set[int]:
    """Ids of the monitors of every service in a scheduled window covering ``at``
    (``start <= at < end``). One query."""
    through = Monitor.services.through
    return set(
        through.objects.filter(
            service__maintenance_windows__status=WindowStatus.SCHEDULED,
            service__maintenance_windows__start__lte=at,
            service__maintenance_windows__end__gt=at,
        ).values_list("monitor_id", flat=True)
    )


def windows_for_monitors(
    monitor_ids: Iterable[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    """For each of ``monitor_ids``, the scheduled windows of its services that overlap
    ``[start, end)``, clipped to it, sorted by start: kind ``"maintenance"``, reason the
    window's title. A window reached through two services of a monitor counts once;
    every id asked for is a key (with ``[]`` when it has none). One query when no window
    overlaps the period at all (the usual case), two otherwise: the windows (a few), then
    which of the monitors their services have (pairs of ids, the monitors as one array on
    PostgreSQL), so a window's title and times are read once, not once per monitor."""
    ids = list(monitor_ids)
    found = overlapping_windows(start, end)
    if not found:
        # The usual case, asked by every ingest batch: no join over hundreds of ids.
        return {key: [] for key in ids}
    pairs = among(
        Monitor.services.through.objects.filter(
            service__maintenance_windows__in=list(found),
        ),
        "monitor",
        ids,
    ).values_list("monitor_id", "service__maintenance_windows__id")
    return windows_by_key(pairs, clipped_windows(found, start, end), ids)
