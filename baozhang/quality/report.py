"""The quality statistics of the report to the competent authority (Q4, Q5), as JSON.

:func:`quality_report` gathers, for a :class:`~baozhang.quality.statistics.Period` and a
:class:`~baozhang.quality.statistics.Scope` (the whole operator, one customer, one
service or one region: the services delivered from it), one entry per statistic under stable keys:

``server_faults``
    Q4 (1): incidents detected in the period (all classes), count and total duration, as
    incidents' :func:`~baozhang.incidents.selectors.fault_statistics` counts them (an
    incident belongs to the period it was detected in; its duration runs to its
    restoration, or to the period's end while it is open).
``collection_integrity``
    Q4 (2): 完好率 = (periods − abnormal) / periods over the scope's monitors, each
    monitor's periods as monitoring's :func:`~baozhang.monitoring.figures.monitor_figures`
    counts them.
``equipment_downtime``
    Q4 (3): incidents classed "equipment fault" (fault statistics' row) until the asset
    register provides per-equipment figures.
``nms_interruptions``, ``site_information``, ``information_security``
    Q4 (4), (5), (6): no source yet.
``emergency_events``
    Q4 (7): incidents recorded as emergency events, with the procedure applied.
``complaints``
    Q4 (8): complaints opened in the period, by category and channel; the share answered
    within the complaint limit (the desk's resolution clock of a complaint, 10 working
    days, DESK_COMPLAINT_LIMIT); satisfaction as the desk measures count it;
    ``improvement_actions``: the corrective and preventive actions of those complaints'
    cause analyses, by state, with the records (quality/analysis_report.py).
``operating_quality``
    Q5, F8, F9: faults, their duration, major outages, the classes, responsibility, and
    the F9 targets with whether they were met.
``analysis``
    Q2, S4: the causes of the period's faults and upheld complaints from their cause
    analyses (baozhang/analysis): the Pareto of cause categories with cumulative
    shares, the trend over the previous 3 periods of the same length, repeats (same
    service and cause), and the state of the actions; its keys are documented in
    quality/analysis_report.py.

Each entry has ``source``: ``"configured"`` or ``"none"``; an entry without a source
carries ``note`` ("no source configured / 未配置数据来源") and no figure. Durations are
seconds, rates fractions (0–1).

Where a future area plugs in: the statistics of PLUGGABLE have a registry here,
:func:`register`. An area that gains their records (the asset register:
``equipment_downtime``; the network-management software's own log: ``nms_interruptions``;
published content: ``site_information``; security operations: ``information_security``)
sits below quality in the ranking (docs/architecture.md) and may not import it, so it adds
a read function of its own (``selectors.py``, ``(start, end, customer_id, service_id) ->
dict`` of figures) and quality's ``AppConfig.ready()`` registers it with one line,
``register("information_security", <a function calling that read>)``. From then on the
statistic is ``"configured"`` with those figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from baozhang.core.desk_measures import TicketFacts, measure, ratio
from baozhang.desk.models import ClockKind, ClockState
from baozhang.desk.selectors import clock_outcomes
from baozhang.incidents import selectors as incidents
from baozhang.incidents.models import Classification, Responsibility
from baozhang.monitoring import figures as monitoring_figures
from baozhang.quality import analysis_report
from baozhang.quality import desk_measures as desk
from baozhang.quality.statistics import (
    COMPLAINTS_OF_REGION,
    COMPLAINTS_OF_SERVICE,
    Period,
    Scope,
    scope_complaints,
    scope_incidents,
    scope_monitors,
    year_to_date,
)

NO_SOURCE = "no source configured / 未配置数据来源"

KEYS = (
    "server_faults",
    "collection_integrity",
    "equipment_downtime",
    "nms_interruptions",
    "site_information",
    "information_security",
    "emergency_events",
    "complaints",
    "operating_quality",
    "analysis",
)

Provider = Callable[[Period, Scope], dict[str, Any]]

# Statistics a future area provides (see the module's docstring), by key.
PLUGGABLE = ("equipment_downtime", "nms_interruptions", "site_information", "information_security")
_PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Let ``provider(period, scope)`` give the figures of statistic ``key`` (one of
    PLUGGABLE); it replaces what the report computed for it before."""
    if key not in PLUGGABLE:
        raise ValueError(f"未知统计项 {key!r} / unknown statistic {key!r}")
    _PROVIDERS[key] = provider


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def none(note: str = NO_SOURCE) -> dict[str, Any]:
    return {"source": "none", "note": note}


# -- periods ----------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DATES = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def _last_of_month(year: int, month: int) -> dt.date:
    return desk.month_of(dt.date(year, month, 1))[1]


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter), ``2026`` (a year) or
    ``2026-11-01..2026-11-30`` (local dates, both inclusive), in the current time zone.
    Raises ValueError (bilingual) for anything else."""
    text = text.strip()
    try:
        if m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            first, last = dt.date(year, month, 1), _last_of_month(year, month)
        elif m := _QUARTER.match(text):
            year, q = int(m[1]), int(m[2])
            first, last = dt.date(year, 3 * q - 2, 1), _last_of_month(year, 3 * q)
        elif m := _YEAR.match(text):
            first, last = dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
        elif m := _DATES.match(text):
            first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        else:
            raise ValueError(text)
        start, end = desk.period_bounds(first, last)
    except ValueError:
        raise ValueError(
            f"统计期无效 {text!r}（应为 2026-11、2026-Q4、2026 或 2026-11-01..2026-11-30）"
            f" / invalid period {text!r} (use 2026-11, 2026-Q4, 2026 or "
            f"2026-11-01..2026-11-30)"
        ) from None
    return Period(start, end)


# -- the statistics -----------------------------------------------------------------------


def _seconds(value: dt.timedelta) -> float:
    return value.total_seconds()


def _scoped_incidents(scope: Scope) -> Any:
    return scope_incidents(scope)


# What several statistics of one report read, computed once per report (quality_report):
# the fault rows of a period and scope (faults, operating quality, the year to date).
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("quality_report_shared", default=None)


def _fault_rows(period: Period, scope: Scope) -> dict[str, dict[str, Any]]:
    """Incidents' fault statistics of the period and scope, by class (read only)."""
    shared, key = _SHARED.get(), ("fault_rows", period, scope)
    if shared is not None and key in shared:
        return shared[key]  # type: ignore[no-any-return]
    rows = incidents.fault_statistics(period.start, period.end, among=_scoped_incidents(scope))
    found = {r["classification"]: r for r in rows}
    if shared is not None:
        shared[key] = found
    return found


def server_faults(period: Period, scope: Scope) -> dict[str, Any]:
    rows = _fault_rows(period, scope).values()
    return {
        "source": "configured",
        "count": sum(r["count"] for r in rows),
        "open": sum(r["open"] for r in rows),
        "duration_seconds": _seconds(sum((r["duration"] for r in rows), dt.timedelta())),
    }


# What the 完好率 of a monitor depends on (monitoring.figures.collection_interval and the
# days after its creation), and its name for a list: the rest of a monitor is not read.
INTEGRITY_FIELDS = ("pk", "name", "created_at", "kind", "interval_s", "push_period_s")


def integrity_monitors(scope: Scope) -> Any:
    """The scope's monitors (by id), with what their 完好率 is computed from."""
    return scope_monitors(scope).only(*INTEGRITY_FIELDS)


def collection_integrity_totals(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Q4 (2)'s figure: the periods, abnormal and excluded periods of the scope's monitors
    added up (monitoring's ``integrity_total``: the sum of each monitor's, read without a
    row per monitor), and their 完好率. The report and its monitors' list show this."""
    total = monitoring_figures.integrity_total(
        integrity_monitors(scope), period.start, period.end, now=now or timezone.now()
    )
    return {
        "periods": total.periods,
        "abnormal": total.abnormal,
        "excluded": total.excluded,
        "rate": ratio(total.periods - total.abnormal, total.periods),
    }


def monitor_integrity(
    monitors: Any, period: Period, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Each of ``monitors``' periods, abnormal and excluded periods in the period
    (monitoring's ``integrity_of``), in their order."""
    rates = monitoring_figures.integrity_of(
        monitors, period.start, period.end, now=now or timezone.now()
    )
    return [
        {
            "monitor_id": monitor_id,
            "periods": i.periods,
            "abnormal": i.abnormal,
            "excluded": i.excluded,
        }
        for monitor_id, i in rates.items()
    ]


def collection_integrity(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "source": "configured",
        **collection_integrity_totals(period, scope, now=now),
        "monitors": monitor_integrity(integrity_monitors(scope), period, now=now),
    }


def equipment_downtime(period: Period, scope: Scope) -> dict[str, Any]:
    row = _fault_rows(period, scope)[Classification.EQUIPMENT_FAULT]
    return {
        "source": "configured",
        "count": row["count"],
        "duration_seconds": _seconds(row["duration"]),
        "note": (
            "incidents classed as equipment faults; per-equipment figures await the asset "
            "register / 按设备故障分类的事件统计；分设备数据待资产登记接入"
        ),
    }


def emergency_events(period: Period, scope: Scope) -> dict[str, Any]:
    records = [
        {
            "incident_id": r["pk"],
            "reference": r["reference"],
            "title": r["title"],
            "severity": r["severity"],
            "classification": r["classification"],
            "detected_at": r["detected_at"].isoformat(),
            "resolved_at": r["resolved_at"].isoformat() if r["resolved_at"] else None,
            "plan_used": r["plan_used"] or None,
            "emergency_plan_id": r["emergency_plan_id"],
        }
        for r in incidents.emergency_events(period.start, period.end, _scoped_incidents(scope))
    ]
    return {
        "source": "configured",
        "count": len(records),
        "without_plan": sum(r["plan_used"] is None for r in records),
        "records": records,
    }


def complaints(period: Period, scope: Scope) -> dict[str, Any]:
    qs = scope_complaints(period.start, period.end, scope)
    if qs is None:
        return none(COMPLAINTS_OF_SERVICE)
    rows = list(qs.order_by().values_list("pk", "rating", "category__name", "channel"))
    outcomes = [
        state
        for stopped, state in clock_outcomes(qs, ClockKind.RESOLUTION)
        if desk.settled(stopped, state)
    ]
    met = sum(state == ClockState.MET for state in outcomes)
    # Satisfaction as the desk measures count it (each complaint's rating and callbacks,
    # desk.answer_scores; core's measure); nothing else of the measures is read here.
    callbacks = desk.callback_scores(qs.order_by().values("pk"))
    figures = measure(
        TicketFacts(scores=desk.answer_scores(rating, callbacks[pk]))
        for pk, rating, _c, _ch in rows
    )
    return {
        "source": "configured",
        **({"note": COMPLAINTS_OF_REGION} if scope.region is not None else {}),
        "count": len(rows),
        "by_category": dict(sorted(Counter(r[2] or "" for r in rows).items())),
        "by_channel": dict(sorted(Counter(r[3] for r in rows).items())),
        "answered": {
            "settled": len(outcomes),
            "within_limit": met,
            "share_within_limit": ratio(met, len(outcomes)),
            "pending": len(rows) - len(outcomes),
        },
        "satisfaction": {
            "answers": figures.satisfaction_count,
            "average": figures.satisfaction,
        },
        "improvement_actions": analysis_report.improvement_actions(
            _analysis_subjects(period, scope)
        ),
    }


def operating_quality(period: Period, scope: Scope) -> dict[str, Any]:
    among = _scoped_incidents(scope)
    rows = _fault_rows(period, scope)
    software = rows[Classification.SOFTWARE]
    limit = software["limit"]
    software_ytd = _fault_rows(year_to_date(period), scope)[Classification.SOFTWARE]["count"]
    missed = sum(r["missed"] for r in rows.values())
    responsibility = incidents.responsibility_counts(period.start, period.end, among)
    return {
        "source": "configured",
        "fault_count": sum(r["count"] for r in rows.values()),
        "fault_duration_seconds": _seconds(
            sum((r["duration"] for r in rows.values()), dt.timedelta())
        ),
        "major_outages": rows[Classification.MAJOR_OUTAGE]["count"],
        "by_class": {
            key: {"count": r["count"], "duration_seconds": _seconds(r["duration"])}
            for key, r in rows.items()
        },
        "responsibility": {
            "inside": responsibility[Responsibility.INSIDE],
            "outside": responsibility[Responsibility.OUTSIDE],
        },
        "targets": {
            "software_faults": {
                "in_period": software["count"],
                "year_to_date": software_ytd,
                "limit_per_year": limit,
                "met": limit is None or software_ytd <= limit,
            },
            "recovery": {
                "restore_targets_missed": missed,
                "note": (
                    "against each incident's restore target (30 minutes for a critical "
                    "fault) / 按各事件的恢复时限统计（严重故障 30 分钟）"
                ),
                "met": missed == 0,
            },
        },
    }


def _analysis_subjects(period: Period, scope: Scope) -> dict[str, Any]:
    """The period's faults and complaints of the scope, for cause analysis' figures."""
    return analysis_report.subjects_of(
        period,
        _scoped_incidents(scope),
        scope_complaints(period.start, period.end, scope),
        scope.service_id,
    )


def analysis(period: Period, scope: Scope) -> dict[str, Any]:
    """Q2, S4: causes, trend, repeats and actions (quality/analysis_report.py)."""
    return analysis_report.causes(period, lambda p: _analysis_subjects(p, scope))


_BUILT_IN: dict[str, Callable[[Period, Scope], dict[str, Any]]] = {
    "server_faults": server_faults,
    "equipment_downtime": equipment_downtime,
    "emergency_events": emergency_events,
    "complaints": complaints,
    "operating_quality": operating_quality,
    "analysis": analysis,
}


def quality_report(
    period: Period, scope: Scope, *, now: dt.datetime | None = None, label: str = ""
) -> dict[str, Any]:
    """Every statistic of the period and scope, under the stable keys of KEYS."""
    report: dict[str, Any] = {
        "period": {
            "label": label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "scope": {
            "customer_id": scope.customer_id,
            "service_id": scope.service_id,
            "region": scope.region,
        },
    }
    token = _SHARED.set({})
    try:
        _statistics(report, period, scope, now)
    finally:
        _SHARED.reset(token)
    return report


def _statistics(
    report: dict[str, Any], period: Period, scope: Scope, now: dt.datetime | None
) -> None:
    for key in KEYS:
        if key in _PROVIDERS:
            report[key] = {"source": "configured", **_PROVIDERS[key](period, scope)}
        elif key == "collection_integrity":
            report[key] = collection_integrity(period, scope, now=now)
        elif key in _BUILT_IN:
            report[key] = _BUILT_IN[key](period, scope)
        else:
            report[key] = none()
