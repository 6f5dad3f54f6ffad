"""The pages of frozen quality reports (Q1): the list of frozen reports with the form that
prepares a closed period's snapshot, one report with its original and amendments side by
side (digest, preparer, approver, times in the reader's time zone), the approval by a
second person, the amendment with its reason, and the file that ``baozhang report
verify`` checks.

Reading: staff who read the audit; preparing, approving and amending: quality
inspectors, service directors and administrators (services.CAPABILITY). A customer's
people are told nothing exists (404), as for every operator object."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff, require
from baozhang.quality import selectors, services
from baozhang.quality.models import FrozenReport
from baozhang.quality.report import KEYS
from baozhang.quality.report_sections import sections
from baozhang.quality.statistics import Scope, check_scope, parse_scope
from baozhang.quality.views import PeriodForm, _shown, present_changes, scope_text
from baozhang.ui.feedback import report_refusal
from baozhang.ui.fields import TextField


class AmendForm(forms.Form):
    reason = TextField(
        label=gettext_lazy("Reason for the amendment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _reader(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404
    require(request.user, services.READ_CAPABILITY)


def _scope_of(report: FrozenReport) -> Scope:
    return Scope(customer_id=report.customer_id, service_id=report.service_id)


def _version(report: FrozenReport, original: FrozenReport) -> dict[str, Any]:
    approval = getattr(report, "approval", None)
    return {
        "report": report,
        "is_original": report.pk == original.pk,
        "approval": approval,
    }


def _figure_rows(versions: list[FrozenReport]) -> list[dict[str, Any]]:
    """Each figure of the reports, one row per figure, one value per version (the
    original first), marked where a version differs from the original."""
    laid_out = []
    for r in versions:
        # A statistic added to the report after this one was frozen is not in it.
        statistics = {key: {"source": "none"} for key in KEYS} | r.statistics
        laid_out.append({s.key: s for s in sections(statistics)})
    rows = []
    for section in laid_out[0].values():
        for i, figure in enumerate(section.figures):
            values = []
            for version in laid_out:
                other = version.get(section.key)
                if other is None or i >= len(other.figures):
                    values.append("—")
                else:
                    values.append(_shown(other.figures[i].value, other.figures[i].kind))
            rows.append(
                {
                    "section": section.title,
                    "label": figure.spoken or figure.label,
                    "values": values,
                    "differs": any(v != values[0] for v in values[1:]),
                }
            )
    return rows


@login_required
def frozen_list(request: HttpRequest) -> HttpResponse:
    """The frozen reports, latest period first; the form prepares a closed period's
    snapshot (POST)."""
    _reader(request)
    may_freeze = can(request.user, services.CAPABILITY)
    if request.method == "POST":
        if not may_freeze:
            raise PermissionDenied(_("You are not allowed to freeze quality reports."))
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                scope = parse_scope(form.cleaned_data["scope"])
                check_scope(scope)
                report = services.prepare_frozen_report(request.user, form.period(), scope)
            except ValueError as exc:
                messages.error(request, str(exc))
            except (ValidationError, PermissionDenied) as exc:
                report_refusal(request, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Report %(period)s prepared for freezing: a second person must now "
                        "approve it."
                    )
                    % {"period": report.period_label},
                )
                return redirect("quality:frozen", pk=report.pk)
        return redirect("quality:frozen_list")
    reports = selectors.frozen_reports().order_by("-period_start", "-prepared_at", "-pk")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    rows = [
        {"report": r, "scope": scope_text(_scope_of(r)), "approval": getattr(r, "approval", None)}
        for r in page.object_list
    ]
    return render(
        request,
        "quality/frozen_list.html",
        {"page": page, "rows": rows, "form": PeriodForm() if may_freeze else None},
    )


@login_required
def frozen_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    report = get_object_or_404(selectors.frozen_reports(), pk=pk)
    history = selectors.report_history(report)
    original = history[0]
    frozen = selectors.is_frozen(report)
    may_freeze = can(request.user, services.CAPABILITY)
    return render(
        request,
        "quality/frozen_detail.html",
        {
            "report": report,
            "scope_text": scope_text(_scope_of(report)),
            "frozen": frozen,
            "versions": [_version(r, original) for r in history],
            "rows": _figure_rows(history),
            "changes": present_changes(report) if frozen else [],
            "may_approve": may_freeze and not frozen,
            "is_preparer": report.prepared_by_id == request.user.pk,
            "amend_form": AmendForm()
            if may_freeze and frozen and original.pk == report.pk
            else None,
        },
    )


@login_required
@require_POST
def frozen_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    report = get_object_or_404(selectors.frozen_reports(), pk=pk)
    try:
        services.approve(request.user, report)
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Report approved: it is frozen from now on."))
    return redirect("quality:frozen", pk=report.pk)


@login_required
@require_POST
def frozen_amend(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    original = get_object_or_404(selectors.frozen_reports(), pk=pk)
    form = AmendForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("quality:frozen", pk=original.pk)
    try:
        amendment = services.amend(request.user, original, form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
        return redirect("quality:frozen", pk=original.pk)
    messages.success(
        request, _("Amendment prepared beside the original: a second person must approve it.")
    )
    return redirect("quality:frozen", pk=amendment.pk)


@login_required
def frozen_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as the JSON file ``baozhang report verify`` checks."""
    _reader(request)
    report = get_object_or_404(selectors.frozen_reports(), pk=pk)
    text = json.dumps(selectors.export_document(report), ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(text.encode("utf-8"), content_type="application/json; charset=utf-8")
    name = f"quality-{report.period_label}-frozen-{report.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
