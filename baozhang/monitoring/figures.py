"""Monitoring figures read from what is kept (DESIGN.md, "Monitoring data"):
availability from state spells, in time proportional to the number of outages, and the
data-collection integrity rate (完好率, Q4(2)) from daily rollups plus the raw results of
the days not rolled up yet. Maintenance and time not observed are excluded and shown."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from baozhang.core.intervals import Interval
from baozhang.core.monitor_rollup import (
    Availability,
    Integrity,
    LatencyHistogram,
    Rollup,
    availability,
    integrity,
    merge_rollups,
    rollup,
)
from baozhang.core.monitor_state import CheckResult, MonitorStatus
from baozhang.core.sla_text import ExclusionKind
from baozhang.monitoring.models import DailyRollup, Monitor, MonitorKind, ProbeResult, StateSpell
from baozhang.monitoring.windows import windows_for_monitors

_NOT_OBSERVED = str(ExclusionKind.NOT_OBSERVED)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def collection_interval(monitor: Monitor) -> dt.timedelta:
    """One collection period of the monitor: its interval, or a heartbeat's period."""
    if monitor.kind == MonitorKind.PUSH:
        return dt.timedelta(seconds=monitor.push_period_s or monitor.interval_s)
    return dt.timedelta(seconds=monitor.interval_s)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of a day in the operator's time zone, in UTC."""
    zone = local_zone()
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def grid_ceil(t: dt.datetime, origin: dt.datetime, step: dt.timedelta) -> dt.datetime:
    if t <= origin:
        return origin
    return origin + -(-(t - origin) // step) * step


def grid_floor(t: dt.datetime, origin: dt.datetime, step: dt.timedelta) -> dt.datetime:
    return origin + ((t - origin) // step) * step


def spells_as_intervals(
    monitor_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *, now: dt.datetime
) -> dict[int, list[Interval]]:
    """The non-``up`` spells of each monitor overlapping ``[start, end)`` (an open spell
    lasts until ``now``), plus the time before each monitor's first spell as ``unknown``
    (availability shows it as not observed). One query for the spells, one for the
    first spell of each monitor."""
    ids = list(monitor_ids)
    out: dict[int, list[Interval]] = defaultdict(list)
    rows = (
        StateSpell.objects.filter(monitor_id__in=ids, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .exclude(state=MonitorStatus.UP)
        .order_by()  # grouped below: the default ordering would join and sort by name
        .values_list("monitor_id", "state", "start", "end", "reason")
    )
    for monitor_id, state, s, e, reason in rows.iterator(chunk_size=5000):
        e = e or now
        if e > s:
            out[monitor_id].append(Interval(s, e, state, reason))
    firsts = dict(_first_spells(ids))
    for monitor_id in ids:
        first = firsts.get(monitor_id)
        gap_end = min(first, end) if first is not None else min(now, end)
        if gap_end > start:
            out[monitor_id].append(
                Interval(start, gap_end, str(MonitorStatus.UNKNOWN), "no data yet / 尚无数据")
            )
    return out


def _first_spells(ids: list[int]) -> list[tuple[int, dt.datetime]]:
    from django.db.models import Min

    return list(
        StateSpell.objects.filter(monitor_id__in=ids)
        .values("monitor_id")
        .annotate(first=Min("start"))
        .values_list("monitor_id", "first")
    )


def availability_of(
    monitor_ids: Iterable[int],
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> dict[int, Availability]:
    """Availability of each monitor over ``[start, end)``; time after ``now`` is not
    observed yet. A few queries whatever the number of monitors; the work grows with the
    number of outages and exclusions, not with checks."""
    now = now or timezone.now()
    ids = list(monitor_ids)
    spells = spells_as_intervals(ids, start, end, now=now)
    windows = windows_for_monitors(ids, start, end)
    out = {}
    for monitor_id in ids:
        excl = list(windows.get(monitor_id, []))
        if end > now:
            excl.append(Interval(max(start, now), end, _NOT_OBSERVED, "future / 未到"))
        # Only the announced windows are excluded: the maintenance state lasts until the
        # first check after a window, and that tail is not excused.
        kept = [i for i in spells.get(monitor_id, []) if i.kind != MonitorStatus.MAINTENANCE]
        out[monitor_id] = availability(kept, start=start, end=end, exclusions=excl)
    return out


@dataclass(frozen=True)
class MonitorFigures:
    availability: Availability
    integrity: Integrity
    rollup: Rollup | None


def raw_rollup(
    monitor: Monitor, start: dt.datetime, end: dt.datetime, exclusions: list[Interval]
) -> Rollup:
    results = [
        CheckResult(region, at, ok, latency, "")
        for region, at, ok, latency in ProbeResult.objects.filter(
            monitor=monitor, at__gte=start, at__lt=end
        ).values_list("region", "at", "ok", "latency_ms")
    ]
    return rollup(
        results,
        start=start,
        end=end,
        interval=collection_interval(monitor),
        exclusions=exclusions,
    )


def integrity_rollup(
    monitor: Monitor, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> Rollup | None:
    """The monitor's collection periods over ``[start, end)``: whole days from their
    daily rollups, the rest from raw results. Periods are cut from local midnight; only
    periods that have ended by ``now`` and began after the monitor was created count.
    None when no period counts."""
    now = now or timezone.now()
    step = collection_interval(monitor)
    zone = local_zone()
    parts: list[Rollup] = []
    windows: list[Interval] | None = None
    day = start.astimezone(zone).date()
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    rolled = {
        r.day: r
        for r in DailyRollup.objects.filter(monitor=monitor, day__gte=day, day__lte=last_day)
    }
    while day <= last_day:
        d0, d1 = day_bounds(day)
        lo = grid_ceil(max(start, d0, monitor.created_at), d0, step)
        hi = grid_floor(min(end, d1, now), d0, step) if min(end, d1, now) < d1 else d1
        if hi > lo:
            stored = rolled.get(day)
            if stored is not None and lo <= stored.period_start and hi >= d1:
                parts.append(_stored(stored))
            else:
                if windows is None:  # read once, on the first day not rolled up
                    windows = windows_for_monitors([monitor.id], start, end).get(monitor.id, [])
                parts.append(raw_rollup(monitor, lo, hi, windows))
        day += dt.timedelta(days=1)
    return merge_rollups(parts) if parts else None


_Counts = tuple[int, int, int, int]  # checks, failures, missed, excluded
_ROLLUP_COUNTS = ("checks", "failures", "missed", "excluded")
_CHUNK = 500  # monitors per query


def _day_list(
    start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    zone = local_zone()
    day = start.astimezone(zone).date()
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    days = []
    while day <= last_day:
        days.append((day, *day_bounds(day)))
        day += dt.timedelta(days=1)
    return days


def _counts_by_day(
    monitor: Monitor,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    days: list[tuple[dt.date, dt.datetime, dt.datetime]],
    rolled: dict[dt.date, tuple[dt.datetime, int, int, int, int]],
) -> _Counts:
    """The counts of :func:`integrity_rollup` over ``days``: a day's stored rollup where it
    covers the day's periods, the raw results otherwise (the same rule, day by day)."""
    step = collection_interval(monitor)
    totals = [0, 0, 0, 0]
    windows: list[Interval] | None = None
    for day, d0, d1 in days:
        lo = grid_ceil(max(start, d0, monitor.created_at), d0, step)
        top = min(end, d1, now)
        hi = grid_floor(top, d0, step) if top < d1 else d1
        if hi <= lo:
            continue
        stored = rolled.get(day)
        if stored is not None and lo <= stored[0] and hi >= d1:
            counts: _Counts = stored[1:]
        else:
            if windows is None:  # read once, on the first day not rolled up
                windows = windows_for_monitors([monitor.id], start, end).get(monitor.id, [])
            r = raw_rollup(monitor, lo, hi, windows)
            counts = (r.checks, r.failures, r.missed, r.excluded)
        for k in range(4):
            totals[k] += counts[k]
    return totals[0], totals[1], totals[2], totals[3]


def integrity_of(
    monitors: Iterable[Monitor],
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> dict[int, Integrity]:
    """The 完好率 of each of ``monitors`` over ``[start, end)``, by monitor id in their order:
    for each, exactly what ``monitor_figures(...).integrity`` gives, read for all of them at
    once. The whole days inside the period, before ``now`` and after a monitor was created
    are summed by the database from their stored daily rollups (a few queries per 500
    monitors, whatever the length of the period); the other days (the first and last if
    partial, today, a monitor's first day, a day whose rollup is missing) go day by day
    as :func:`integrity_rollup` does."""
    now = now or timezone.now()
    items = list(monitors)
    days = _day_list(start, end)
    # Whole days: the local day lies inside [start, min(end, now)).
    limit = min(end, now)
    whole = [d for d in days if d[1] >= start and d[2] <= limit]
    first = whole[0] if whole else None
    out: dict[int, Integrity] = {}
    for k in range(0, len(items), _CHUNK):
        chunk = items[k : k + _CHUNK]
        ids = [m.id for m in chunk]
        sums: dict[int, tuple[int, int, int, int, int]] = {}
        plain: set[int] = set()
        own: dict[int, list[tuple[dt.date, dt.datetime, dt.datetime]]] = {}
        if first is not None:
            a, b = first[0], whole[-1][0]
            in_whole = DailyRollup.objects.filter(monitor_id__in=ids, day__gte=a, day__lte=b)
            # A stored rollup counts for a whole day when it starts at or after the day's
            # start; true of every rollup written (rollups.py), checked here day by day.
            starts = dict(
                in_whole.order_by()
                .values("day")
                .annotate(s=Min("period_start"))
                .values_list("day", "s")
            )
            bounds = {d[0]: d[1] for d in whole}
            if all(s >= bounds[day] for day, s in starts.items()):
                # A monitor's whole days are those that began at or after it was created
                # (all of them for one created before the first): summed by the database
                # from the first of them, grouped by that first day.
                for m in chunk:
                    mine = [d for d in whole if d[1] >= m.created_at]
                    if mine:
                        own[m.id] = mine
                by_first: dict[dt.date, list[int]] = {}
                for m_id, mine in own.items():
                    by_first.setdefault(mine[0][0], []).append(m_id)
                plain = set(own)
                cond = Q()
                for day, m_ids in by_first.items():
                    cond |= Q(monitor_id__in=m_ids, day__gte=day)
                rows = (
                    in_whole.filter(cond)
                    .order_by()
                    .values("monitor_id")
                    .annotate(*(Sum(c) for c in _ROLLUP_COUNTS), n=Count("id"))
                    .values_list("monitor_id", *(f"{c}__sum" for c in _ROLLUP_COUNTS), "n")
                )
                sums = {row[0]: row[1:] for row in rows}
        summed: dict[int, list[int]] = {}
        rests: dict[int, list[tuple[dt.date, dt.datetime, dt.datetime]]] = {}
        for monitor in chunk:
            got = sums.get(monitor.id)
            summed[monitor.id] = [0, 0, 0, 0]
            rest = days
            mine = own.get(monitor.id, [])
            if monitor.id in plain and got is not None and got[4] == len(mine):
                summed[monitor.id] = list(got[:4])
                own_days = {d[0] for d in mine}
                rest = [d for d in days if d[0] not in own_days]
            # Only days that began before min(end, now) and end after start can count.
            rests[monitor.id] = [d for d in rest if d[1] < limit and d[2] > start]
        # The other days' stored rollups, read for the chunk's monitors at once.
        rolled: dict[int, dict[dt.date, tuple[dt.datetime, int, int, int, int]]] = {}
        wanted = [m_id for m_id, rest in rests.items() if rest]
        if wanted:
            low = min(rests[m_id][0][0] for m_id in wanted)
            high = max(rests[m_id][-1][0] for m_id in wanted)
            for r in DailyRollup.objects.filter(
                monitor_id__in=wanted, day__gte=low, day__lte=high
            ).values_list("monitor_id", "day", "period_start", *_ROLLUP_COUNTS):
                rolled.setdefault(r[0], {})[r[1]] = r[2:]
        for monitor in chunk:
            counts = summed[monitor.id]
            rest = rests[monitor.id]
            if rest:
                extra = _counts_by_day(monitor, start, end, now, rest, rolled.get(monitor.id, {}))
                counts = [c + e for c, e in zip(counts, extra, strict=True)]
            checks, failures, missed, excluded = counts
            out[monitor.id] = integrity(Rollup(start, end, checks, failures, missed, excluded))
    return out


def _stored(row: DailyRollup) -> Rollup:
    buckets = tuple(row.latency) if row.latency else ()
    return Rollup(
        row.period_start,
        row.period_end,
        row.checks,
        row.failures,
        row.missed,
        row.excluded,
        LatencyHistogram(tuple(buckets)) if buckets else LatencyHistogram(),
    )


def monitor_figures(
    monitor: Monitor, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None
) -> MonitorFigures:
    """Availability and 完好率 of one monitor over ``[start, end)``."""
    now = now or timezone.now()
    avail = availability_of([monitor.id], start, end, now=now)[monitor.id]
    summary = integrity_rollup(monitor, start, end, now=now)
    summary_for_rate = Rollup(start, end, 0, 0, 0) if summary is None else summary
    return MonitorFigures(avail, integrity(summary_for_rate), summary)


def target_measurements(
    target_id: int, start: dt.datetime, end: dt.datetime, *, now: dt.datetime
) -> tuple[list[Interval], list[Interval]] | None:
    """What the monitors feeding an agreement target measured over ``[start, end)``:
    their down spells as downtime, and their announced maintenance windows as exclusions
    of kind ``announced_maintenance``, shown as excluded. None when no monitor feeds the
    target."""
    ids = list(Monitor.objects.filter(targets=target_id).values_list("id", flat=True))
    if not ids:
        return None
    spells = spells_as_intervals(ids, start, end, now=now)
    windows = windows_for_monitors(ids, start, end)
    downtime: list[Interval] = []
    exclusions: list[Interval] = []
    maintenance = str(ExclusionKind.ANNOUNCED_MAINTENANCE)
    for monitor_id in ids:
        for item in spells.get(monitor_id, []):
            if item.kind == MonitorStatus.DOWN:
                downtime.append(Interval(item.start, item.end, "downtime", item.reason))
        for w in windows.get(monitor_id, []):
            exclusions.append(Interval(w.start, w.end, maintenance, w.reason))
    return downtime, exclusions
