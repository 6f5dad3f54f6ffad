"""Pages of maintenance plans and work orders. Thin: each POST calls one service; a refusal
comes back on the form, on the field it is about.

The operator's staff read them (a customer's people get 404); planning, recording and
accepting need the capability of keeping equipment (services.MANAGE).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.events.selectors import timeline
from baozhang.ui.feedback import posted, refusal_on_form
from baozhang.upkeep import order_changes, order_page, selectors, services
from baozhang.upkeep.forms import (
    AcceptForm,
    AssignForm,
    PlanForm,
    RecordForm,
    StepFormSet,
    step_initial,
    steps_posted,
)
from baozhang.upkeep.models import OrderStatus, Photo, Plan

PAGE_SIZE = 50


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, services.MANAGE)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    plans = selectors.visible_plans(request.user).prefetch_related("assets")
    return render(
        request,
        "upkeep/plan_list.html",
        {"plans": plans, "can_manage": _can_manage(request)},
    )


def _plan_form(request: HttpRequest, plan: Plan | None) -> HttpResponse:
    _require_manage(request)
    form = PlanForm(request.POST or None, instance=plan)
    steps = StepFormSet(
        request.POST or None,
        prefix="steps",
        initial=step_initial(plan) if plan is not None and not request.POST else None,
    )
    steps_error: list[str] = []
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        kwargs = {
            "assets": form.cleaned_data["assets"],
            "team": form.cleaned_data["team"],
            "supervisors": form.cleaned_data["supervisors"],
            "steps": steps_posted(steps),
            **form.plan_fields(),
        }
        try:
            if plan is None:
                plan = services.create_plan(request.user, **kwargs)
                messages.success(request, _("Maintenance plan created."))
            else:
                services.update_plan(request.user, plan, **kwargs)
                messages.success(request, _("Maintenance plan saved."))
        except ValidationError as exc:
            steps_error = exc.message_dict.pop("steps", []) if hasattr(exc, "error_dict") else []
            rest = {k: v for k, v in exc.message_dict.items() if k != "steps"}
            if rest:
                refusal_on_form(form, ValidationError(rest))
        else:
            return redirect("upkeep:plan", pk=plan.pk)
    return render(
        request,
        "upkeep/plan_form.html",
        {"form": form, "steps": steps, "steps_error": steps_error, "plan": plan},
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return _plan_form(request, None)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan(request.user, pk)
    return _plan_form(request, plan)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan(request.user, pk)
    orders = plan.work_orders.select_related("asset", "assignee").order_by("-period_start", "pk")
    return render(
        request,
        "upkeep/plan_detail.html",
        {
            "plan": plan,
            "step_texts": [
                (s, services.requirement_of(s).text(s.unit))
                for s in plan.steps.order_by("position")
            ],
            "assets": list(plan.assets.order_by("name")),
            "team": list(plan.team.order_by("username")),
            "supervisors": list(plan.supervisors.order_by("username")),
            "orders": orders[:50],
            "now": timezone.now(),
            "can_manage": _can_manage(request),
            "events": timeline(request.user, plan),
        },
    )


@login_required
@require_POST
def plan_generate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan(request.user, pk)
    _require_manage(request)
    created = services.generate(timezone.now(), plans=[plan])
    messages.success(request, _("%(count)d work orders generated.") % {"count": created})
    return redirect("upkeep:plan", pk=plan.pk)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    show = request.GET.get("show", "")
    show = show if show in selectors.Show.CHOICES else ""
    plan = _int(request.GET.get("plan"))
    now = timezone.now()
    qs = selectors.filter_orders(
        selectors.visible_orders(request.user), user=request.user, show=show, plan=plan, now=now
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "upkeep/order_list.html",
        {
            "page": page,
            "show": show,
            "plan": plan,
            "plans": selectors.visible_plans(request.user),
            "now": now,
            "shows": [
                ("", _("All")),
                ("open", _("To do")),
                ("late", _("Past the time limit")),
                ("mine", _("Assigned to me")),
                ("to_accept", _("Awaiting acceptance")),
            ],
        },
    )


def _latest_initial(order: Any) -> dict[str, Any]:
    latest = order.records.order_by("-version").first()
    if latest is None:
        return {}
    initial: dict[str, Any] = {"remarks": latest.remarks}
    for reading in latest.readings.all():
        name = f"step_{reading.position}"
        if reading.answer is not None:
            initial[name] = "yes" if reading.answer else "no"
        elif reading.number is not None:
            initial[name] = format(reading.number.normalize(), "f")
    return initial


def _order_page(
    request: HttpRequest, order: Any, form: RecordForm | None = None, accept_form: Any = None
) -> HttpResponse:
    versions = selectors.versions(order)
    correction = bool(versions)
    if form is None:
        form = RecordForm(order, correction=correction, initial=_latest_initial(order))
    authors = {v.recorded_by_id for v in versions} | {order.performed_by_id}
    return render(
        request,
        "upkeep/order_detail.html",
        {
            "order": order,
            "versions": versions,
            "latest": versions[-1] if versions else None,
            "form": form,
            "correction": correction,
            "accept_form": accept_form or AcceptForm(),
            "assign_form": AssignForm(initial={"assignee": order.assignee_id}),
            "can_manage": _can_manage(request),
            "may_accept": _can_manage(request)
            and order.performed_at is not None
            and request.user.pk not in authors
            and not (
                order.status == OrderStatus.ACCEPTED
                and versions
                and order.accepted_version == versions[-1].version
            ),
            "performer_here": request.user.pk in authors,
            "late": (order.performed_at or timezone.now()) > order.due_at,
            "events": timeline(request.user, order),
        }
        | order_page.contributions(request, order),
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order(request.user, pk)
    return _order_page(request, order)


@login_required
@require_POST
def order_record(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order(request.user, pk)
    _require_manage(request)
    correction = order.records.exists()
    form = RecordForm(order, request.POST, correction=correction)
    if form.is_valid():
        photos = [(f.name, f.content_type or "", f.read()) for f in request.FILES.getlist("photos")]
        try:
            services.record_work(
                request.user,
                order,
                values=form.values(),
                remarks=form.cleaned_data["remarks"],
                sign=form.cleaned_data["sign"],
                reason=form.cleaned_data.get("reason", ""),
                photos=photos,
            )
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(
                request,
                _("Correction recorded; the earlier version stays.")
                if correction
                else _("Original record saved."),
            )
            return redirect("upkeep:order", pk=order.pk)
    return _order_page(request, order, form=form)


@login_required
@require_POST
def order_accept(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order(request.user, pk)
    _require_manage(request)
    form = AcceptForm(request.POST)
    posted(
        request,
        form,
        lambda: services.accept(request.user, order, remark=form.cleaned_data["remark"]),
        _("Work order accepted."),
    )
    return redirect("upkeep:order", pk=order.pk)


@login_required
@require_POST
def order_assign(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.get_order(request.user, pk)
    _require_manage(request)
    form = AssignForm(request.POST)
    posted(
        request,
        form,
        lambda: order_changes.reassign(request.user, order, form.cleaned_data["assignee"]),
        _("Work order reassigned."),
    )
    return redirect("upkeep:order", pk=order.pk)


@login_required
def photo_file(request: HttpRequest, photo_id: int) -> FileResponse:
    _staff(request)
    photo = get_object_or_404(Photo, pk=photo_id)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        filename=photo.filename,
        content_type=photo.content_type or "application/octet-stream",
    )


@login_required
def completeness(request: HttpRequest) -> HttpResponse:
    _staff(request)
    plan = _int(request.GET.get("plan"))
    found = selectors.completeness(timezone.now(), plan=plan)
    return render(
        request,
        "upkeep/completeness.html",
        {"found": found, "plan": plan, "plans": selectors.visible_plans(request.user)},
    )
