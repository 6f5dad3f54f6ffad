"""The statistics that exist, each with one signature: ``(period, scope)``.

The home of the figures the quality report will gather (docs/architecture.md, "Reading
across"). Each function here reads through the owning area's public read functions and
computes with core's formulas; none keeps a second copy of a figure:

- fault statistics: incidents' :func:`~baozhang.incidents.selectors.fault_statistics`
  (shown on the incidents' page and API, which sit below quality and keep calling it);
- availability and 完好率 of monitors: monitoring's figures (core's ``availability`` and
  ``integrity``), shown on each monitor's page;
- desk measures: :mod:`baozhang.quality.desk_measures` (tickets, clocks, callbacks and the
  call log), shown on the desk measures page and API, which live here;
- agreement figures: the evaluations that sla's review service stored (sla evaluates and
  writes its reviews itself; here they are read for a period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from baozhang.core.monitor_rollup import Availability, Integrity
from baozhang.incidents import selectors as incidents
from baozhang.monitoring import figures as monitoring_figures
from baozhang.monitoring.selectors import visible_monitors
from baozhang.quality import desk_measures as desk
from baozhang.sla.selectors import visible_reviews


@dataclass(frozen=True)
class Period:
    """``[start, end)``, aware datetimes, ``end`` after ``start``."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if value.tzinfo is None:
                raise ValueError(f"{name} 须带时区 / {name} must be an aware datetime")
        if self.end <= self.start:
            raise ValueError("结束须晚于开始 / the end must be after the start")


@dataclass(frozen=True)
class Scope:
    """Whose figures. ``user``: what that person's role lets them read (None: the whole
    platform, as the operator's reports count it; figures of monitors, the desk and
    agreements are read as a person sees them and need one). ``monitor_ids``: only these
    monitors (figures of monitors). ``customer_id`` / ``service_id``: one customer's or one
    service's figures (the quality report, baozhang/quality/report.py)."""

    user: Any = None
    monitor_ids: tuple[int, ...] | None = None
    customer_id: int | None = None
    service_id: int | None = None


WHOLE_PLATFORM = Scope()


def fault_statistics(period: Period, scope: Scope = WHOLE_PLATFORM) -> list[dict[str, Any]]:
    """Faults detected in the period per classification (count, open, duration, missed
    restore targets, emergencies, yearly limit), as incidents counts them. Fault
    statistics are the operator's: the scope is the whole platform (a person or a set of
    monitors is refused with ValueError)."""
    if scope != WHOLE_PLATFORM:
        raise ValueError("故障统计针对整个平台 / fault statistics cover the whole platform")
    return incidents.fault_statistics(period.start, period.end)


def _monitors(scope: Scope) -> QuerySet[Any]:
    """The monitors of the scope, as ``scope.user`` may see them."""
    if scope.user is None:
        raise ValueError("须指明人员 / name the person whose monitors are measured")
    monitors = visible_monitors(scope.user)
    if scope.monitor_ids is not None:
        monitors = monitors.filter(pk__in=scope.monitor_ids)
    return monitors.order_by("pk")


def availability(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[int, Availability]:
    """Availability of each monitor of the scope over the period (announced maintenance
    and time not observed excluded), by monitor id."""
    ids = list(_monitors(scope).values_list("pk", flat=True))
    return monitoring_figures.availability_of(ids, period.start, period.end, now=now)


def integrity(
    period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> dict[int, Integrity]:
    """The data-collection integrity rate (完好率) of each monitor of the scope over the
    period, by monitor id."""
    return {
        monitor.pk: monitoring_figures.monitor_figures(
            monitor, period.start, period.end, now=now
        ).integrity
        for monitor in _monitors(scope)
    }


def desk_measures(period: Period, scope: Scope, *, by: str = "agent") -> desk.Measures:
    """The desk measures of tickets opened and calls started in the period, one row per
    agent, group or customer (``by``), as ``scope.user`` may see them."""
    if scope.user is None:
        raise ValueError("须指明人员 / name the person whose view is measured")
    return desk.desk_measures(scope.user, period.start, period.end, by)


def agreement_figures(period: Period, scope: Scope) -> list[dict[str, Any]]:
    """The evaluated agreement reviews whose period lies within ``period``, as
    ``scope.user`` may see them, oldest first: agreement, period, whether every target was
    met, the service credit, and the verdict of each target as sla stored it."""
    if scope.user is None:
        raise ValueError("须指明人员 / name the person whose view is read")
    reviews = (
        visible_reviews(scope.user)
        .filter(
            period_start__gte=period.start,
            period_end__lte=period.end,
            evaluated_at__isnull=False,
        )
        .select_related("agreement")
        .order_by("period_start", "pk")
    )
    return [
        {
            "agreement_id": r.agreement_id,
            "agreement": str(r.agreement),
            "period_start": r.period_start,
            "period_end": r.period_end,
            "all_met": r.all_met,
            "credit_percent": r.credit_percent,
            "credit_amount": r.credit_amount,
            "verdicts": r.verdicts,
        }
        for r in reviews
    ]
