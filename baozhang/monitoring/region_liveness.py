"""When the platform's own probe engine was not reporting (Q4(4)): per probe region, the
spans in which no check result arrived from it for longer than its monitors' intervals
allow. Such a gap is an interruption of the network-management software, not an outage of
the targets: the judging drops a silent region's vote (core.monitor_state), and a monitor
whose regions are all silent is ``unknown``, not down.

A region's liveness is recorded by what it stores: the raw results (``ProbeResult``, with
their region and time), kept ``MONITOR_RAW_DAYS`` days, and ``ProbeRegion.last_seen_at``.
So gaps are read over the days raw results are still kept; earlier time is reported as
not observed (``observed_from``), never as an interruption.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils.translation import gettext, gettext_noop

from baozhang.core.equipment import reporting_gaps
from baozhang.core.intervals import Interval
from baozhang.monitoring.models import LOCAL_REGION, Monitor, MonitorKind, ProbeRegion, ProbeResult

# A region is silent after this many of its shortest interval without a result …
MISSED_CHECKS = 3
# … and never sooner than this (a check's timeout and a batch's delivery).
MIN_TOLERANCE = dt.timedelta(minutes=3)


# Why a gap is one, said in the language of whoever asks for the gaps.
SILENT = gettext_noop("probe region %(region)s stopped reporting")


def silence_reason(region: str) -> str:
    """The reason of a region's gap, in the active language."""
    return gettext(SILENT) % {"region": region}


@dataclass(frozen=True)
class RegionGaps:
    region: str
    tolerance: dt.timedelta
    observed_from: dt.datetime
    gaps: tuple[Interval, ...]


def _expected_regions() -> dict[str, tuple[int, dt.datetime | None]]:
    """Each region that should report: its shortest monitor interval (seconds) and when
    it began (None: the server's own, from its first result)."""
    shortest: dict[str, int] = {}
    monitors = Monitor.objects.filter(enabled=True).exclude(kind=MonitorKind.PUSH)
    for regions, interval in monitors.values_list("regions", "interval_s"):
        for name in regions or [LOCAL_REGION]:
            shortest[name] = min(shortest.get(name, interval), interval)
    created = dict(ProbeRegion.objects.filter(is_active=True).values_list("name", "created_at"))
    return {name: (s, created.get(name)) for name, s in shortest.items()}


def region_gaps(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> list[RegionGaps]:
    """The gaps of every region that has enabled monitors over ``[start, end)``, up to
    ``now``, over the time raw results are kept. One query per region (its results'
    times, oldest first)."""
    end = min(end, now)
    kept_from = now - dt.timedelta(days=settings.MONITOR_RAW_DAYS)
    out: list[RegionGaps] = []
    if end <= start:
        return out
    for name, (interval, created) in sorted(_expected_regions().items()):
        tolerance = max(MIN_TOLERANCE, dt.timedelta(seconds=MISSED_CHECKS * interval))
        since = max(start, kept_from)
        if created is not None:
            since = max(since, created)
        else:  # the server's own region: from its first result ever kept
            first = ProbeResult.objects.filter(region=name).aggregate(at=Min("at"))["at"]
            if first is None:
                continue
            since = max(since, first)
        if since >= end:
            continue
        times = (
            ProbeResult.objects.filter(region=name, at__gte=since, at__lt=end)
            .order_by()
            .values_list("at", flat=True)
        )
        gaps = reporting_gaps(
            times.iterator(chunk_size=10_000),
            start=since,
            end=end,
            tolerance=tolerance,
            reason=silence_reason(name),
        )
        out.append(RegionGaps(name, tolerance, since, gaps))
    return out
