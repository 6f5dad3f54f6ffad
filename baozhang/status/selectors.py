"""The public facts of the status page, read in a fixed handful of queries whatever the
number of services, days or incidents, and computed with core's interval arithmetic.

Nothing here knows who asks: everything returned is public (public services, public
incidents and their public updates, maintenance of public services). Customers, monitor
targets and internal notes never leave this module.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q

from baozhang.core.intervals import Interval, clip, merge, subtract, total
from baozhang.core.monitor_rollup import availability

#: How many days of bars the page shows.
DAYS = 90
#: How far back resolved incidents stay on the page.
RECENT_INCIDENT_DAYS = 14
#: How far ahead scheduled maintenance is shown.
MAINTENANCE_AHEAD_DAYS = 30

_ZERO = dt.timedelta(0)
_DOWN, _MAINTENANCE, _UNKNOWN, _UP = "down", "maintenance", "unknown", "up"
_KNOWN = frozenset({_UP, _DOWN, _MAINTENANCE})


class ServiceState(StrEnum):
    OPERATIONAL = "operational"
    MAINTENANCE = "maintenance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    NO_DATA = "no_data"


# Worst first: the overall banner is the worst state of any service.
_SEVERITY = (
    ServiceState.MAJOR_OUTAGE,
    ServiceState.PARTIAL_OUTAGE,
    ServiceState.MAINTENANCE,
    ServiceState.OPERATIONAL,
)


class DayState(StrEnum):
    UP = "up"  # observed, no downtime
    DOWN = "down"  # some downtime counted
    MAINTENANCE = "maintenance"  # everything observed was maintenance
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class Day:
    """One bar: a calendar day in the operator's time zone (today up to ``now``).

    ``percent`` is the availability of the time observed outside maintenance (None when
    there is none); ``downtime`` the down time counted; ``maintenance`` the maintenance
    time excluded; ``state`` what colour the bar is."""

    date: dt.date
    state: DayState
    percent: Decimal | None
    downtime: dt.timedelta
    maintenance: dt.timedelta


@dataclass(frozen=True, slots=True)
class Uptime:
    """One service's bars, oldest first, and its availability over all of them."""

    days: tuple[Day, ...]
    percent: Decimal | None
    downtime: dt.timedelta
    maintenance: dt.timedelta


def time_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(
    now: dt.datetime, days: int = DAYS
) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """``days`` calendar days ending with today (in the operator's time zone), oldest
    first, as (date, start, end); today ends at ``now``."""
    tz = time_zone()
    today = now.astimezone(tz).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        out.append((day, start, min(end, now)))
    return out


def _service_intervals(
    spells: Iterable[tuple[str, dt.datetime, dt.datetime | None]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[Interval]:
    """The intervals of a service from all its monitors' spells over ``[start, end)``:
    down while any monitor was down, maintenance while any was in maintenance, and
    ``unknown`` while none of them had a known state (no data)."""
    down: list[Interval] = []
    maintenance: list[Interval] = []
    known: list[Interval] = []
    for state, s_start, s_end in spells:
        lo, hi = max(s_start, start), min(s_end or end, end)
        if lo >= hi:
            continue
        item = Interval(lo, hi, state)
        if state in _KNOWN:
            known.append(item)
        if state == _DOWN:
            down.append(item)
        elif state == _MAINTENANCE:
            maintenance.append(item)
    unknown = subtract([Interval(start, end, _UNKNOWN)], merge(known)) if start < end else ()
    return [*merge(down), *merge(maintenance), *unknown]


def _day(
    date: dt.date,
    intervals: Sequence[Interval],
    windows: Sequence[Interval],
    start: dt.datetime,
    end: dt.datetime,
) -> Day:
    if start >= end:
        return Day(date, DayState.NO_DATA, None, _ZERO, _ZERO)
    result = availability(intervals, start=start, end=end, exclusions=windows)
    maintenance = total(
        merge(i for i in clip([*intervals, *windows], start, end) if i.kind == _MAINTENANCE)
    )
    unobserved = total(clip([i for i in intervals if i.kind == _UNKNOWN], start, end))
    if unobserved >= end - start:
        state = DayState.NO_DATA
    elif result.percent is None:
        state = DayState.MAINTENANCE if maintenance > _ZERO else DayState.NO_DATA
    elif result.downtime > _ZERO:
        state = DayState.DOWN
    else:
        state = DayState.UP
    return Day(date, state, result.percent, result.downtime, maintenance)


def _by_day(
    intervals: Iterable[Interval], bounds: Sequence[tuple[dt.date, dt.datetime, dt.datetime]]
) -> list[list[Interval]]:
    """``intervals`` handed out to the days they touch, so that each day looks only at its
    own: work in proportion to intervals plus days, not their product."""
    starts = [lo for _d, lo, _hi in bounds]
    out: list[list[Interval]] = [[] for _ in bounds]
    for item in intervals:
        n = max(bisect_right(starts, item.start) - 1, 0)
        while n < len(bounds) and bounds[n][1] < item.end:
            if item.start < bounds[n][2]:
                out[n].append(item)
            n += 1
    return out


def uptime(
    service_monitors: dict[int, list[int]],
    spells: Iterable[tuple[int, str, dt.datetime, dt.datetime | None]],
    windows: dict[int, list[Interval]],
    now: dt.datetime,
    days: int = DAYS,
) -> dict[int, Uptime]:
    """Daily availability of each service (key of ``service_monitors``, the ids of its
    monitors) from its monitors' ``spells`` (monitor id, state, start, end or None while it
    lasts) and its maintenance ``windows``. No queries: see :func:`public_uptime`.

    A day counts down time while any monitor of the service was down; maintenance (spells
    in maintenance, scheduled windows) is excluded and reported; time when no monitor had
    a known state is not observed and excluded too. A day with nothing observed has no
    data."""
    bounds = day_bounds(now, days)
    first, last = bounds[0][1], now
    by_monitor: dict[int, list[tuple[str, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for monitor_id, state, start, end in spells:
        by_monitor[monitor_id].append((state, start, end))
    out: dict[int, Uptime] = {}
    for service_id, monitor_ids in service_monitors.items():
        own = [s for m in monitor_ids for s in by_monitor.get(m, ())]
        intervals = _service_intervals(own, first, last) if first < last else []
        excluded = windows.get(service_id, [])
        per_day = _by_day(intervals, bounds)
        windows_per_day = _by_day(excluded, bounds)
        bars = tuple(
            _day(d, per_day[n], windows_per_day[n], lo, hi) for n, (d, lo, hi) in enumerate(bounds)
        )
        if first < last:
            whole = availability(intervals, start=first, end=last, exclusions=excluded)
            percent, downtime = whole.percent, whole.downtime
        else:
            percent, downtime = None, _ZERO
        out[service_id] = Uptime(bars, percent, downtime, sum((b.maintenance for b in bars), _ZERO))
    return out


def service_state(statuses: Sequence[str], in_maintenance: bool) -> ServiceState:
    """The state now of a service from its enabled monitors' statuses: any down is an
    outage (major if all are down); else maintenance (a monitor in maintenance, or a
    window in progress); else operational; no monitors, or none with a known status, is
    no data."""
    if statuses and all(s == _DOWN for s in statuses):
        return ServiceState.MAJOR_OUTAGE
    if _DOWN in statuses:
        return ServiceState.PARTIAL_OUTAGE
    if in_maintenance or _MAINTENANCE in statuses:
        return ServiceState.MAINTENANCE
    if not statuses or all(s == _UNKNOWN for s in statuses):
        return ServiceState.NO_DATA
    return ServiceState.OPERATIONAL


def overall_state(states: Iterable[ServiceState]) -> ServiceState:
    """The worst state of any service; no data when no service has any."""
    found = set(states)
    for state in _SEVERITY:
        if state in found:
            return state
    return ServiceState.NO_DATA


# -- the reads ------------------------------------------------------------------------------


def public_uptime(service_ids: Sequence[int], now: dt.datetime, days: int = DAYS) -> Any:
    """(enabled monitors and statuses per service, :class:`Uptime` per service) for the
    given public services over ``days`` days up to ``now``. Three queries: the monitors,
    every spell of all of them over the period, and the maintenance windows."""
    from baozhang.maintenance.selectors import windows_for_services
    from baozhang.monitoring.models import Monitor, StateSpell

    monitors: dict[int, list[int]] = {sid: [] for sid in service_ids}
    statuses: dict[int, list[str]] = {sid: [] for sid in service_ids}
    rows = Monitor.services.through.objects.filter(
        service_id__in=service_ids, monitor__enabled=True
    ).values_list("service_id", "monitor_id", "monitor__status")
    for service_id, monitor_id, status in rows:
        monitors[service_id].append(monitor_id)
        statuses[service_id].append(status)
    first = day_bounds(now, days)[0][1]
    all_monitors = {m for ids in monitors.values() for m in ids}
    spells = StateSpell.objects.filter(
        Q(end__isnull=True) | Q(end__gt=first),
        monitor_id__in=all_monitors,
        start__lt=now,
    ).values_list("monitor_id", "state", "start", "end")
    windows = windows_for_services(service_ids, first, now)
    return statuses, uptime(monitors, list(spells), windows, now, days)


def operator_name() -> str:
    from baozhang.accounts.models import Organisation, OrganisationKind

    org = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).only("name").first()
    return org.name if org else ""


def public_services() -> list[Any]:
    from baozhang.catalog.models import Service

    return list(Service.objects.filter(is_public=True).only("id", "name", "name_en", "slug"))


def public_incidents(now: dt.datetime, days: int = RECENT_INCIDENT_DAYS) -> list[Any]:
    """Public incidents of public services that are open, or were detected or resolved in
    the last ``days`` days, newest first, each with only its public updates (newest first)
    prefetched as ``public_updates``. Two queries."""
    from baozhang.incidents.models import OPEN_STATUSES, Incident, IncidentUpdate

    since = now - dt.timedelta(days=days)
    return list(
        Incident.objects.filter(is_public=True, service__is_public=True)
        .filter(Q(status__in=OPEN_STATUSES) | Q(resolved_at__gte=since) | Q(detected_at__gte=since))
        .filter(detected_at__lte=now)
        .select_related("service")
        .only(
            "id",
            "reference",
            "title",
            "source",
            "status",
            "severity",
            "detected_at",
            "resolved_at",
            "service__id",
            "service__name",
            "service__name_en",
            "service__slug",
        )
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=IncidentUpdate.objects.filter(is_public=True)
                .only("id", "incident_id", "at", "status", "message", "text_id", "params")
                .order_by("-at", "-id"),
                to_attr="public_updates",
            )
        )
        .order_by("-detected_at", "-id")
    )


def public_maintenance(now: dt.datetime, days: int = MAINTENANCE_AHEAD_DAYS) -> list[Any]:
    """Scheduled maintenance in progress or ahead within ``days`` days that touches at
    least one public service, each with ``public_services`` (its public services only).
    Two queries."""
    from baozhang.catalog.models import Service
    from baozhang.maintenance.selectors import upcoming

    windows = list(
        upcoming(now, days)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.filter(is_public=True).only(
                    "id", "name", "name_en", "slug"
                ),
                to_attr="public_services",
            )
        )
    )
    return [w for w in windows if w.public_services]


def _public_titles(incident: Any) -> tuple[str, str]:
    from baozhang.incidents.public import public_titles

    titles = public_titles(incident)
    return titles["zh"], titles["en"]


def _percent(value: Decimal | None) -> str | None:
    # Rounded down, so 99.9996 % never shows as 100.000 %.
    from decimal import ROUND_DOWN

    return None if value is None else str(value.quantize(Decimal("0.001"), rounding=ROUND_DOWN))


def _names(service: Any) -> dict[str, str]:
    return {"slug": service.slug, "name": service.name, "name_en": service.name_en or service.name}


def snapshot(now: dt.datetime, days: int = DAYS) -> dict[str, Any]:
    """Every public fact of the status page as plain data (no model objects), the same
    for every visitor and language: the page and status.json are both made from it.

    ``services``: each public service with its ``state`` now, its 90-day ``uptime``
    (percent as a string rounded down to 0.001, or None) and its ``days`` (oldest first);
    ``incidents``: open and recent public incidents with their public updates;
    ``maintenance``: scheduled maintenance in progress or ahead, with its public services
    only. A constant number of queries, whatever the number of services, days or
    incidents."""
    from baozhang.incidents.models import text_in

    services = public_services()
    ids = [s.pk for s in services]
    statuses, uptimes = public_uptime(ids, now, days)
    windows = public_maintenance(now)
    under_way = {s.pk for w in windows if w.start <= now for s in w.public_services}
    rows = []
    for service in services:
        up = uptimes[service.pk]
        state = service_state(statuses[service.pk], service.pk in under_way)
        rows.append(
            {
                **_names(service),
                "state": str(state),
                "uptime": _percent(up.percent),
                "downtime_s": int(up.downtime.total_seconds()),
                "maintenance_s": int(up.maintenance.total_seconds()),
                "days": [
                    {
                        "date": d.date,
                        "state": str(d.state),
                        "percent": _percent(d.percent),
                        "downtime_s": int(d.downtime.total_seconds()),
                        "maintenance_s": int(d.maintenance.total_seconds()),
                    }
                    for d in up.days
                ],
            }
        )
    incidents = [
        {
            "reference": i.reference,
            # The public title: for monitoring's incidents the service and the kind of
            # fault, never the probe's error text (incidents.public).
            **dict(zip(("title", "title_en"), _public_titles(i), strict=True)),
            "service": _names(i.service),
            "status": i.status,
            "is_open": i.is_open,
            "severity": i.severity,
            "detected_at": i.detected_at,
            "resolved_at": i.resolved_at,
            # what each update says, in Chinese (``message``) and English (``message_en``)
            "updates": [
                {
                    "at": u.at,
                    "status": u.status,
                    "message": text_in(u, "zh-hans"),
                    "message_en": text_in(u, "en"),
                }
                for u in i.public_updates
            ],
        }
        for i in public_incidents(now)
    ]
    maintenance = [
        {
            "title": w.title,
            "title_en": w.title_en or w.title,
            "description": w.description,
            "start": w.start,
            "end": w.end,
            "is_emergency": w.is_emergency,
            "in_progress": w.start <= now,
            "services": [_names(s) for s in w.public_services],
        }
        for w in windows
    ]
    return {
        "operator": operator_name(),
        "generated_at": now,
        "state": str(overall_state(ServiceState(r["state"]) for r in rows)),
        "days": days,
        "services": rows,
        "incidents": incidents,
        "maintenance": maintenance,
    }
