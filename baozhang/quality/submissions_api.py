"""/api/v1/quality/drafts and /api/v1/quality/submissions (Q3): the reports drafted after
each period closed, with their assignee, deadline and status, and the records of their
submission to the competent authority. Staff who read the quality report see them; those
who prepare and approve frozen reports record a submission. A customer's people are told
nothing exists (404), as for every operator object."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from baozhang.accounts.permissions import Capability, is_operator_staff, require
from baozhang.api.types import AwareDateTime, Id
from baozhang.quality import submissions
from baozhang.quality.models import FrozenReport, ReportDraft, Submission

router = Router(tags=["quality"])


class DraftOut(Schema):
    """``status``: ``to_prepare``, ``prepared`` (awaiting approval), ``frozen`` (approved,
    not yet recorded as sent) or ``submitted``. ``due_at``: end of business on the 5th
    working day after the period closed."""

    id: int
    period: str
    kind: str
    period_start: str
    period_end: str
    assignee: str | None
    due_at: str
    calendar: str
    drafted_at: str
    status: str


class SubmissionIn(Schema):
    frozen_report: Id
    recipient: Annotated[str, Field(min_length=1, max_length=200)]
    method: Literal["portal", "email", "paper", "other"]
    file_format: Literal["pdf", "xlsx", "json"]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]
    submitted_at: AwareDateTime | None = None
    reference: Annotated[str, Field(max_length=200)] = ""
    note: Annotated[str, Field(max_length=2000)] = ""


class SubmissionOut(Schema):
    id: int
    frozen_report: int
    period: str
    recipient: str
    method: str
    submitted_at: str
    submitted_by: str
    file_format: str
    sha256: str
    reference: str
    note: str
    recorded_at: str


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.auth):
        raise Http404
    require(request.auth, Capability.VIEW_AUDIT)


def draft_out(draft: ReportDraft) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "period": draft.period_label,
        "kind": draft.kind,
        "period_start": draft.period_start.isoformat(),
        "period_end": draft.period_end.isoformat(),
        "assignee": draft.assignee.username if draft.assignee else None,
        "due_at": draft.due_at.isoformat(),
        "calendar": draft.calendar_key,
        "drafted_at": draft.created_at.isoformat(),
        "status": submissions.draft_status(draft),
    }


def submission_out(item: Submission) -> dict[str, Any]:
    return {
        "id": item.pk,
        "frozen_report": item.report_id,
        "period": item.report.period_label,
        "recipient": item.recipient,
        "method": item.method,
        "submitted_at": item.submitted_at.isoformat(),
        "submitted_by": item.submitted_by.username,
        "file_format": item.file_format,
        "sha256": item.sha256,
        "reference": item.reference,
        "note": item.note,
        "recorded_at": item.recorded_at.isoformat(),
    }


@router.get("/quality/drafts", response=list[DraftOut])
def list_drafts(request: HttpRequest) -> list[dict[str, Any]]:
    """The drafted reports, newest period first (at most 200)."""
    _staff(request)
    drafts = ReportDraft.objects.select_related("assignee")[:200]
    return [draft_out(d) for d in drafts]


@router.get("/quality/submissions", response=list[SubmissionOut])
def list_submissions(request: HttpRequest, frozen_report: Id | None = None) -> list[dict[str, Any]]:
    """The recorded submissions, latest first (at most 200); of one frozen report if
    given."""
    _staff(request)
    qs = submissions.submissions()
    if frozen_report is not None:
        qs = qs.filter(report_id=frozen_report)
    return [submission_out(s) for s in qs[:200]]


@router.post("/quality/submissions", response={201: SubmissionOut})
def create_submission(request: HttpRequest, payload: SubmissionIn) -> Status:
    """Record that an approved frozen report was sent: to whom, when (default now), how,
    the format and the SHA-256 digest of the file sent. 422 for a report not approved or a
    time in the future; 403 for staff who may not prepare frozen reports."""
    _staff(request)
    require(request.auth, submissions.CAPABILITY)
    report = get_object_or_404(
        FrozenReport.objects.select_related("approval"), pk=payload.frozen_report
    )
    item = submissions.record_submission(
        request.auth,
        report,
        recipient=payload.recipient,
        method=payload.method,
        file_format=payload.file_format,
        sha256=payload.sha256,
        submitted_at=payload.submitted_at,
        reference=payload.reference,
        note=payload.note,
    )
    return Status(201, submission_out(submissions.submissions().get(pk=item.pk)))
