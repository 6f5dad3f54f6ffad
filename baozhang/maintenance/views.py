"""Maintenance pages. Thin: each POST calls one service; a refusal (the 24-hour notice
above all) comes back on the form, on the field it is about.

Staff see every window; a customer's people see the windows of their own services (and
only their own services in them) and get 403 on every change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.events.selectors import timeline
from baozhang.maintenance import services
from baozhang.maintenance.forms import CancelForm, RescheduleForm, ScheduleForm
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.maintenance.selectors import visible_services, visible_windows
from baozhang.notify.selectors import unreached_about, unreached_text
from baozhang.ui.feedback import in_reader_language, report_refusal

PAST_SHOWN = 50


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, Capability.MANAGE_MAINTENANCE)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _refusal_on_form(form: forms.Form, exc: services.Refusal) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, in_reader_language(exc))


def _say_told(request: HttpRequest, done: str, window: MaintenanceWindow) -> None:
    """``done`` and how many customers were told; a warning for each customer that could
    not be told (no enabled channel), never "told" for them."""
    told = getattr(window, "told", None)
    count = len(told.told) if told is not None else 0
    told_text = ngettext("%(n)d customer told.", "%(n)d customers told.", count) % {"n": count}
    messages.success(request, f"{done} {told_text}")
    for org in told.not_told if told is not None else []:
        messages.warning(
            request,
            _("Customer %(name)s has no channel that can reach them; not notified.")
            % {"name": org.name},
        )


def _phase(window: MaintenanceWindow, now: Any) -> str:
    if window.status == WindowStatus.CANCELLED:
        return "cancelled"
    if window.end <= now:
        return "over"
    return "in_progress" if window.start <= now else "upcoming"


@login_required
def window_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    qs = visible_windows(request.user).prefetch_related("services")
    scheduled = qs.filter(status=WindowStatus.SCHEDULED)
    past = qs.filter(end__lte=now) | qs.filter(status=WindowStatus.CANCELLED)
    return render(
        request,
        "maintenance/window_list.html",
        {
            "in_progress": scheduled.filter(start__lte=now, end__gt=now),
            "upcoming": scheduled.filter(start__gt=now),
            "past": past.order_by("-start", "-id")[:PAST_SHOWN],
            "can_manage": _can_manage(request),
            "staff": is_operator_staff(request.user),
        },
    )


def _detail_page(
    request: HttpRequest,
    window: MaintenanceWindow,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    staff = is_operator_staff(request.user)
    phase = _phase(window, now)
    return render(
        request,
        "maintenance/window_detail.html",
        {
            "window": window,
            "phase": phase,
            "services": visible_services(window, request.user),
            "customers": services.affected_customers(window) if staff else [],
            "staff": staff,
            "events": timeline(request.user, window) if staff else [],
            "not_notified": [unreached_text(u) for u in unreached_about(window)] if staff else [],
            "can_manage": _can_manage(request) and phase in {"upcoming", "in_progress"},
            "cancel_form": cancel_form or CancelForm(),
        },
    )


@login_required
def window_detail(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(visible_windows(request.user), pk=pk)
    return _detail_page(request, window)


@login_required
def window_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.schedule(request.user, **form.cleaned_data)
        except services.Refusal as exc:
            _refusal_on_form(form, exc)
        else:
            _say_told(request, _("Maintenance scheduled."), window)
            return redirect("maintenance:detail", pk=window.pk)
    return render(request, "maintenance/window_form.html", {"form": form})


@login_required
def window_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(visible_windows(request.user), pk=pk)
    _require_manage(request)
    initial = {
        "start": timezone.localtime(window.start),
        "end": timezone.localtime(window.end),
        "is_emergency": window.is_emergency,
        "emergency_reason": window.emergency_reason,
    }
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.reschedule(request.user, window, **form.cleaned_data)
        except services.Refusal as exc:
            _refusal_on_form(form, exc)
        else:
            _say_told(request, _("Maintenance rescheduled."), window)
            return redirect("maintenance:detail", pk=window.pk)
    return render(request, "maintenance/window_form.html", {"form": form, "window": window})


@login_required
@require_POST
def window_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_object_or_404(visible_windows(request.user), pk=pk)
    _require_manage(request)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            window = services.cancel(request.user, window, form.cleaned_data["reason"])
        except services.Refusal as exc:
            report_refusal(request, ValidationError(str(exc)))
        else:
            _say_told(request, _("Maintenance cancelled."), window)
        return redirect("maintenance:detail", pk=window.pk)
    return _detail_page(request, window, cancel_form=form)
