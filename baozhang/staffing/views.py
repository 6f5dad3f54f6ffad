"""Roster pages. Thin: each POST calls one service; errors come back on the page.

A customer's people get 404 on every page (the roster is none of their business); staff
without the right to edit the roster see it and get 403 on every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can
from baozhang.core.roster import GapKind
from baozhang.staffing import services
from baozhang.staffing.forms import PromiseForm, SeatForm, ShiftForm
from baozhang.staffing.models import Seat, Shift
from baozhang.staffing.selectors import (
    LOOKAHEAD_DAYS,
    get_promise,
    promise_time_zone,
    require_staff,
    upcoming_report,
    week_grid,
)
from baozhang.ui.feedback import refusal_on_form, report_refusal

GAP_LABELS = {
    GapKind.COVERED_HOURS: gettext_lazy("covered hours"),
    GapKind.DAY_SHIFT: gettext_lazy("day shift"),
    GapKind.REST_DAY: gettext_lazy("rest-day duty"),
}


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, Capability.MANAGE_ROSTER)


def _require_manage(request: HttpRequest) -> None:
    require_staff(request.user)
    if not _can_manage(request):
        raise PermissionDenied


def _monday(request: HttpRequest, today: dt.date) -> dt.date:
    raw = request.GET.get("week") or request.POST.get("week") or ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = today
    return day - dt.timedelta(days=day.weekday())


def _gap_rows(coverage: Any, tz: Any) -> list[dict[str, Any]]:
    return [
        {
            "start": g.start.astimezone(tz),
            "end": g.end.astimezone(tz),
            "kind": GAP_LABELS.get(g.kind, g.kind),
            "required": g.required,
            "on_duty": g.on_duty,
            "missing": g.missing,
            "current": coverage.is_current(g),
        }
        for g in coverage.upcoming_gaps
    ]


def _roster_page(request: HttpRequest, shift_form: ShiftForm | None = None) -> HttpResponse:
    now = timezone.now()
    tz = promise_time_zone()
    monday = _monday(request, now.astimezone(tz).date())
    days, rows = week_grid(monday)
    problems: list[str] = []
    try:
        coverage = upcoming_report(now)
    except KeyError:
        coverage = None
        problems.append(
            _("The promise names calendar %(key)s, which no longer exists.")
            % {"key": get_promise().calendar_key}
        )
    gaps = _gap_rows(coverage, tz) if coverage else []
    if coverage is not None:
        report = coverage.report
        if report.seats.missing:
            problems.append(
                _("Only %(have)s active seats; %(required)s are promised.")
                % {"have": report.seats.have, "required": report.seats.required}
            )
        if report.staff.missing:
            problems.append(
                _(
                    "Only %(have)s people on the roster in the next %(days)s days; "
                    "%(required)s service staff are promised."
                )
                % {
                    "have": report.staff.have,
                    "required": report.staff.required,
                    "days": LOOKAHEAD_DAYS,
                }
            )
        for b in report.double_bookings:
            problems.append(
                _("%(person)s is on two shifts at once from %(start)s to %(end)s.")
                % {
                    "person": coverage.people.get(b.person, b.person),
                    "start": f"{b.start.astimezone(tz):%Y-%m-%d %H:%M}",
                    "end": f"{b.end.astimezone(tz):%Y-%m-%d %H:%M}",
                }
            )
        for c in report.seat_clashes:
            problems.append(
                _("Seat %(seat)s is given to two people at once from %(start)s to %(end)s.")
                % {
                    "seat": coverage.seats.get(c.seat, c.seat),
                    "start": f"{c.start.astimezone(tz):%Y-%m-%d %H:%M}",
                    "end": f"{c.end.astimezone(tz):%Y-%m-%d %H:%M}",
                }
            )
        for day in report.rest_days_without_duty:
            problems.append(_("Nobody is on duty on rest day %(day)s.") % {"day": day})
    if shift_form is None:
        start = dt.datetime.combine(monday, dt.time(9, 0))
        shift_form = ShiftForm(
            initial={"start": start, "end": start.replace(hour=18)}, prefix="shift"
        )
    return render(
        request,
        "staffing/roster.html",
        {
            "monday": monday,
            "days": days,
            "rows": rows,
            "previous_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
            "today": now.astimezone(tz).date(),
            "gaps": gaps,
            "problems": problems,
            "lookahead_days": LOOKAHEAD_DAYS,
            "promise": get_promise(),
            "time_zone": tz.key,
            "seats": Seat.objects.all(),
            "shift_form": shift_form,
            "can_manage": _can_manage(request),
        },
    )


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return _roster_page(request)


@login_required
@require_POST
def shift_add(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = ShiftForm(request.POST, prefix="shift")
    if form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.add_shift(
                request.user,
                person=data["person"],
                seat=data["seat"],
                start=data["start"],
                end=data["end"],
                note=data["note"],
            )
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Shift added: %(shift)s.") % {"shift": shift})
            week = shift.start.astimezone(promise_time_zone()).date().isoformat()
            return redirect(f"{reverse('staffing:roster')}?week={week}")
    return _roster_page(request, shift_form=form)


@login_required
@require_POST
def shift_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    shift = get_object_or_404(Shift, pk=pk)
    week = shift.start.astimezone(promise_time_zone()).date().isoformat()
    services.remove_shift(request.user, shift)
    messages.success(request, _("Shift removed."))
    return redirect(f"{reverse('staffing:roster')}?week={week}")


@login_required
@require_POST
def copy_week(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    monday = _monday(request, timezone.now().astimezone(promise_time_zone()).date())
    created = services.copy_week(request.user, monday)
    messages.success(
        request,
        _("%(count)s shifts copied from the week before.") % {"count": len(created)},
    )
    return redirect(f"{reverse('staffing:roster')}?week={monday.isoformat()}")


@login_required
def promise(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    row = get_promise()
    form = PromiseForm(request.POST or None, instance=row)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            try:
                services.update_promise(request.user, **form.cleaned_data)
            except ValidationError as exc:
                refusal_on_form(form, exc)
            else:
                messages.success(request, _("Staffing promise saved."))
                return redirect("staffing:roster")
    return render(
        request, "staffing/promise.html", {"form": form, "can_manage": _can_manage(request)}
    )


@login_required
def seats(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = SeatForm(request.POST or None)
    if request.method == "POST":
        _require_manage(request)
        if form.is_valid():
            try:
                services.create_seat(request.user, **form.cleaned_data)
            except ValidationError as exc:
                refusal_on_form(form, exc)
            else:
                messages.success(request, _("Seat added."))
                return redirect("staffing:seats")
    return render(
        request,
        "staffing/seats.html",
        {"form": form, "seats": Seat.objects.all(), "can_manage": _can_manage(request)},
    )


@login_required
@require_POST
def seat_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    seat = get_object_or_404(Seat, pk=pk)
    try:
        services.update_seat(request.user, seat, is_active=not seat.is_active)
    except ValidationError as exc:
        report_refusal(request, exc)
    return redirect("staffing:seats")
