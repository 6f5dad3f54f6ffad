"""Read queries of frozen quality reports (Q1): the versions of the records behind a
period's statistics, what changed since a report was frozen, and a report's history."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from baozhang.core.backup_manifest import canonical_value
from baozhang.core.frozen_report import FORMAT, record_version, section_digests
from baozhang.desk.models import Clock
from baozhang.desk.selectors import complaints_opened
from baozhang.incidents import selectors as incidents
from baozhang.monitoring.models import StateSpell
from baozhang.monitoring.selectors import scoped_monitors
from baozhang.quality.models import FrozenReport
from baozhang.quality.statistics import Period, Scope

# The settings of a monitor that its figures depend on (its check intervals); its live
# status is left out, since it changes with every check.
MONITOR_FIELDS = ("id", "kind", "enabled", "interval_s", "push_period_s", "push_grace_s")


def _versions(rows: Any) -> dict[str, str]:
    return {str(row["id"]): record_version(row) for row in rows}


def record_versions(period: Period, scope: Scope) -> dict[str, dict[str, str]]:
    """The version of each record that feeds the period's statistics, by kind and id:
    incidents detected in the period, complaints opened in it and their clocks, the
    scope's monitors (their check intervals) and their state spells within the period
    (clipped to it, so a spell that ends after the period does not count as a change)."""
    among = incidents.scoped_incidents(scope.customer_id, scope.service_id)
    detected = incidents.detected_between(period.start, period.end, among).order_by("pk")
    complaints = complaints_opened(period.start, period.end, scope.customer_id)
    if scope.service_id is not None:
        complaints = complaints.none()
    clocks = Clock.objects.filter(ticket__in=complaints.order_by().values("pk")).order_by("pk")
    monitors = scoped_monitors(scope.customer_id, scope.service_id)
    spells = StateSpell.objects.filter(
        Q(end__isnull=True) | Q(end__gt=period.start),
        monitor__in=monitors.values("pk"),
        start__lt=period.end,
    ).order_by("pk")
    clipped = [
        {
            "id": s["id"],
            "monitor_id": s["monitor_id"],
            "state": s["state"],
            "start": max(s["start"], period.start),
            "end": period.end if s["end"] is None else min(s["end"], period.end),
        }
        for s in spells.values("id", "monitor_id", "state", "start", "end")
    ]
    return {
        "incidents": _versions(detected.values()),
        "complaints": _versions(complaints.order_by("pk").values()),
        "clocks": _versions(clocks.values()),
        "monitors": _versions(monitors.values(*MONITOR_FIELDS)),
        "state_spells": _versions(clipped),
    }


def changed_since_frozen(frozen: FrozenReport) -> list[dict[str, str]]:
    """The records behind ``frozen`` changed since it was frozen: each with ``kind``,
    ``id`` and ``change`` ("changed", "added" — a record that now falls in the period —
    or "removed"), by kind and id."""
    period = Period(frozen.period_start, frozen.period_end)
    scope = Scope(customer_id=frozen.customer_id, service_id=frozen.service_id)
    now = record_versions(period, scope)
    found = []
    for kind in sorted(set(now) | set(frozen.records)):
        then, current = frozen.records.get(kind, {}), now.get(kind, {})
        for pk in sorted(set(then) | set(current), key=lambda k: (len(k), k)):
            if pk not in current:
                change = "removed"
            elif pk not in then:
                change = "added"
            elif then[pk] != current[pk]:
                change = "changed"
            else:
                continue
            found.append({"kind": kind, "id": pk, "change": change})
    return found


def heading(report: FrozenReport) -> tuple[dict[str, Any], dict[str, Any]]:
    """The period and scope of ``report`` as its digest covers them (times in UTC)."""
    period = {
        "label": report.period_label,
        "start": canonical_value(report.period_start),
        "end": canonical_value(report.period_end),
    }
    return period, {"customer_id": report.customer_id, "service_id": report.service_id}


def export_document(report: FrozenReport) -> dict[str, Any]:
    """``report`` as the file that ``baozhang report verify`` checks: its statistics,
    the versions of the records behind them, the digest of each section and the digest
    of the whole, who prepared and who approved it, and what it amends."""
    period, scope = heading(report)
    approval = getattr(report, "approval", None)
    return {
        "format": FORMAT,
        "id": report.pk,
        "period": period,
        "scope": scope,
        "statistics": report.statistics,
        "records": report.records,
        "sections": section_digests(report.statistics, report.records),
        "digest": report.digest,
        "prepared_by": report.prepared_by.get_username(),
        "prepared_at": canonical_value(report.prepared_at),
        "approved_by": approval.approved_by.get_username() if approval else None,
        "approved_at": canonical_value(approval.approved_at) if approval else None,
        "amends": report.amends_id,
        "reason": report.reason,
    }


def frozen_reports() -> QuerySet[FrozenReport]:
    """Every frozen report with its approval, oldest period first."""
    return FrozenReport.objects.select_related("approval", "prepared_by", "approval__approved_by")


def report_history(report: FrozenReport) -> list[FrozenReport]:
    """The original report of ``report`` followed by its amendments, in the order they
    were prepared."""
    original = report
    while original.amends_id is not None:
        original = frozen_reports().get(pk=original.amends_id)
    amendments = frozen_reports().filter(amends=original).order_by("prepared_at", "pk")
    return [original, *amendments]


def is_frozen(report: FrozenReport) -> bool:
    """Approved by a second person."""
    return hasattr(report, "approval")
