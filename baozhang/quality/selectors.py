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
from baozhang.quality.models import FrozenReport
from baozhang.quality.statistics import (
    Period,
    Scope,
    scope_complaints,
    scope_incidents,
    scope_monitors,
)

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
    among = scope_incidents(scope)
    detected = incidents.detected_between(period.start, period.end, among).order_by("pk")
    complaints = scope_complaints(period.start, period.end, scope)
    if complaints is None:
        complaints = complaints_opened(period.start, period.end).none()
    clocks = Clock.objects.filter(ticket__in=complaints.order_by().values("pk")).order_by("pk")
    monitors = scope_monitors(scope)
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


def latest_frozen(period: Period, scope: Scope) -> FrozenReport | None:
    """The latest approved report (an original or an amendment) of exactly this period and
    scope, or None. A region's report is not frozen (services.prepare_frozen_report)."""
    if scope.region is not None:
        return None
    return (
        frozen_reports()
        .filter(
            period_start=period.start,
            period_end=period.end,
            customer_id=scope.customer_id,
            service_id=scope.service_id,
            approval__isnull=False,
        )
        .order_by("-prepared_at", "-pk")
        .first()
    )


# The page each kind of record behind a report is shown on: its own, or its owner's.
RECORD_PAGES = {
    "incidents": "incident",
    "complaints": "ticket",
    "clocks": "ticket",
    "monitors": "monitor",
    "state_spells": "monitor",
}


def change_targets(changes: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each change of :func:`changed_since_frozen` with ``page`` (RECORD_PAGES) and
    ``page_id``, the id of the record shown there (a clock's ticket, a state spell's
    monitor); ``page_id`` is None for a clock or spell that no longer exists (a removed
    incident, complaint or monitor keeps its id: it may have left the period only)."""
    wanted: dict[str, set[int]] = {}
    for c in changes:
        wanted.setdefault(c["kind"], set()).add(int(c["id"]))
    owner: dict[tuple[str, int], int] = {}
    if wanted.get("clocks"):
        rows = Clock.objects.filter(pk__in=wanted["clocks"]).values_list("pk", "ticket_id")
        owner.update({("clocks", pk): ticket for pk, ticket in rows})
    if wanted.get("state_spells"):
        rows = StateSpell.objects.filter(pk__in=wanted["state_spells"]).values_list(
            "pk", "monitor_id"
        )
        owner.update({("state_spells", pk): monitor for pk, monitor in rows})
    found = []
    for c in changes:
        pk = int(c["id"])
        owned = c["kind"] in ("clocks", "state_spells")
        page_id = owner.get((c["kind"], pk)) if owned else pk
        found.append({**c, "page": RECORD_PAGES.get(c["kind"], ""), "page_id": page_id})
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
