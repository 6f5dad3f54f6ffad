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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.catalog.models import Service
from baozhang.catalog.selectors import region_services, regions
from baozhang.core.monitor_rollup import Availability, Integrity
from baozhang.desk.selectors import complaints_opened
from baozhang.incidents import selectors as incidents
from baozhang.monitoring import figures as monitoring_figures
from baozhang.monitoring.selectors import scoped_monitors, visible_monitors
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
    monitors (figures of monitors). ``customer_id`` / ``service_id`` / ``region``: one
    customer's, one service's or one region's figures (the quality report,
    baozhang/quality/report.py); a region is where services are delivered from
    (catalog's ``Service.region``) and its figures are those of its services."""

    user: Any = None
    monitor_ids: tuple[int, ...] | None = None
    customer_id: int | None = None
    service_id: int | None = None
    region: str | None = None

    @property
    def text(self) -> str:
        """The scope as ``parse_scope`` reads it: "", "customer:ID", "service:ID" or
        "region:NAME"."""
        if self.customer_id is not None:
            return f"customer:{self.customer_id}"
        if self.service_id is not None:
            return f"service:{self.service_id}"
        if self.region is not None:
            return f"region:{self.region}"
        return ""


def parse_scope(text: str) -> Scope:
    """The report's scope from ``""`` or ``operator`` (the whole operator),
    ``customer:ID``, ``service:ID`` or ``region:NAME``. Raises ValueError (bilingual) for
    anything else; whether the customer, service or region exists is ``check_scope``'s."""
    text = (text or "").strip()
    if text in ("", "operator"):
        return Scope()
    kind, sep, value = text.partition(":")
    value = " ".join(value.split())
    if sep and kind == "region" and 0 < len(value) <= 60:
        return Scope(region=value)
    if sep and kind in ("customer", "service") and value.isascii() and value.isdigit():
        number = int(value)
        if 1 <= number <= 2**31 - 1:
            if kind == "customer":
                return Scope(customer_id=number)
            return Scope(service_id=number)
    shown = repr(text[:80])
    raise ValueError(
        f"统计范围无效 {shown}（应为 operator、customer:编号、service:编号 或 region:地区名）"
        f" / invalid scope {shown} (use operator, customer:ID, service:ID or region:NAME)"
    )


def check_scope(scope: Scope) -> None:
    """Raise ValueError (bilingual) unless the scope names at most one of a customer, a
    service and a region, and that one exists."""
    named = [v for v in (scope.customer_id, scope.service_id, scope.region) if v is not None]
    if len(named) > 1:
        raise ValueError(
            "客户、服务与地区只能选其一 / give a customer, a service or a region, not several"
        )
    if scope.customer_id is not None and not (
        Organisation.objects.filter(pk=scope.customer_id, kind=OrganisationKind.CUSTOMER).exists()
    ):
        raise ValueError(f"没有客户 #{scope.customer_id} / no customer #{scope.customer_id}")
    if scope.service_id is not None and not Service.objects.filter(pk=scope.service_id).exists():
        raise ValueError(f"没有服务 #{scope.service_id} / no service #{scope.service_id}")
    if scope.region is not None and scope.region not in regions():
        raise ValueError(
            f"没有服务位于地区 {scope.region!r} / no service is delivered from region "
            f"{scope.region!r}"
        )


WHOLE_PLATFORM = Scope()


def year_to_date(period: Period) -> Period:
    """From the first of January of the period's (local) year to the period's end: the
    span of the F9 yearly software-fault target."""
    first = timezone.localtime(period.start).date().replace(month=1, day=1)
    return Period(desk.period_bounds(first, first)[0], period.end)


# -- the records of a scope (the quality report and its frozen snapshots read these) -----


def scope_incidents(scope: Scope) -> QuerySet[Any]:
    """The incidents of the scope: all, one customer's or one service's (incidents'
    ``scoped_incidents``), or those on the services of a region."""
    qs = incidents.scoped_incidents(scope.customer_id, scope.service_id)
    if scope.region is not None:
        qs = qs.filter(service__in=region_services(scope.region).values("pk"))
    return qs


def scope_monitors(scope: Scope) -> QuerySet[Any]:
    """The monitors of the scope (monitoring's ``scoped_monitors``), or those measuring a
    service of a region, by id."""
    qs = scoped_monitors(scope.customer_id, scope.service_id)
    if scope.region is not None:
        services = region_services(scope.region).values("pk")
        qs = qs.filter(pk__in=scoped_monitors().filter(services__in=services).values("pk"))
    return qs


# What the complaints of a scope are, said once (the report's note and the drill-down).
COMPLAINTS_OF_SERVICE = "a complaint does not record the service it is about / 投诉未记录所涉服务"
COMPLAINTS_OF_REGION = (
    "complaints of the customers who use a service of this region; a complaint does not "
    "record its service, so a customer with services in several regions counts in each / "
    "使用本地区服务的客户的投诉；投诉未记录所涉服务，在多个地区有服务的客户计入每个地区"
)


def scope_complaints(start: dt.datetime, end: dt.datetime, scope: Scope) -> QuerySet[Any] | None:
    """The complaints opened in [start, end) of the scope (desk's ``complaints_opened``):
    all, one customer's, or those of the customers of a region's services; None for one
    service (a complaint does not record its service: COMPLAINTS_OF_SERVICE)."""
    if scope.service_id is not None:
        return None
    qs = complaints_opened(start, end, scope.customer_id)
    if scope.region is not None:
        customers = region_services(scope.region).values("customers")
        qs = qs.filter(customer__in=customers)
    return qs


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
    return monitoring_figures.integrity_of(_monitors(scope), period.start, period.end, now=now)


def desk_measures(period: Period, scope: Scope, *, by: str = "agent") -> desk.Measures:
    """The desk measures of tickets opened and calls started in the period, one row per
    agent, group or customer (``by``), as ``scope.user`` may see them."""
    if scope.user is None:
        raise ValueError("须指明人员 / name the person whose view is measured")
    return desk.desk_measures(scope.user, period.start, period.end, by)


def desk_totals_by_period(periods: Sequence[Period], scope: Scope) -> list[Any]:
    """The desk measures' totals (core.desk_measures.Figures) of the tickets opened in
    each of ``periods``, as ``scope.user`` may see them: one read of the database for
    all the periods (a chart's weeks), the same figures as ``desk_measures`` for each."""
    if scope.user is None:
        raise ValueError("须指明人员 / name the person whose view is measured")
    return desk.totals_by_period(scope.user, [(p.start, p.end) for p in periods])


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
