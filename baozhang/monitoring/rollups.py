"""Daily rollups of raw results, then pruning of the raw results past their keeping time:
storage that grows with outages, not with time (DESIGN.md, "Monitoring data")."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baozhang.monitoring.figures import (
    collection_interval,
    day_bounds,
    grid_ceil,
    local_zone,
    raw_rollup,
)
from baozhang.monitoring.ingest import prune
from baozhang.monitoring.models import DailyRollup, Monitor
from baozhang.monitoring.windows import windows_for_monitors

log = logging.getLogger(__name__)


def roll_up_day(monitor: Monitor, day: dt.date) -> DailyRollup | None:
    """The monitor's rollup of ``day`` (a local day that has ended), stored once; None
    for a day before the monitor existed."""
    d0, d1 = day_bounds(day)
    step = collection_interval(monitor)
    lo = grid_ceil(max(d0, monitor.created_at), d0, step)
    if lo >= d1:
        return None
    windows = windows_for_monitors([monitor.id], lo, d1).get(monitor.id, [])
    summary = raw_rollup(monitor, lo, d1, windows)
    with transaction.atomic():
        row, _ = DailyRollup.objects.update_or_create(
            monitor=monitor,
            day=day,
            defaults={
                "period_start": summary.period_start,
                "period_end": summary.period_end,
                "checks": summary.checks,
                "failures": summary.failures,
                "missed": summary.missed,
                "excluded": summary.excluded,
                "latency": list(summary.latency.counts),
            },
        )
    return row


def roll_up_due(now: dt.datetime | None = None) -> int:
    """Roll up every ended day not rolled up yet, back as far as raw results are kept.
    Returns the number of rollups written."""
    now = now or timezone.now()
    keep = settings.MONITOR_RAW_DAYS
    today = now.astimezone(local_zone()).date()
    written = 0
    for monitor in Monitor.objects.all():
        created = monitor.created_at.astimezone(local_zone()).date()
        first = max(created, today - dt.timedelta(days=keep - 1))
        done = set(
            DailyRollup.objects.filter(monitor=monitor, day__gte=first).values_list(
                "day", flat=True
            )
        )
        day = first
        while day < today:
            if day not in done and roll_up_day(monitor, day) is not None:
                written += 1
            day += dt.timedelta(days=1)
    return written


def maintain(now: dt.datetime | None = None) -> tuple[int, int]:
    """The daily housekeeping: roll up ended days, then prune old raw results."""
    now = now or timezone.now()
    written = roll_up_due(now)
    deleted = prune(now, keep_days=settings.MONITOR_RAW_DAYS)
    if written or deleted:
        log.info("monitoring: %d rollups written, %d raw results pruned", written, deleted)
    return written, deleted
