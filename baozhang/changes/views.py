"""Pages of change requests and emergency plans. Thin: each POST calls one service; a
refusal comes back on the form, on the field it is about.

The operator's staff read them (a customer's people get 404); creating and moving them on
needs the capability of keeping equipment (services.MANAGE).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.catalog.selectors import get_service
from baozhang.changes import low_usage, selectors, services
from baozhang.changes.forms import ChangeForm, DecisionForm, DrillForm, LowUsageForm, PlanForm
from baozhang.changes.models import ChangeRequest, ChangeState, EmergencyPlan
from baozhang.events.selectors import timeline
from baozhang.ui.feedback import refusal_on_form, report_refusal, saved

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, services.MANAGE)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _month(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    show = request.GET.get("show", "")
    show = show if show in selectors.Show.CHOICES else ""
    state = request.GET.get("state", "")
    state = state if state in ChangeState.values else ""
    qs = selectors.filter_changes(
        selectors.visible_changes(request.user), show=show, state=state
    ).prefetch_related("services")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    start, end = _month(timezone.now())
    return render(
        request,
        "changes/change_list.html",
        {
            "page": page,
            "show": show,
            "state": state,
            "states": ChangeState.choices,
            "shows": [
                ("", _("All")),
                ("open", _("Not yet done")),
                ("to_approve", _("Awaiting approval")),
                ("unauthorised", _("Done without approval")),
            ],
            "tab": "unauthorised" if show == selectors.Show.UNAUTHORISED else "changes",
            "unauthorised_this_month": selectors.unauthorised_count(start, end),
            "can_manage": _can_manage(request),
        },
    )


def _change_form(
    request: HttpRequest, change: ChangeRequest | None, unauthorised: bool
) -> HttpResponse:
    _require_manage(request)
    form = ChangeForm(request.POST or None, instance=change, unauthorised=unauthorised)
    if request.method == "POST" and form.is_valid():
        try:
            if unauthorised:
                change = services.record_unauthorised(
                    request.user,
                    implemented_at=form.cleaned_data["implemented_at"],
                    implemented_by=form.cleaned_data["implemented_by"],
                    result=form.cleaned_data["result"],
                    notes=form.cleaned_data["notes"],
                    **form.relations(),
                    **form.change_fields(),
                )
                messages.success(request, _("Unauthorised change recorded."))
            elif change is None:
                change = services.create_change(
                    request.user, **form.relations(), **form.change_fields()
                )
                messages.success(request, _("Change request created."))
            else:
                services.update_change(
                    request.user, change, **form.relations(), **form.change_fields()
                )
                messages.success(request, _("Change request saved."))
        except ValidationError as exc:
            refusal_on_form(form, exc, {"implemented_at": "implemented_at"})
        else:
            return redirect("changes:detail", pk=change.pk)
    return render(
        request,
        "changes/change_form.html",
        {
            "form": form,
            "change": change,
            "unauthorised": unauthorised,
            "time_zone": settings.TIME_ZONE,
        },
    )


@login_required
def change_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return _change_form(request, None, unauthorised=False)


@login_required
def unauthorised_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return _change_form(request, None, unauthorised=True)


@login_required
def change_edit(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.get_change(request.user, pk)
    return _change_form(request, change, unauthorised=False)


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.get_change(request.user, pk)
    return _detail(request, change, DecisionForm())


def _detail(
    request: HttpRequest, change: ChangeRequest, form: DecisionForm, status: int = 200
) -> HttpResponse:
    outside = low_usage.services_outside_low_usage(
        change.services.all(), change.planned_start, change.planned_end
    )
    return render(
        request,
        "changes/change_detail.html",
        {
            "change": change,
            "services": list(change.services.all()),
            "customers": list(change.customers.all()),
            "assets": list(change.assets.all()),
            "outside_low_usage": bool(outside),
            "window_refusal": services.window_refusal(change)
            if change.state in (ChangeState.DRAFT, ChangeState.SUBMITTED, ChangeState.APPROVED)
            else None,
            "form": form,
            "can_manage": _can_manage(request),
            "is_requester": change.requester_id == request.user.pk,
            "events": timeline(request.user, change),
        },
        status=status,
    )


@login_required
@require_POST
def change_action(request: HttpRequest, pk: int) -> HttpResponse:
    change = selectors.get_change(request.user, pk)
    _require_manage(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, change, form, status=422)
    try:
        services.transition(request.user, change, **form.cleaned_data)
    except ValidationError as exc:
        report_refusal(request, exc)
        return _detail(request, change, form, status=422)
    messages.success(request, _("Change request updated."))
    return redirect("changes:detail", pk=change.pk)


# -- emergency plans ------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    today = timezone.localdate()
    return render(
        request,
        "changes/plan_list.html",
        {
            "rows": selectors.plans_with_standing(request.user, today),
            "can_manage": _can_manage(request),
        },
    )


def _plan_form(request: HttpRequest, plan: EmergencyPlan | None) -> HttpResponse:
    _require_manage(request)
    form = PlanForm(request.POST or None, instance=plan)
    if plan is None:
        done = saved(
            request,
            form,
            lambda: services.create_plan(request.user, **form.cleaned_data),
            _("Emergency plan created."),
        )
    else:
        done = saved(
            request,
            form,
            lambda: services.update_plan(request.user, plan, **form.cleaned_data),
            _("Emergency plan saved."),
        )
    if done is not None:
        return redirect("changes:plan", pk=done.pk)
    return render(request, "changes/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return _plan_form(request, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, selectors.get_plan(request.user, pk))


def _plan_detail(
    request: HttpRequest, plan: EmergencyPlan, form: DrillForm, status: int = 200
) -> HttpResponse:
    annotated = selectors.with_drills(EmergencyPlan.objects.all()).get(pk=plan.pk)
    return render(
        request,
        "changes/plan_detail.html",
        {
            "plan": annotated,
            "standing": selectors.standing(annotated, timezone.localdate()),
            "drills": list(plan.drills.select_related("recorded_by")),
            "form": form,
            "can_manage": _can_manage(request),
            "events": timeline(request.user, plan),
        },
        status=status,
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_detail(request, selectors.get_plan(request.user, pk), DrillForm())


@login_required
@require_POST
def plan_drill(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan(request.user, pk)
    _require_manage(request)
    form = DrillForm(request.POST)
    if not form.is_valid():
        return _plan_detail(request, plan, form, status=422)
    data: dict[str, Any] = form.cleaned_data
    try:
        if data["action"] == "schedule":
            services.schedule_drill(request.user, plan, scheduled_on=data["scheduled_on"])
            messages.success(request, _("Drill scheduled."))
        else:
            drill = plan.drills.filter(pk=data["drill"]).first() if data["drill"] else None
            services.record_drill(
                request.user,
                plan,
                held_on=data["held_on"],
                participants=data["participants"],
                result=data["result"],
                lessons=data["lessons"],
                drill=drill,
            )
            messages.success(request, _("Drill recorded."))
    except ValidationError as exc:
        refusal_on_form(form, exc)
        return _plan_detail(request, plan, form, status=422)
    return redirect("changes:plan", pk=plan.pk)


# -- low-usage periods ----------------------------------------------------------------------


@login_required
def low_usage_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    lo, hi, zone = low_usage.default_period()
    return render(
        request,
        "changes/low_usage_list.html",
        {
            "rows": low_usage.standings(),
            "default": f"{lo:%H:%M}–{hi:%H:%M} ({zone})",
            "can_manage": _can_manage(request),
        },
    )


@login_required
def low_usage_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    # A customer's person may see the service (404 for anyone else's) but never set it.
    service = get_service(request.user, service_id)
    _require_manage(request)
    standing = low_usage.standing_of(service)
    if request.method == "POST" and request.POST.get("reset"):
        if low_usage.reset_low_usage_period(request.user, service):
            messages.success(request, _("The service has the default low-usage period again."))
        return redirect("changes:low_usage")
    initial = {"starts": standing.starts, "ends": standing.ends, "time_zone": standing.time_zone}
    form = LowUsageForm(request.POST or None, initial=initial)
    if saved(
        request,
        form,
        lambda: low_usage.set_low_usage_period(request.user, service, **form.cleaned_data),
        _("Low-usage period saved."),
    ):
        return redirect("changes:low_usage")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "changes/low_usage_form.html",
        {"form": form, "service": service, "standing": standing},
        status=status,
    )
