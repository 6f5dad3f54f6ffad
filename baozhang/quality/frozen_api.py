"""/api/v1/quality/frozen: frozen quality reports (Q1). ``GET /quality/frozen/{id}``: one
report as it was approved, with its history (the original and its amendments) and the
records behind it changed since. ``POST /quality/frozen`` (prepare a closed period's
snapshot), ``POST /quality/frozen/{id}/approve`` (a second person) and ``POST
/quality/frozen/{id}/amend`` (a correction with its reason).

Reading: staff who read the audit; preparing, approving and amending: quality inspectors,
service directors and administrators (Capability.FREEZE_QUALITY_REPORTS). A customer's
people are told nothing exists (404), for reading and writing alike."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from baozhang.accounts.permissions import is_operator_staff, require
from baozhang.api.types import Id
from baozhang.quality import selectors, services
from baozhang.quality.models import FrozenReport
from baozhang.quality.services import CAPABILITY, READ_CAPABILITY
from baozhang.quality.statistics import Scope, check_scope

router = Router(tags=["quality"])


class FrozenReportOut(Schema):
    """``report``: the exported file (statistics, record versions, section digests and
    the SHA-256 digest; the same JSON ``baozhang report export --frozen`` writes).
    ``frozen``: approved by a second person. ``history``: the original and its
    amendments in order, each with its id, digest, reason and approval.
    ``changed_since_frozen``: the records behind the report changed since (kind, id,
    "changed", "added" or "removed")."""

    report: dict[str, Any]
    frozen: bool
    history: list[dict[str, Any]]
    changed_since_frozen: list[dict[str, str]]


class FreezeIn(Schema):
    """A closed period (``2026-11``, ``2026-Q4``, ``2026`` or
    ``2026-11-01..2026-11-30``) of the whole operator, one customer or one service."""

    period: str = Field(..., min_length=4, max_length=40)
    customer_id: Id | None = None
    service_id: Id | None = None


class AmendIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.auth):
        raise Http404


def _out(report: FrozenReport) -> dict[str, Any]:
    history = [
        {
            key: value
            for key, value in selectors.export_document(r).items()
            if key not in ("statistics", "records", "sections", "format")
        }
        for r in selectors.report_history(report)
    ]
    return {
        "report": selectors.export_document(report),
        "frozen": selectors.is_frozen(report),
        "history": history,
        "changed_since_frozen": selectors.changed_since_frozen(report),
    }


def _get(report_id: int) -> FrozenReport:
    return get_object_or_404(selectors.frozen_reports(), pk=report_id)


@router.get("/quality/frozen/{report_id}", response=FrozenReportOut)
def get_frozen_report(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    """One frozen report. Staff who read the quality report only: 403 for other staff; a
    customer's people are told nothing exists (404), as for every operator object."""
    _staff(request)
    require(request.auth, READ_CAPABILITY)
    return _out(_get(report_id))


@router.post("/quality/frozen", response={201: FrozenReportOut})
def freeze(request: HttpRequest, payload: FreezeIn) -> Status:
    """Prepare the snapshot of a closed period's statistics; it is frozen once a second
    person approves it. 422 for a period that has not ended, an unknown customer or
    service, or both given."""
    _staff(request)
    require(request.auth, CAPABILITY)
    scope = Scope(customer_id=payload.customer_id, service_id=payload.service_id)
    check_scope(scope)
    report = services.prepare_frozen_report(request.auth, payload.period, scope)
    return Status(201, _out(_get(report.pk)))


@router.post("/quality/frozen/{report_id}/approve", response=FrozenReportOut)
def approve(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    """Approve a prepared report as its second person: 422 for its own preparer or a
    report already approved."""
    _staff(request)
    require(request.auth, CAPABILITY)
    report = _get(report_id)
    services.approve(request.auth, report)
    return _out(_get(report_id))


@router.post("/quality/frozen/{report_id}/amend", response={201: FrozenReportOut})
def amend(request: HttpRequest, report_id: Id, payload: AmendIn) -> Status:
    """Correct a frozen report: a new snapshot of the same period and scope with its
    reason, beside the original (which stays). 422 without a reason, for a report not yet
    approved, or for an amendment (amend the original)."""
    _staff(request)
    require(request.auth, CAPABILITY)
    amendment = services.amend(request.auth, _get(report_id), payload.reason)
    return Status(201, _out(_get(amendment.pk)))
