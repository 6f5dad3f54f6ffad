"""Agreement pages. Thin: each POST calls one service; errors come back on the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.events.selectors import timeline
from baozhang.sla import services
from baozhang.sla.forms import (
    AgreementForm,
    ClauseForm,
    DowntimeForm,
    ExclusionForm,
    ObservationForm,
    OpenReviewForm,
    ReviewForm,
    RiskForm,
    TargetForm,
)
from baozhang.sla.models import AgreementStatus, Observation
from baozhang.sla.selectors import visible_agreements, visible_reviews
from baozhang.ui.feedback import report_refusal


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    qs = visible_agreements(request.user)
    status = request.GET.get("status", "")
    if status in AgreementStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "sla/agreement_list.html",
        {
            "agreements": qs,
            "status": status,
            "statuses": AgreementStatus.choices,
            "can_manage": can(request.user, Capability.MANAGE_AGREEMENTS),
        },
    )


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_AGREEMENTS):
        raise PermissionDenied
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = services.create_agreement(request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sla:agreement", pk=agreement.pk)
    return render(request, "sla/agreement_form.html", {"form": form})


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(visible_agreements(request.user), pk=pk)
    if not can(request.user, Capability.MANAGE_AGREEMENTS):
        raise PermissionDenied
    form = AgreementForm(request.POST or None, instance=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agreement(
                request.user,
                agreement,
                **{k: v for k, v in form.cleaned_data.items() if k in form.changed_data},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sla:agreement", pk=agreement.pk)
    agreement.refresh_from_db()
    return render(request, "sla/agreement_form.html", {"form": form, "agreement": agreement})


def _part_forms(agreement: Any, data: Any = None, part: str = "") -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if part == name else None

    return {
        "target": TargetForm(bound("target"), prefix="target"),
        "risk": RiskForm(bound("risk"), prefix="risk"),
        "clause": ClauseForm(bound("clause"), prefix="clause"),
        "exclusion": ExclusionForm(bound("exclusion"), agreement=agreement, prefix="exclusion"),
        "downtime": DowntimeForm(bound("downtime"), prefix="downtime"),
        "observation": ObservationForm(
            bound("observation"), agreement=agreement, prefix="observation"
        ),
        "review": OpenReviewForm(bound("review"), prefix="review"),
    }


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(visible_agreements(request.user), pk=pk)
    part = request.POST.get("part", "") if request.method == "POST" else ""
    forms = _part_forms(agreement, request.POST or None, part)
    if request.method == "POST":
        if not can(request.user, Capability.MANAGE_AGREEMENTS):
            raise PermissionDenied
        form = forms.get(part)
        if form is not None and form.is_valid():
            try:
                _save_part(request, agreement, part, form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                report_refusal(request, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("sla:agreement", pk=agreement.pk)
    return render(request, "sla/agreement_detail.html", _detail_context(request, agreement, forms))


def _save_part(request: HttpRequest, agreement: Any, part: str, data: dict[str, Any]) -> None:
    user = request.user
    if part == "target":
        tiers = data.pop("tiers")
        data["priority_limits"] = data.pop("priority_limits_text")
        services.add_target(user, agreement, tiers=tiers, **data)
    elif part == "risk":
        services.add_risk(user, agreement, **data)
    elif part == "clause":
        services.add_clause(user, agreement, **data)
    elif part == "exclusion":
        services.add_exclusion(user, agreement, **data)
    elif part == "downtime":
        services.record_downtime(user, agreement, **data)
    elif part == "observation":
        target = data.pop("target")
        services.record_observation(user, target, **data)
    elif part == "review":
        review = services.open_review(user, agreement, **data)
        request.session["sla_last_review"] = review.pk


def _detail_context(request: HttpRequest, agreement: Any, forms: dict[str, Any]) -> dict[str, Any]:
    targets = agreement.targets.prefetch_related("tiers")
    staff = is_operator_staff(request.user)
    fee = agreement.monthly_fee
    # The cost-benefit line is the operator's own: customers' people never see it.
    total_cost = sum((t.estimated_monthly_cost for t in targets), start=fee * 0) if staff else None
    return {
        "agreement": agreement,
        "targets": targets,
        "risks": agreement.risks.all(),
        "clauses": agreement.clauses.all(),
        "exclusions": agreement.exclusions.select_related("clause"),
        "downtimes": agreement.downtimes.all(),
        "observations": Observation.objects.filter(target__agreement=agreement).select_related(
            "target"
        ),
        "reviews": visible_reviews(request.user).filter(agreement=agreement),
        "events": timeline(request.user, agreement),
        "forms": forms,
        "can_manage": can(request.user, Capability.MANAGE_AGREEMENTS),
        "terms_open": agreement.status in {AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING},
        "actions": _actions(agreement),
        "statuses": AgreementStatus.choices,
        "total_cost": total_cost,
        "margin": fee - total_cost if total_cost is not None else None,
        "is_staff": is_operator_staff(request.user),
    }


def _actions(agreement: Any) -> list[tuple[str, str]]:
    labels = {
        "negotiate": _("Start negotiation"),
        "back_to_draft": _("Back to draft"),
        "activate": _("Activate (both sides agreed)"),
        "begin_review": _("Begin the final review"),
        "resume": _("Resume the service"),
        "end": _("End the service"),
    }
    return [
        (a, labels[a]) for a, (src, _to) in services.TRANSITIONS.items() if agreement.status in src
    ]


@login_required
@require_POST
def agreement_action(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(visible_agreements(request.user), pk=pk)
    try:
        services.transition(
            request.user, agreement, request.POST.get("action", ""), request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("sla:agreement", pk=agreement.pk)


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from baozhang.sla.models import Target

    target = get_object_or_404(
        Target.objects.filter(agreement__in=visible_agreements(request.user)), pk=pk
    )
    try:
        services.remove_target(request.user, target)
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    return redirect("sla:agreement", pk=target.agreement_id)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(visible_reviews(request.user), pk=pk)
    form = ReviewForm(request.POST or None, instance=review)
    if not can(request.user, Capability.MANAGE_AGREEMENTS):
        for name in ("process_audit", "notes"):
            form.fields[name].disabled = True
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "sign":
                services.sign_review(request.user, review)
                messages.success(request, _("Signed."))
                return redirect("sla:review", pk=review.pk)
            if action == "reevaluate":
                services.reevaluate_review(request.user, review)
                messages.success(request, _("Evaluated again."))
                return redirect("sla:review", pk=review.pk)
            if form.is_valid():
                fields = {
                    k: form.cleaned_data[k]
                    for k in form.changed_data
                    if not form.fields[k].disabled
                }
                services.update_review(request.user, review, **fields)
                messages.success(request, _("Saved."))
                return redirect("sla:review", pk=review.pk)
        except (ValidationError, PermissionDenied) as exc:
            report_refusal(request, exc)
        review.refresh_from_db()
    user = request.user
    try:
        can_sign = bool(services.signing_side(user, review))
    except (ValidationError, PermissionDenied):
        can_sign = False
    return render(
        request,
        "sla/review_detail.html",
        {
            "review": review,
            "agreement": review.agreement,
            "form": form,
            "can_sign": can_sign,
            "can_manage": can(user, Capability.MANAGE_AGREEMENTS),
            "events": timeline(user, review),
            "now": timezone.now(),
        },
    )
