"""Monitoring figures read from what is kept (DESIGN.md, "Monitoring data"):
availability from state spells, in time proportional to the number of outages, and the
data-collection integrity rate (完好率, Q4(2)) from daily rollups plus the raw results of
the days not rolled up yet. Maintenance and time not observed are excluded and shown."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
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
from baozhang.monitoring.models import (
    DailyRollup,
    Monitor,
    MonitorKind,
    MonthlyRollup,
    ProbeResult,
    StateSpell,
)
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


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, int]:
    """``[start, end)`` of the local month holding ``month``, in UTC, and its number of
    days."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return day_bounds(first)[0], day_bounds(following)[0], (following - first).days


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


def stored_counts_from(begins: dt.datetime, lo: dt.datetime) -> bool:
    """Whether a stored daily rollup beginning at ``begins`` stands for a day's periods
    from ``lo`` (the first period the day counts, its start for a whole day) to its end:
    it begins at or after ``lo``. The rule of every reader of the daily rollups and of
    their monthly sums (rollups.refresh_months)."""
    return lo <= begins


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
            if stored is not None and stored_counts_from(stored.period_start, lo) and hi >= d1:
                parts.append(_stored(stored))
            else:
                if windows is None:  # read once, on the first day not rolled up
                    windows = windows_for_monitors([monitor.id], start, end).get(monitor.id, [])
                parts.append(raw_rollup(monitor, lo, hi, windows))
        day += dt.timedelta(days=1)
    return merge_rollups(parts) if parts else None


_Counts = tuple[int, int, int, int]  # checks, failures, missed, excluded
# The counts of a daily or monthly rollup, in the order of _Counts.
ROLLUP_COUNTS = ("checks", "failures", "missed", "excluded")
_CHUNK = 500  # monitors per query
_SHARED_DAYS = 3  # a monitor's other days read by day, more by their span


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
        if stored is not None and stored_counts_from(stored[0], lo) and hi >= d1:
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
    once. The local months inside the period and before ``now`` are read from their
    monthly sums (``MonthlyRollup``, one row per monitor and month) where a monitor's row
    holds the month (every day of it, or every day from the monitor's creation on); the
    other days (the partial months at the edges, a month whose row lacks a day) are read
    from the daily rollups: whole days summed by the database (a few queries per 500
    monitors), the rest (today, a monitor's first day, a day whose rollup is missing)
    day by day as :func:`integrity_rollup` does."""
    now = now or timezone.now()
    return {
        m_id: integrity(Rollup(start, end, *counts))
        for m_id, counts in _counts_with_months(list(monitors), start, end, now).items()
    }


_Month = tuple[dt.date, dt.datetime, dt.datetime, int]  # first day, start, end, days


def _whole_months(start: dt.datetime, limit: dt.datetime) -> list[_Month]:
    """The local months lying wholly inside ``[start, limit)``, in order."""
    out: list[_Month] = []
    month = start.astimezone(local_zone()).date().replace(day=1)
    while True:
        m0, m1, days = month_bounds(month)
        if m1 > limit:
            return out
        if m0 >= start:
            out.append((month, m0, m1, days))
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _add(totals: list[int], counts: Iterable[int]) -> None:
    for k, c in enumerate(counts):
        totals[k] += c


def _counts_with_months(
    items: list[Monitor], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, _Counts]:
    """:func:`_counts_of` with the whole months read from their monthly sums where they
    hold the month (:func:`_month_held`); the rest by :func:`_counts_of` from the daily
    rollups: the partial months at the edges, and for each month the monitors that
    existed during it whose row does not hold it. The day-by-day rule cuts a period at
    local midnights without changing a day's periods, so the parts add up to the
    whole."""
    months = _whole_months(start, min(end, now))
    if not months:
        return _counts_of(items, start, end, now)
    lo, hi = months[0][1], months[-1][2]
    out: dict[int, list[int]] = {m.id: [0, 0, 0, 0] for m in items}
    parts = [(items, start, lo)] if start < lo else []
    parts += [(items, hi, end)] if hi < end else []
    living = [m for m in items if m.created_at < hi]
    sums = _monthly_sums(living, months)
    for month, m0, m1, _days in months:
        again = []
        for m in living:
            if (m.id, month) in sums:
                _add(out[m.id], sums[m.id, month])
            elif m.created_at < m1:  # it lived in the month: its days one by one
                again.append(m)
        parts.append((again, m0, m1))
    for chosen, a, b in parts:
        if chosen:
            for m_id, counts in _counts_of(chosen, a, b, now).items():
                _add(out[m_id], counts)
    return {m_id: (c[0], c[1], c[2], c[3]) for m_id, c in out.items()}


# What of a monthly row tells whether it holds its month: its start, days, first day and
# first start, then its counts.
_MONTH_FIELDS = ("start", "days", "first_day", "first_start", *ROLLUP_COUNTS)


def _month_held(
    month: _Month, created_at: dt.datetime, step: dt.timedelta, row: tuple[Any, ...]
) -> bool:
    """Whether a monitor's monthly row (its _MONTH_FIELDS) holds ``month`` as the daily
    rule counts it, for a monitor created at ``created_at`` with collection periods of
    ``step``: written in this time zone, with a counted rollup for every day of the month
    (for a monitor created by its start), or for every day from the monitor's creation
    on, the first beginning at or after the first period of that day (for one created
    during the month). Days before a monitor's creation count nothing."""
    first, m0, m1, days = month
    at, n, first_day, first_start = row[:4]
    if at != m0:
        return False
    if created_at <= m0:
        return bool(n == days)
    created = created_at.astimezone(local_zone()).date()
    d0 = day_bounds(created)[0]
    return (
        created_at < m1
        and first_day == created
        and n == (first + dt.timedelta(days=days) - created).days
        and stored_counts_from(first_start, grid_ceil(created_at, d0, step))
    )


_MONTH_CHUNK = 2000  # monitors per query of their monthly sums


def _monthly_sums(items: list[Monitor], months: list[_Month]) -> dict[tuple[int, dt.date], _Counts]:
    """The monthly sums of ``items`` (monitor id, month's first day → counts) that hold
    their month (:func:`_month_held`), in two queries per 2,000 monitors: the rows
    whose start and number of days are those of their month, chosen by the database and
    read without a date or time (their conversion would cost more than the rest), kept
    for the monitors created by the month's start; then the rows of the months during
    which a monitor was created, checked one by one."""
    wanted = {m[0]: m for m in months}
    monitors = {m.id: m for m in items}
    whole = Q()
    for first, m0, _m1, days in months:
        whole |= Q(month=first, start=m0, days=days)
    lo = months[0][1]
    ids, newer = list(monitors), [m.id for m in items if m.created_at > lo]
    out: dict[tuple[int, dt.date], _Counts] = {}
    for k in range(0, len(ids), _MONTH_CHUNK):
        for m_id, month, *counts in (
            MonthlyRollup.objects.filter(whole, monitor_id__in=ids[k : k + _MONTH_CHUNK])
            .order_by()
            .values_list("monitor_id", "month", *ROLLUP_COUNTS)
        ):
            if monitors[m_id].created_at <= wanted[month][1]:
                out[m_id, month] = (counts[0], counts[1], counts[2], counts[3])
    for k in range(0, len(newer), _MONTH_CHUNK):
        for m_id, month, *row in (
            MonthlyRollup.objects.filter(monitor_id__in=newer[k : k + _MONTH_CHUNK])
            .filter(month__in=wanted, monitor__created_at__gt=F("start"))
            .order_by()
            .values_list("monitor_id", "month", *_MONTH_FIELDS)
        ):
            m = monitors[m_id]
            if _month_held(wanted[month], m.created_at, collection_interval(m), row):
                out[m_id, month] = (row[4], row[5], row[6], row[7])
    return out


def _counts_of(
    items: list[Monitor], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, _Counts]:
    """The counts (checks, failures, missed, excluded) behind :func:`integrity_of`, by
    monitor id in the order of ``items``."""
    days = _day_list(start, end)
    # Whole days: the local day lies inside [start, min(end, now)).
    limit = min(end, now)
    whole = [d for d in days if d[1] >= start and d[2] <= limit]
    starts = [d[1] for d in whole]
    others = _OtherDays(days, whole, start, limit)
    index = {d[0]: k for k, d in enumerate(whole)}
    out: dict[int, _Counts] = {}
    for k in range(0, len(items), _CHUNK):
        chunk = items[k : k + _CHUNK]
        ids = [m.id for m in chunk]
        sums: dict[int, list[int]] = {}
        firsts: dict[int, int] = {}  # monitor id → index of its first whole day
        if whole:
            in_whole = DailyRollup.objects.filter(
                monitor_id__in=ids, day__gte=whole[0][0], day__lte=whole[-1][0]
            ).order_by()
            # A stored rollup counts for a whole day when it starts at or after the day's
            # start; true of every rollup written (rollups.py), checked here day by day.
            day_starts = dict(
                in_whole.values("day").annotate(s=Min("period_start")).values_list("day", "s")
            )
            bounds = {d[0]: d[1] for d in whole}
            if all(s >= bounds[day] for day, s in day_starts.items()):
                # A monitor's whole days are those that began at or after it was created
                # (all of them for one created before the first): its rows of the period's
                # whole days are summed by the database, its first day's taken out below.
                for m in chunk:
                    first = bisect.bisect_left(starts, m.created_at)
                    if first < len(whole):
                        firsts[m.id] = first
                sums = {
                    r[0]: list(r[1:])
                    for r in in_whole.values("monitor_id")
                    .annotate(n=Count("id"), **{f"sum_{c}": Sum(c) for c in ROLLUP_COUNTS})
                    .values_list("monitor_id", *(f"sum_{c}" for c in ROLLUP_COUNTS), "n")
                }
        rests = {m.id: others.of(m.created_at, firsts.get(m.id)) for m in chunk}
        created = {m.id: m.created_at for m in chunk}
        rolled = _stored_rollups({m_id: rest for m_id, rest in rests.items() if rest}, created)
        summed: dict[int, list[int]] = {}
        whole_again: dict[int, list[_Day]] = {}
        for monitor in chunk:
            got = sums.get(monitor.id)
            first = firsts.get(monitor.id)
            summed[monitor.id] = [0, 0, 0, 0]
            if first is None:
                continue
            if got is None:  # none of its whole days stored
                whole_again[monitor.id] = others.of(monitor.created_at, None)
                continue
            for day, r in rolled.get(monitor.id, {}).items():
                if index.get(day, len(whole)) < first:  # its first day: not a whole day
                    for c in range(4):
                        got[c] -= r[1 + c]
                    got[4] -= 1
            if got[4] == len(whole) - first:  # each of its whole days stored, once
                summed[monitor.id] = got[:4]
            else:  # else day by day, as integrity_rollup does
                whole_again[monitor.id] = others.of(monitor.created_at, None)
        if whole_again:
            rests.update(whole_again)
            rolled.update(_stored_rollups(whole_again, created))
        for monitor in chunk:
            counts = summed[monitor.id]
            rest = rests[monitor.id]
            if rest:
                extra = _counts_by_day(monitor, start, end, now, rest, rolled.get(monitor.id, {}))
                counts = [c + e for c, e in zip(counts, extra, strict=True)]
            checks, failures, missed, excluded = counts
            out[monitor.id] = (checks, failures, missed, excluded)
    return out


_Day = tuple[dt.date, dt.datetime, dt.datetime]


class _OtherDays:
    """The days of a monitor not summed as whole days, that can hold one of its periods:
    begun before ``limit`` (min(end, now)), ended after ``start`` and after the monitor was
    created (any other day has no period: :func:`_counts_by_day` would skip it)."""

    def __init__(
        self, days: list[_Day], whole: list[_Day], start: dt.datetime, limit: dt.datetime
    ) -> None:
        self._days = [d for d in days if d[1] < limit and d[2] > start]
        self._ends = [d[2] for d in self._days]
        self._dates = [d[0] for d in self._days]
        self._whole = whole

    def of(self, created_at: dt.datetime, first: int | None) -> list[_Day]:
        """The days of a monitor created at ``created_at`` whose whole days from index
        ``first`` of the whole days on are summed (None: none are)."""
        days, lo = self._days, bisect.bisect_right(self._ends, created_at)
        if first is None:
            return days[lo:]
        # The summed whole days are a run of the days: those before and after it are kept.
        a = bisect.bisect_left(self._dates, self._whole[first][0])
        b = bisect.bisect_right(self._dates, self._whole[-1][0])
        return days[lo:a] + days[max(lo, b) :]


def _stored_rollups(
    rests: dict[int, list[_Day]], created: dict[int, dt.datetime]
) -> dict[int, dict[dt.date, tuple[Any, ...]]]:
    """The stored rollups of each monitor's ``rests`` days (monitor id → its days; the
    monitors' ``created`` times), in one query of a few conditions whatever the number of
    monitors: the first day of the monitors created on one of their days (the local date
    of their creation), the few days they share (a day cut by the period or by now), by
    day, and a span of days for a monitor counted day by day; only the rows asked for are
    kept."""
    wanted: set[tuple[int, dt.date]] = set()
    first_day: list[int] = []
    by_day: dict[dt.date, list[int]] = {}
    spans: dict[tuple[dt.date, dt.date], list[int]] = {}
    for m_id, rest in rests.items():
        wanted.update((m_id, d[0]) for d in rest)
        if rest and rest[0][1] < created[m_id]:  # created during its first day
            first_day.append(m_id)
            rest = rest[1:]
        if len(rest) <= _SHARED_DAYS:
            for d in rest:
                by_day.setdefault(d[0], []).append(m_id)
        else:
            spans.setdefault((rest[0][0], rest[-1][0]), []).append(m_id)
    cond = Q()
    if first_day:
        cond |= Q(
            monitor_id__in=first_day, day=TruncDate("monitor__created_at", tzinfo=local_zone())
        )
    for day, m_ids in by_day.items():
        cond |= Q(day=day, monitor_id__in=m_ids)
    for (a, b), m_ids in spans.items():
        cond |= Q(monitor_id__in=m_ids, day__gte=a, day__lte=b)
    rolled: dict[int, dict[dt.date, tuple[Any, ...]]] = {}
    if not wanted:
        return rolled
    for r in (
        DailyRollup.objects.filter(cond)
        .order_by()
        .values_list("monitor_id", "day", "period_start", *ROLLUP_COUNTS)
    ):
        if (r[0], r[1]) in wanted:
            rolled.setdefault(r[0], {})[r[1]] = r[2:]
    return rolled


def integrity_total(
    monitors: QuerySet[Monitor] | Iterable[Monitor],
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> Integrity:
    """The 完好率 of ``monitors`` together over ``[start, end)``: their periods, abnormal
    and excluded periods added up, exactly the sum of :func:`integrity_of`'s figures
    (the same rule, day by day), read without a row per monitor. The local months inside
    the period and before ``now`` are summed by the database from their monthly sums
    (``MonthlyRollup``): the rows of the monitors created by the first month's start
    summed by the database (one query, whatever the number of monitors) and checked
    month by month (one row of this time zone holding every day of the month for each
    of them); those of the monitors created during the months read one by one as
    :func:`integrity_of` reads them (:func:`_month_held`). A monitor whose row does not
    hold a month is
    counted for that month from the daily rollups (:func:`_daily_total`), and so are
    the partial months at the period's edges. Given a query set, only the monitors
    counted from the daily rollups are read whole."""
    now = now or timezone.now()
    query = monitors if isinstance(monitors, QuerySet) else None
    items = list(monitors) if query is None else None
    created = (
        [(m.id, m.created_at) for m in items]
        if items is not None
        else list(query.order_by().values_list("pk", "created_at"))  # type: ignore[union-attr]
    )
    months = _whole_months(start, min(end, now))
    if not months:
        totals = _daily_total(query, items, created, start, end, now)
        return integrity(Rollup(start, end, *totals))
    lo, hi = months[0][1], months[-1][2]
    totals = [0, 0, 0, 0]
    if start < lo:
        _add(totals, _daily_total(query, items, created, start, lo, now))
    if hi < end:
        _add(totals, _daily_total(query, items, created, hi, end, now))
    # The monitors created by the first month's start: their rows summed by the database
    # by month (and by start and days: those of this time zone holding each day are the
    # ones used), one for each of them in each month, else those without are read from
    # the daily rollups for that month.
    existed = [m_id for m_id, at in created if at <= lo]
    among = (
        query.filter(created_at__lte=lo).values("pk")  # type: ignore[union-attr]
        if query is not None
        else existed
    )
    held = {
        (r[0], r[1], r[2]): r[3:]
        for r in MonthlyRollup.objects.filter(
            monitor_id__in=among, month__in=[m[0] for m in months]
        )
        .order_by()
        .values("month", "start", "days")
        .annotate(n=Count("id"), **{f"sum_{c}": Sum(c) for c in ROLLUP_COUNTS})
        .values_list("month", "start", "days", "n", *(f"sum_{c}" for c in ROLLUP_COUNTS))
    }
    # Those created during the months: their rows one by one (integrity_of's).
    newer = [m_id for m_id, at in created if lo < at < hi]
    newcomers = _chosen(query, items, newer)
    sums = _monthly_sums(newcomers, months) if newcomers else {}
    for month, m0, m1, days in months:
        got = held.get((month, m0, days))
        again = []
        if got is not None:
            _add(totals, got[1:])
        if (got[0] if got is not None else 0) != len(existed):
            read = set(
                MonthlyRollup.objects.filter(
                    monitor_id__in=existed, month=month, start=m0, days=days
                ).values_list("monitor_id", flat=True)
            )
            again = [m_id for m_id in existed if m_id not in read]
        for m in newcomers:
            if (m.id, month) in sums:
                _add(totals, sums[m.id, month])
            elif m.created_at < m1:
                again.append(m.id)
        if again:
            _add(totals, _daily_of(query, items, again, m0, m1, now))
    return integrity(Rollup(start, end, *totals))


def _chosen(
    query: QuerySet[Monitor] | None, items: list[Monitor] | None, ids: list[int]
) -> list[Monitor]:
    """The monitors ``ids`` of ``query`` or ``items``."""
    if not ids:
        return []
    wanted = set(ids)
    if items is not None:
        return [m for m in items if m.id in wanted]
    return list(query.filter(pk__in=ids))  # type: ignore[union-attr]


def _daily_of(
    query: QuerySet[Monitor] | None,
    items: list[Monitor] | None,
    ids: list[int],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> list[int]:
    """:func:`_daily_total` of the monitors ``ids`` of ``query`` or ``items``."""
    chosen = _chosen(query, items, ids)
    return _daily_total(None, chosen, [(m.id, m.created_at) for m in chosen], start, end, now)


def _daily_total(
    query: QuerySet[Monitor] | None,
    items: list[Monitor] | None,
    created: list[tuple[int, dt.datetime]],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> list[int]:
    """The counts of :func:`integrity_total` from the daily rollups (``query`` or
    ``items``: the monitors; ``created``: their ids and creation times): the period's
    whole days are summed by the database per day (one query, whatever the number of
    monitors); the other days (a monitor's first day, a day cut by the period or by now)
    are read as :func:`integrity_of` reads them (a second query), a monitor's first day
    taken out of the sums. The sums are checked day by day: one stored rollup for each
    monitor that existed at the day's start and none for one created later but that
    first day, each starting at or after its day's start; else the monitors are counted
    one by one, by :func:`_counts_of`."""
    days = _day_list(start, end)
    limit = min(end, now)
    whole = [d for d in days if d[1] >= start and d[2] <= limit]
    # Each monitor's days other than the whole days it is counted in, and their rollups.
    others = _OtherDays(days, whole, start, limit)
    starts = [d[1] for d in whole]
    firsts = {m_id: bisect.bisect_left(starts, at) for m_id, at in created}
    rests = {}
    for m_id, at in created:
        rest = others.of(at, firsts[m_id] if firsts[m_id] < len(whole) else None)
        if rest:
            rests[m_id] = rest
    rolled = _stored_rollups(rests, dict(created))
    totals = [0, 0, 0, 0]
    if whole:
        among = query.values("pk") if query is not None else [m_id for m_id, _ in created]
        rows = {
            r[0]: [*r[2:7], r[1], r[7], r[8]]  # counts, n, first start, last start, early
            for r in DailyRollup.objects.filter(
                monitor_id__in=among, day__gte=whole[0][0], day__lte=whole[-1][0]
            )
            .order_by()
            .values("day")
            .annotate(
                s=Min("period_start"),
                last=Max("period_start"),
                early=Count("id", filter=Q(period_start__lt=F("monitor__created_at"))),
                n=Count("id"),
                **{f"sum_{c}": Sum(c) for c in ROLLUP_COUNTS},
            )
            .values_list("day", "s", *(f"sum_{c}" for c in ROLLUP_COUNTS), "n", "last", "early")
        }
        # A monitor's first day inside the period is not one of its whole days.
        index = {d[0]: k for k, d in enumerate(whole)}
        expected = [0] * (len(whole) + 1)
        for m_id, first in firsts.items():
            expected[first] += 1
            for day, r in rolled.get(m_id, {}).items():
                if index.get(day, len(whole)) < first and day in rows:
                    row = rows[day]
                    for k in range(4):
                        row[k] -= r[1 + k]
                    row[4] -= 1
        running = 0
        for k, (day, d0, d1) in enumerate(whole):
            running += expected[k]
            row = rows.get(day)
            # Then each row of the day is a whole day of a monitor created before it (or
            # its first day, taken out): it begins inside its day and not before its
            # monitor was created; their number is the number of those monitors.
            if (row[4] if row is not None else 0) != running or (
                row is not None and (row[5] < d0 or row[6] >= d1 or row[7])
            ):
                chosen = items if items is not None else list(query)  # type: ignore[arg-type]
                for counts in _counts_of(chosen, start, end, now).values():
                    totals = [t + c for t, c in zip(totals, counts, strict=True)]
                return totals
        for row in rows.values():
            totals = [t + c for t, c in zip(totals, row[:4], strict=True)]
    if rests:
        with_rest = (
            [m for m in items if m.id in rests]
            if items is not None
            else list(query.filter(pk__in=list(rests)))  # type: ignore[union-attr]
        )
        for m in with_rest:
            extra = _counts_by_day(m, start, end, now, rests[m.id], rolled.get(m.id, {}))
            totals = [t + e for t, e in zip(totals, extra, strict=True)]
    return totals


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
