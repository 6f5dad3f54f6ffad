"""Figures of equipment and lines from the records (Q4(3), Q4(4), the inspections'
设备完好率 and 线路可用率): the one place that joins the asset register, monitoring and
incidents. The formulas are core/equipment.py's; this module reads the rows through the
owning areas (assets' scopes, monitoring's state spells, windows and region liveness,
incidents' faults on assets) and lays out the figures with the records behind them.

For each asset over a period (up to now; later time is not observed yet):

- outage: the down spells of the monitors that watch it (``Monitor.registered_assets``)
  and the incidents recorded against it (``Incident.assets``), detected to resolved;
- excluded, and shown: the announced maintenance windows of its monitors' services and
  of the services that depend on it;
- required time: 7x24, or the business time of its calendar (``required_time``).

Registered in quality's ``AppConfig.ready()`` as the report's ``equipment_downtime``
(Q4(3): servers and main equipment, count and duration, 设备完好率, and 线路可用率 of the
lines) and ``nms_interruptions`` (Q4(4): the network-management software's outages and the
gaps of this platform's own probe regions). Each figure drills down to the page
``equipment:figures`` (quality/equipment_urls.py) listing the assets with their figures.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from baozhang.assets.models import ALWAYS, MAIN_EQUIPMENT, Asset, AssetKind
from baozhang.assets.selectors import scoped_assets
from baozhang.calendars.selectors import calendar_for
from baozhang.core.equipment import (
    FleetFigures,
    UnitFigures,
    fleet,
    record_intervals,
    required_time,
    unit_figures,
)
from baozhang.core.intervals import Interval
from baozhang.core.monitor_state import MonitorStatus
from baozhang.incidents.asset_faults import equipment_faults_without_assets, faults_on_assets
from baozhang.incidents.selectors import scoped_incidents
from baozhang.maintenance.selectors import windows_for_services
from baozhang.monitoring.models import Monitor, StateSpell
from baozhang.monitoring.region_liveness import region_gaps
from baozhang.monitoring.windows import windows_for_monitors
from baozhang.quality import paths
from baozhang.quality.statistics import Period, Scope

_DOWN = str(MonitorStatus.DOWN)


@dataclass
class AssetFigures:
    """One asset's figures and the records behind them."""

    asset: Asset
    figures: UnitFigures | None  # None: the period had not begun by now
    monitor_ids: list[int] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)

    @property
    def equipment_faults(self) -> int:
        return sum(f["equipment_fault"] for f in self.faults)


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else float(value) / 100


def _pairs(through: Any, left: str, right: str, ids: list[int]) -> list[tuple[int, int]]:
    """(left, right) of a many-to-many table for the ``left`` ids. On PostgreSQL the ids
    go as one array (``= ANY(%s)``): an IN list of ten thousand placeholders cost more to
    build and parse than the rows cost to read."""
    if connection.vendor != "postgresql":
        return list(through.objects.filter(**{f"{left}__in": ids}).values_list(left, right))
    table = connection.ops.quote_name(through._meta.db_table)
    lcol = connection.ops.quote_name(through._meta.get_field(left).column)
    rcol = connection.ops.quote_name(through._meta.get_field(right).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {lcol}, {rcol} FROM {table} WHERE {lcol} = ANY(%s)", [ids])
        return cursor.fetchall()


def _monitors_of(asset_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {pk: [] for pk in asset_ids}
    for asset_id, monitor_id in _pairs(
        Monitor.registered_assets.through, "asset", "monitor", asset_ids
    ):
        out[asset_id].append(monitor_id)
    return out


def _services_of(asset_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {pk: [] for pk in asset_ids}
    for asset_id, service_id in _pairs(Asset.services.through, "asset", "service", asset_ids):
        out[asset_id].append(service_id)
    return out


def _down_spells(
    monitor_ids: list[int], start: dt.datetime, stop: dt.datetime, now: dt.datetime
) -> dict[int, list[Interval]]:
    """The down spells of the monitors overlapping ``[start, stop)`` (an open one lasts
    until ``now``), as intervals by monitor: the outages the figures count. Only the down
    spells are read (the figures count no other state). On PostgreSQL one statement, the
    monitors as one array and the moments as epoch seconds (doubles: exact to the
    microsecond for any date of ours, and read far cheaper than a timestamp's text, with
    none of Django's per-row converters); made into intervals by
    core.equipment.record_intervals."""
    if connection.vendor != "postgresql":
        rows = (
            StateSpell.objects.filter(monitor_id__in=monitor_ids, state=_DOWN, start__lt=stop)
            .filter(Q(end__isnull=True) | Q(end__gt=start))
            .order_by()
            .values_list("monitor_id", "start", "end", "reason")
        )
        return record_intervals((m, s, e or now, _DOWN, r) for m, s, e, r in rows)
    meta, q = StateSpell._meta, connection.ops.quote_name
    monitor, begin, finish, state, reason = (
        q(meta.get_field(name).column) for name in ("monitor", "start", "end", "state", "reason")
    )
    # The rows come as record_intervals takes them, (monitor, start, end, kind, reason):
    # an open spell's end is ``now`` and the kind the down state, said by the statement,
    # so that no tuple is built again per row here.
    sql = (
        f"SELECT {monitor}, EXTRACT(EPOCH FROM {begin})::float8, "
        f"COALESCE(EXTRACT(EPOCH FROM {finish})::float8, %s::float8), %s::text, {reason} "
        f"FROM {q(meta.db_table)} "
        f"WHERE {monitor} = ANY(%s) AND {state} = %s AND {begin} < %s "
        f"AND ({finish} IS NULL OR {finish} > %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now.timestamp(), _DOWN, monitor_ids, _DOWN, stop, start])
        fetched = cursor.fetchall()
    return record_intervals(fetched)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while the figures are built: a year of ten
    thousand assets makes some 300,000 objects (intervals, their lists and tuples, the
    rows), none of them in a cycle — reference counting frees them all — yet each
    allocation counts toward a collection, and every full collection walks every object
    of the process: a third of the time went there. Left as it was found (if someone
    else paused it, they restart it)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def figures_of(
    assets: Iterable[Asset], start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None
) -> list[AssetFigures]:
    """Each asset's figures over ``[start, end)``. A few queries whatever the number of
    assets: the work grows with their outages, windows and faults."""
    with _collector_paused():
        return _figures_of(assets, start, end, now=now)


def _figures_of(
    assets: Iterable[Asset], start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None
) -> list[AssetFigures]:
    now = now or timezone.now()
    items = list(assets)
    ids = [a.pk for a in items]
    stop = min(end, now)
    monitors = _monitors_of(ids)
    services = _services_of(ids)
    if stop <= start:
        return [AssetFigures(a, None, monitors[a.pk]) for a in items]
    all_monitors = sorted({m for ms in monitors.values() for m in ms})
    spells = _down_spells(all_monitors, start, stop, now)
    monitor_windows = windows_for_monitors(all_monitors, start, stop)
    all_services = sorted({s for ss in services.values() for s in ss})
    service_windows = windows_for_services(all_services, start, stop)
    faults = faults_on_assets(ids, start, stop, now=now)
    # Each calendar once (asking for one reads the schedules imported for its country).
    calendars = {key: calendar_for(key) for key in {a.required_time for a in items} - {ALWAYS}}
    # The period's required time once per calendar, not once per asset.
    required = {ALWAYS: required_time(start, stop, None)} | {
        key: required_time(start, stop, calendar) for key, calendar in calendars.items()
    }
    out = []
    for asset in items:
        outages: list[Interval] = []
        exclusions: list[Interval] = []
        for m in monitors[asset.pk]:
            outages += spells.get(m, ())
            exclusions += monitor_windows.get(m, [])
        for s in services[asset.pk]:
            exclusions += service_windows.get(s, [])
        records = faults.get(asset.pk, [])
        for f in records:
            if f["end"] > f["start"]:
                outages.append(Interval(f["start"], f["end"], "fault", f["reference"]))
        calendar = calendars.get(asset.required_time)
        figures = unit_figures(
            start=start,
            end=stop,
            outages=outages,
            exclusions=exclusions,
            calendar=calendar,
            required_time=required[asset.required_time],
        )
        out.append(AssetFigures(asset, figures, monitors[asset.pk], records))
    return out


@lru_cache(maxsize=4096)
def _excluded_row(interval: Interval) -> dict[str, str]:
    # The same few announced windows exclude time from thousands of assets: each said
    # once (the rows share it, read-only).
    return {
        "start": interval.start.isoformat(),
        "end": interval.end.isoformat(),
        "reason": interval.reason,
    }


def asset_row(item: AssetFigures) -> dict[str, Any]:
    """One asset's figures as JSON: durations in seconds, rates as fractions."""
    f = item.figures
    a = item.asset
    return {
        "asset_id": a.pk,
        "name": a.name,
        "kind": a.kind,
        "role": a.role,
        "required_time": a.required_time,
        "required_seconds": f.required_time.total_seconds() if f else 0.0,
        "excluded_seconds": f.excluded_time.total_seconds() if f else 0.0,
        "outage_count": f.outage_count if f else 0,
        "outage_seconds": f.outage_time.total_seconds() if f else 0.0,
        "availability_rate": _pct(f.percent) if f else None,
        "intact": f.intact if f else True,
        "equipment_faults": item.equipment_faults,
        "monitor_ids": item.monitor_ids,
        "incident_ids": [r["incident_id"] for r in item.faults],
        "excluded": [_excluded_row(i) for i in (f.excluded if f else ())],
    }


def fleet_row(figures: FleetFigures) -> dict[str, Any]:
    return {
        "units": figures.units,
        "intact_units": figures.intact_units,
        "count": figures.outage_count,
        "duration_seconds": figures.outage_time.total_seconds(),
        "excluded_seconds": figures.excluded_time.total_seconds(),
        "time_rate": _pct(figures.time_percent),
        "unit_rate": _pct(figures.unit_percent),
    }


def _scope_args(scope: Scope) -> dict[str, Any]:
    return {"customer_id": scope.customer_id, "service_id": scope.service_id}


# What the report's figures read of each asset (asset_row, the kinds): ten thousand
# assets read without their places and owners, which it never shows.
_ROW_FIELDS = ("id", "name", "kind", "role", "required_time")


def _report_assets(scope: Scope, **kinds: Any) -> QuerySet[Asset]:
    return scoped_assets(**kinds, **_scope_args(scope)).select_related(None).only(*_ROW_FIELDS)


def drill_down_url(period: Period, scope: Scope, group: str) -> str:
    """The page listing the assets behind a figure, with their figures."""
    query = f"start={period.start.isoformat()}&end={period.end.isoformat()}&group={group}"
    if scope.customer_id is not None:
        query += f"&customer={scope.customer_id}"
    if scope.service_id is not None:
        query += f"&service={scope.service_id}"
    return f"/{paths.EQUIPMENT_FIGURES}?" + query.replace("+", "%2B")


def equipment_downtime(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Q4(3): downtime of servers and main equipment (count, duration), their 设备完好率
    (time and units), per kind, and the 线路可用率 of the lines, with every asset's
    figures as the records behind them. Incidents classed as equipment faults that name
    no asset (recorded before the register, or by hand) still count, as
    ``unattributed_faults``."""
    with _collector_paused():  # the figures and their rows: see _collector_paused
        return _equipment_downtime(period, scope, now=now or timezone.now())


def _equipment_downtime(period: Period, scope: Scope, *, now: dt.datetime) -> dict[str, Any]:
    equipment = figures_of(
        _report_assets(scope, kinds=MAIN_EQUIPMENT), period.start, period.end, now=now
    )
    lines = figures_of(
        _report_assets(scope, kind=AssetKind.LINE), period.start, period.end, now=now
    )
    counted = [i.figures for i in equipment if i.figures is not None]
    whole = fleet(counted)
    kinds: dict[str, list[UnitFigures]] = {}
    for item in equipment:
        if item.figures is not None:
            kinds.setdefault(item.asset.kind, []).append(item.figures)
    line_fleet = fleet([i.figures for i in lines if i.figures is not None])
    unattributed = equipment_faults_without_assets(
        period.start,
        period.end,
        now=now,
        among=scoped_incidents(scope.customer_id, scope.service_id),
    )
    return {
        "source": "configured",
        "count": whole.outage_count + len(unattributed),
        "duration_seconds": whole.outage_time.total_seconds()
        + sum(u["duration_seconds"] for u in unattributed),
        "register_count": whole.outage_count,
        "register_duration_seconds": whole.outage_time.total_seconds(),
        "unattributed_faults": unattributed,
        "units": whole.units,
        "intact_units": whole.intact_units,
        "excluded_seconds": whole.excluded_time.total_seconds(),
        "intact_time_rate": _pct(whole.time_percent),
        "intact_unit_rate": _pct(whole.unit_percent),
        "equipment_faults": sum(i.equipment_faults for i in equipment),
        "line_availability_rate": _pct(line_fleet.time_percent),
        "by_kind": {k: fleet_row(fleet(v)) for k, v in sorted(kinds.items())},
        "assets": [asset_row(i) for i in equipment],
        "lines": [asset_row(i) for i in lines],
        "records_url": drill_down_url(period, scope, "equipment"),
        "note": (
            "servers and main equipment of the asset register, announced maintenance "
            "excluded, and equipment faults that name no asset / 资产登记中的服务器及主要设备"
            "（已公告的维护时间不计）及未关联资产的设备故障"
        ),
    }


def nms_interruptions(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Q4(4): interruptions of the network-management software, count and duration: the
    outages of the assets of kind network-management software, and the gaps of this
    platform's own probe regions (a region that stopped reporting). The regions are the
    platform's, so they count whatever the scope."""
    now = now or timezone.now()
    software = figures_of(
        _report_assets(scope, kind=AssetKind.NMS), period.start, period.end, now=now
    )
    regions = region_gaps(period.start, period.end, now=now)
    gaps = [
        {
            "region": r.region,
            "start": g.start.isoformat(),
            "end": g.end.isoformat(),
            "duration_seconds": g.duration.total_seconds(),
        }
        for r in regions
        for g in r.gaps
    ]
    software_count = sum(i.figures.outage_count for i in software if i.figures)
    software_seconds = sum(i.figures.outage_time.total_seconds() for i in software if i.figures)
    gap_seconds = sum(g["duration_seconds"] for g in gaps)
    return {
        "source": "configured",
        "count": software_count + len(gaps),
        "duration_seconds": software_seconds + gap_seconds,
        "software_count": software_count,
        "software_duration_seconds": software_seconds,
        "region_gap_count": len(gaps),
        "region_gap_duration_seconds": gap_seconds,
        "software": [asset_row(i) for i in software],
        "region_gaps": gaps,
        "regions_observed_from": {r.region: r.observed_from.isoformat() for r in regions},
        "records_url": drill_down_url(period, scope, "nms"),
        "note": (
            "network-management software of the asset register and gaps of the probe "
            "regions (over the raw results kept) / 资产登记中的网管软件中断及探测区域未报告时段"
            "（按保留的原始结果）"
        ),
    }


def register_report_providers() -> None:
    """Called from quality's ``AppConfig.ready()``: the report's statistics (3) and (4),
    and an asset's availability on its page (assets/asset_page.py)."""
    from baozhang.assets.asset_page import contribute
    from baozhang.quality.equipment_views import asset_availability
    from baozhang.quality.report import register

    register("equipment_downtime", lambda period, scope: equipment_downtime(period, scope))
    register("nms_interruptions", lambda period, scope: nms_interruptions(period, scope))
    contribute(asset_availability)
