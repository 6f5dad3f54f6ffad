"""The pages of the report's drafts and submissions (Q3): the reports drafted after each
period closed (assignee, deadline on the business calendar, status), the approved reports
ready to send with their files (PDF, XLSX, and the JSON that ``baozhang report verify``
checks), the form that records a submission (to whom, when, how, the file sent: its
SHA-256 is computed from the uploaded file, or typed), and the submissions recorded.

Reading: staff who read the quality report; recording: those who prepare and approve
frozen reports. A customer's people are told nothing exists (404)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baozhang.accounts.permissions import Capability, can, is_operator_staff, require
from baozhang.quality import files, submissions
from baozhang.quality.models import FileFormat, FrozenReport, ReportDraft, SubmissionMethod
from baozhang.ui.feedback import refusal_on_form

STATUS = {
    "to_prepare": gettext_lazy("to prepare"),
    "prepared": gettext_lazy("awaiting approval"),
    "frozen": gettext_lazy("approved, not yet sent"),
    "submitted": gettext_lazy("submitted"),
}
MAX_UPLOAD = 50 * 1024 * 1024


class SubmissionForm(forms.Form):
    recipient = forms.CharField(
        label=gettext_lazy("Sent to"),
        max_length=200,
        initial="省通信管理局",
        help_text=gettext_lazy("e.g. the provincial communications administration, 省通信管理局"),
    )
    submitted_at = forms.DateTimeField(
        label=gettext_lazy("Sent at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=SubmissionMethod.choices)
    file = forms.FileField(
        label=gettext_lazy("The file sent"),
        required=False,
        help_text=gettext_lazy("Its SHA-256 digest is computed here; the file is not kept."),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("File format"), choices=FileFormat.choices, required=False
    )
    sha256 = forms.CharField(
        label=gettext_lazy("or its SHA-256 digest"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Receipt or reference"), max_length=200, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                raise ValidationError(_("The file is larger than 50 MB."))
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            data["sha256"] = digest.hexdigest()
            suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if not data.get("file_format") and suffix in FileFormat.values:
                data["file_format"] = suffix
        if not data.get("sha256"):
            raise ValidationError(_("Upload the file sent or give its SHA-256 digest."))
        if not data.get("file_format"):
            self.add_error("file_format", _("Choose the format of the file sent."))
        return data


def _reader(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404
    require(request.user, Capability.VIEW_AUDIT)


@login_required
def submissions_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    drafts = [
        {"draft": d, "status": submissions.draft_status(d)}
        for d in ReportDraft.objects.select_related("assignee")[:60]
    ]
    for row in drafts:
        row["status_text"] = STATUS[row["status"]]
        row["late"] = row["status"] != "submitted" and row["draft"].due_at < timezone.now()
    approved = submissions.approved_reports()[:30]
    return render(
        request,
        "quality/submissions.html",
        {
            "drafts": drafts,
            "approved": approved,
            "submissions": submissions.submissions()[:100],
            "can_record": can(request.user, submissions.CAPABILITY),
        },
    )


def _approved(pk: int) -> FrozenReport:
    report = get_object_or_404(FrozenReport.objects.select_related("approval"), pk=pk)
    if not hasattr(report, "approval"):
        raise Http404
    return report


@login_required
def frozen_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """An approved report as the PDF or XLSX to send (its figures as approved)."""
    _reader(request)
    if fmt not in files.FORMATS:
        raise Http404
    return files.as_response(files.frozen_file(_approved(pk), fmt))


@login_required
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    require(request.user, submissions.CAPABILITY)
    report = _approved(pk)
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submissions.record_submission(
                    request.user,
                    report,
                    recipient=data["recipient"],
                    method=data["method"],
                    file_format=data["file_format"],
                    sha256=data["sha256"],
                    submitted_at=data["submitted_at"],
                    reference=data["reference"],
                    note=data["note"],
                )
            except ValidationError as exc:
                refusal_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("The submission of report %(period)s was recorded.")
                    % {"period": report.period_label},
                )
                return redirect("quality:submissions")
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = SubmissionForm(initial={"submitted_at": now})
    return render(request, "quality/submission_form.html", {"form": form, "report": report})
