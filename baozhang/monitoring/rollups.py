"""Daily rollups of raw results, then pruning of the raw results past their keeping time:
storage that grows with outages, not with time (DESIGN.md, "Monitoring data").

The monthly sums of the daily rollups (``MonthlyRollup``, what a year's 完好率 reads) are
written here too, with the daily rollups they add up: :func:`roll_up_day` and
:func:`roll_up_due` keep the months they touch, :func:`rebuild_months` (``baozhang rollups
rebuild-months``, and the migration that made the table) writes them again from every
daily rollup stored."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from baozhang.monitoring.figures import (
    ROLLUP_COUNTS,
    collection_interval,
    day_bounds,
    grid_ceil,
    local_zone,
    month_bounds,
    raw_rollup,
    stored_counts_from,
)
from baozhang.monitoring.ingest import prune
from baozhang.monitoring.models import DailyRollup, Monitor, MonthlyRollup
from baozhang.monitoring.windows import windows_for_monitors

log = logging.getLogger(__name__)

_IDS_PER_QUERY = 500


def _write_day(monitor: Monitor, day: dt.date) -> DailyRollup | None:
    d0, d1 = day_bounds(day)
    step = collection_interval(monitor)
    lo = grid_ceil(max(d0, monitor.created_at), d0, step)
    if lo >= d1:
        return None
    windows = windows_for_monitors([monitor.id], lo, d1).get(monitor.id, [])
    summary = raw_rollup(monitor, lo, d1, windows)
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


def roll_up_day(monitor: Monitor, day: dt.date) -> DailyRollup | None:
    """The monitor's rollup of ``day`` (a local day that has ended), stored (written
    again when called again: results that arrived late count), with its month's sums;
    None for a day before the monitor existed."""
    with transaction.atomic():
        row = _write_day(monitor, day)
        if row is not None:
            refresh_months({day: [monitor.id]})
    return row


def roll_up_due(now: dt.datetime | None = None) -> int:
    """Roll up every ended day not rolled up yet, back as far as raw results are kept,
    then write the sums of the months touched. Returns the number of rollups written."""
    now = now or timezone.now()
    keep = settings.MONITOR_RAW_DAYS
    today = now.astimezone(local_zone()).date()
    written = 0
    touched: dict[dt.date, set[int]] = {}
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
            if day not in done and _write_day(monitor, day) is not None:
                written += 1
                touched.setdefault(day.replace(day=1), set()).add(monitor.id)
            day += dt.timedelta(days=1)
    # Only new daily rollups were written above: until their month's sums are written
    # again, the month misses them and is read day by day (figures), never wrongly.
    refresh_months(touched)
    return written


def refresh_months(
    months: Mapping[dt.date, Iterable[int] | None],
    *,
    daily: Any = DailyRollup,
    monthly: Any = MonthlyRollup,
) -> int:
    """Write the monthly sums of the daily rollups stored now, for each month of
    ``months`` (a day of the month → the ids of the monitors whose sums to write; None:
    every monitor): the number of daily rollups counted, the first day and the first
    start among them, and their counts. A daily rollup counts where the 完好率 of a whole
    day reads it (figures.stored_counts_from: it begins at or after its day's start); a
    monitor with none in the month loses its monthly row. ``daily`` and ``monthly`` may be a
    migration's models. Returns the number of monthly rows written."""
    written = 0
    for month, ids in sorted(months.items()):
        first = month.replace(day=1)
        start, _end, length = month_bounds(first)
        following = first + dt.timedelta(days=length)
        chunks: list[list[int] | None] = [None]
        if ids is not None:
            given = sorted(set(ids))
            chunks = [given[k : k + _IDS_PER_QUERY] for k in range(0, len(given), _IDS_PER_QUERY)]
        for chunk in chunks:
            rows = daily.objects.filter(day__gte=first, day__lt=following).order_by()
            old = monthly.objects.filter(month=first)
            if chunk is not None:
                rows = rows.filter(monitor_id__in=chunk)
                old = old.filter(monitor_id__in=chunk)
            # The days holding a rollup that begins before the day's start (none, as
            # _write_day writes them): those rollups are not counted.
            early = Q()
            for day, begins in (
                rows.values("day").annotate(s=Min("period_start")).values_list("day", "s")
            ):
                d0 = day_bounds(day)[0]
                if not stored_counts_from(begins, d0):
                    early |= Q(day=day, period_start__lt=d0)
            counted = rows.exclude(early) if early else rows
            sums = {
                r[0]: r[1:]
                for r in counted.values("monitor_id")
                .annotate(
                    n=Count("id"),
                    first_day=Min("day"),
                    first_start=Min("period_start"),
                    **{f"sum_{c}": Sum(c) for c in ROLLUP_COUNTS},
                )
                .values_list(
                    "monitor_id",
                    "n",
                    "first_day",
                    "first_start",
                    *(f"sum_{c}" for c in ROLLUP_COUNTS),
                )
            }
            with transaction.atomic():
                old.exclude(monitor_id__in=list(sums)).delete()
                monthly.objects.bulk_create(
                    [
                        monthly(
                            monitor_id=m_id,
                            month=first,
                            start=start,
                            days=row[0],
                            first_day=row[1],
                            first_start=row[2],
                            **dict(zip(ROLLUP_COUNTS, row[3:], strict=True)),
                        )
                        for m_id, row in sums.items()
                    ],
                    update_conflicts=True,
                    unique_fields=["monitor", "month"],
                    update_fields=["start", "days", "first_day", "first_start", *ROLLUP_COUNTS],
                    batch_size=1000,
                )
            written += len(sums)
    return written


def rebuild_months(
    since: dt.date | None = None, *, daily: Any = DailyRollup, monthly: Any = MonthlyRollup
) -> int:
    """Write again the monthly sums of every month (from the month of ``since`` on) from
    the daily rollups stored, and drop those of months without one. Returns the number
    of monthly rows written."""
    first = since.replace(day=1) if since is not None else None
    rows = daily.objects.all() if first is None else daily.objects.filter(day__gte=first)
    span = rows.aggregate(lo=Min("day"), hi=Max("day"))
    stale = monthly.objects.all() if first is None else monthly.objects.filter(month__gte=first)
    if span["lo"] is None:
        stale.delete()
        return 0
    months: dict[dt.date, None] = {}
    month = span["lo"].replace(day=1)
    while month <= span["hi"]:
        months[month] = None
        month = (month + dt.timedelta(days=32)).replace(day=1)
    stale.exclude(month__in=list(months)).delete()
    return refresh_months(months, daily=daily, monthly=monthly)


def maintain(now: dt.datetime | None = None) -> tuple[int, int]:
    """The daily housekeeping: roll up ended days, then prune old raw results."""
    now = now or timezone.now()
    written = roll_up_due(now)
    deleted = prune(now, keep_days=settings.MONITOR_RAW_DAYS)
    if written or deleted:
        log.info("monitoring: %d rollups written, %d raw results pruned", written, deleted)
    return written, deleted
