"""Pages for business calendars. Thin: services change, selectors read, presenters show.

Only the operator's staff see these pages (anyone else gets 404); changing needs
MANAGE_CALENDARS (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can
from baozhang.calendars import services
from baozhang.calendars.forms import (
    CalendarForm,
    DateForm,
    ScheduleForm,
    TryForm,
)
from baozhang.calendars.models import WEEKDAYS, BusinessCalendar
from baozhang.calendars.presenters import (
    builtin_rows,
    compute_add,
    compute_between,
    country_label,
    month_days,
)
from baozhang.calendars.selectors import (
    BUILTIN_KEYS,
    calendar_by_key_or_404,
    require_calendar_viewer,
    visible_calendars,
    visible_schedules,
)
from baozhang.ui.feedback import refusal_on_form, report_refusal


def _staff(request: HttpRequest) -> None:
    require_calendar_viewer(request.user)


def _manager(request: HttpRequest) -> bool:
    return can(request.user, Capability.MANAGE_CALENDARS)


def _require_manager(request: HttpRequest) -> None:
    if not _manager(request):
        raise PermissionDenied(_("You are not allowed to change calendars."))


def _own(request: HttpRequest, key: str) -> BusinessCalendar:
    return get_object_or_404(visible_calendars(request.user), key=key)


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(
        request,
        "calendars/calendar_list.html",
        {
            "builtins": builtin_rows(),
            "calendars": visible_calendars(request.user),
            "manage": _manager(request),
        },
    )


def _month(request: HttpRequest, tz: Any) -> dt.date:
    text = request.GET.get("month", "")
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return timezone.now().astimezone(tz).date().replace(day=1)


def _try(request: HttpRequest, key: str, calendar: Any) -> tuple[TryForm, dict[str, Any]]:
    form = TryForm(request.GET if "start" in request.GET else None)
    results: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if data["duration"]:
                results["add"] = compute_add(key, calendar, data["start"], data["duration"])
            if data["end"]:
                results["between"] = compute_between(key, calendar, data["start"], data["end"])
            if not data["duration"] and not data["end"]:
                form.add_error("duration", _("Give a duration, an end, or both."))
        except ValidationError as exc:
            refusal_on_form(form, exc)
    return form, results


@login_required
def calendar_detail(request: HttpRequest, key: str) -> HttpResponse:
    _staff(request)
    row: Any
    if key in BUILTIN_KEYS:
        row = next(r for r in builtin_rows() if r.key == key)
        dates: list[Any] = []
    else:
        row = _own(request, key)
        dates = list(row.dates.all())
    calendar = calendar_by_key_or_404(key)
    month = _month(request, calendar.tz)
    try:
        days = month_days(calendar, month)
    except ValueError:
        raise Http404 from None
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    try_form, results = _try(request, key, calendar)
    week = [(day, getattr(row, day)) for day in WEEKDAYS]
    return render(
        request,
        "calendars/calendar_detail.html",
        {
            "row": row,
            "key": key,
            "builtin": key in BUILTIN_KEYS,
            "week": week,
            "country": country_label(row.base_schedule) if row.base_schedule else "",
            "dates": dates,
            "days": days,
            "month": month,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
            "date_form": DateForm(),
            "try_form": try_form,
            "results": results,
            "manage": _manager(request) and key not in BUILTIN_KEYS,
        },
    )


@login_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    _require_manager(request)
    initial = {day: "09:00-12:00 13:00-18:00" for day in WEEKDAYS[:5]}
    initial |= {"time_zone": "Asia/Shanghai", "base_schedule": "CN", "is_active": True}
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cal = services.create_calendar(request.user, **form.cleaned_data)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("calendars:detail", key=cal.key)
    return render(request, "calendars/calendar_form.html", {"form": form, "row": None})


@login_required
def calendar_edit(request: HttpRequest, key: str) -> HttpResponse:
    _staff(request)
    cal = _own(request, key)
    _require_manager(request)
    form = CalendarForm(request.POST or None, instance=cal)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "key"}
        try:
            services.update_calendar(request.user, cal, **fields)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("calendars:detail", key=cal.key)
    return render(request, "calendars/calendar_form.html", {"form": form, "row": cal})


@login_required
@require_POST
def date_add(request: HttpRequest, key: str) -> HttpResponse:
    _staff(request)
    cal = _own(request, key)
    form = DateForm(request.POST)
    if form.is_valid():
        try:
            services.set_date(request.user, cal, **form.cleaned_data)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Date saved."))
            month = form.cleaned_data["date"].strftime("%Y-%m")
            return redirect(f"{reverse('calendars:detail', kwargs={'key': cal.key})}?month={month}")
    else:
        messages.error(request, " ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("calendars:detail", key=cal.key)


@login_required
@require_POST
def date_remove(request: HttpRequest, key: str) -> HttpResponse:
    """Remove the date given in the form field ``date`` (YYYY-MM-DD)."""
    _staff(request)
    cal = _own(request, key)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("Give the date to remove as YYYY-MM-DD."))
        return redirect("calendars:detail", key=cal.key)
    try:
        services.remove_date(request.user, cal, day)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Date removed."))
    return redirect("calendars:detail", key=cal.key)


@login_required
def schedule_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            try:
                item = services.import_schedule(request.user, **form.cleaned_data)
            except ValidationError as exc:
                refusal_on_form(form, exc)
            else:
                messages.success(
                    request,
                    _("Schedule imported for %(country)s, years %(years)s.")
                    % {"country": item.country, "years": item.years},
                )
                return redirect("calendars:schedules")
    return render(
        request,
        "calendars/schedule_list.html",
        {
            "schedules": visible_schedules(request.user),
            "form": form,
            "manage": _manager(request),
        },
    )


@login_required
def schedule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = get_object_or_404(visible_schedules(request.user), pk=pk)
    return render(
        request,
        "calendars/schedule_detail.html",
        {"item": item, "country": country_label(item.country), "manage": _manager(request)},
    )


@login_required
@require_POST
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    item = get_object_or_404(visible_schedules(request.user), pk=pk)
    services.delete_schedule(request.user, item)
    messages.success(request, _("Imported schedule withdrawn."))
    return redirect("calendars:schedules")
