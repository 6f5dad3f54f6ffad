"""/api/v1/quality/frozen/{id}: a frozen quality report (Q1) as it was approved, with its
history (the original and its amendments) and the records behind it changed since."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from baozhang.accounts.permissions import is_operator_staff, require
from baozhang.api.types import Id
from baozhang.quality import selectors
from baozhang.quality.services import CAPABILITY

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


@router.get("/quality/frozen/{report_id}", response=FrozenReportOut)
def get_frozen_report(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    """One frozen report. Staff who read the quality report only: 403 for other staff; a
    customer's people are told nothing exists (404), as for every operator object."""
    if not is_operator_staff(request.auth):
        raise Http404
    require(request.auth, CAPABILITY)
    report = get_object_or_404(selectors.frozen_reports(), pk=report_id)
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
