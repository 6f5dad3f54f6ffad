"""Monitoring pages. Thin: each POST calls one catalogue function; refusals come back on
the page. A customer's people see their monitors' names, states and figures, never
targets, headers or tokens; probe regions are the operator's alone (404 for others)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.catalog import services as service_catalog
from baozhang.catalog.forms import ServiceForm
from baozhang.catalog.selectors import get_service, visible_services
from baozhang.core.expectation import parse_number, requirement_text
from baozhang.core.observation import MEANINGFUL_SHARE, is_provisional, watched_time
from baozhang.core.sla_text import kind_text
from baozhang.events.selectors import timeline
from baozhang.monitoring import catalog
from baozhang.monitoring.forms import MonitorForm, RegionForm
from baozhang.monitoring.models import Monitor, MonitorKind, MonitorStatus
from baozhang.monitoring.selectors import (
    filter_monitors,
    get_monitor,
    monitors_naming,
    recent_results,
    region_usage,
    spells_between,
    visible_monitors,
    visible_regions,
)
from baozhang.ui import plain
from baozhang.ui.feedback import refusal_on_form, report_refusal

FIGURE_DAYS = 30
PAGE_SIZE = 50


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, Capability.MANAGE_MONITORS)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


# -- monitors -------------------------------------------------------------------------------


@login_required
def monitor_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    service = _int(request.GET.get("service"))
    qs = filter_monitors(
        visible_monitors(request.user).prefetch_related("services"),
        status=status,
        kind=kind,
        service=service,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/monitor_list.html",
        {
            "page": page,
            "monitors": page.object_list,
            "status": status,
            "kind": kind,
            "service": service,
            "statuses": MonitorStatus.choices,
            "kinds": MonitorKind.choices,
            "services": visible_services(request.user),
            "can_manage": _can_manage(request),
            "is_staff": is_operator_staff(request.user),
        },
    )


@login_required
def monitor_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = MonitorForm(request.POST or None, kind=request.GET.get("kind", ""))
    if request.method == "POST" and form.is_valid():
        try:
            monitor = catalog.create_monitor(request.user, **form.service_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Monitor created."))
            return redirect("monitoring:monitor", pk=monitor.pk)
    return render(
        request, "monitoring/monitor_form.html", {"form": form, "kinds": MonitorKind.choices}
    )


@login_required
def monitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_monitor(request.user, pk)
    _require_manage(request)
    form = MonitorForm(request.POST or None, instance=monitor)
    if request.method == "POST" and form.is_valid():
        try:
            catalog.update_monitor(request.user, monitor, **form.service_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:monitor", pk=monitor.pk)
    return render(request, "monitoring/monitor_form.html", {"form": form, "monitor": monitor})


def _percent(value: Decimal | None) -> str:
    """Rounded down to 0.001, as the reports show it; "—" when nothing counts."""
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.001'), rounding=ROUND_DOWN)} %"


def _duration(td: dt.timedelta) -> str:
    """As people say it, in the reader's language ("29 天 23 小时", "40 seconds")."""
    return plain.duration(td - dt.timedelta(microseconds=td.microseconds))


def _kind_label(kind: str) -> str:
    return plain.in_reader_language(kind_text(kind))


def _figures(monitor: Monitor, start: dt.datetime, end: dt.datetime) -> dict[str, Any] | None:
    """Availability and 完好率 of the window, ready to show; None while the figures module
    is not there (the page still shows the rest)."""
    try:
        from baozhang.monitoring.figures import monitor_figures
    except ImportError:
        return None
    figures = monitor_figures(monitor, start, end)
    a, i = figures.availability, figures.integrity
    # A monitor a minute old has watched a minute, not the window: say so, and state its
    # figures as provisional until a meaningful share has been watched (core/observation).
    watched = watched_time(a.start, a.end, a.excluded)
    return {
        "watched": _duration(watched),
        "provisional": is_provisional(watched, a.end - a.start),
        "needed": _duration(
            (a.end - a.start) * MEANINGFUL_SHARE.numerator / MEANINGFUL_SHARE.denominator
        ),
        "availability": _percent(a.percent),
        "downtime": _duration(a.downtime),
        "outages": a.outages,
        "excluded_time": _duration(a.excluded_time),
        "excluded": [
            {
                "start": x.start,
                "end": x.end,
                "kind": _kind_label(x.kind),
                "reason": x.reason,
                "length": _duration(x.end - x.start),
            }
            for x in a.excluded
        ],
        "integrity": _percent(i.percent),
        "periods": i.periods,
        "abnormal": i.abnormal,
        "excluded_periods": i.excluded,
    }


@login_required
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_monitor(request.user, pk)
    staff = is_operator_staff(request.user)
    now = timezone.now()
    start = now - dt.timedelta(days=FIGURE_DAYS)
    spells = [
        {
            "spell": s,
            "length": _duration((s.end or now) - max(s.start, start)),
        }
        for s in spells_between(monitor, start, now)
    ]
    heartbeat = catalog.push_url(monitor) if staff and monitor.push_token else ""
    return render(
        request,
        "monitoring/monitor_detail.html",
        {
            "monitor": monitor,
            "is_staff": staff,
            "can_manage": _can_manage(request),
            "heartbeat_url": heartbeat,
            "curl": f"curl -fsS -m 10 --retry 3 {heartbeat}" if heartbeat else "",
            "results": recent_results(monitor),
            "spells": spells,
            "figures": _figures(monitor, start, now),
            "figure_days": FIGURE_DAYS,
            "services": visible_services(request.user).filter(monitors=monitor),
            "events": timeline(request.user, monitor) if staff else None,
            "headers": list((monitor.http_headers or {}).items()),
            "snmp_expectation": _snmp_expectation(monitor),
        },
    )


def _snmp_expectation(monitor: Monitor) -> str:
    """What an SNMP monitor's value must be, as an engineer writes it ("13.2–13.8 V")."""
    if monitor.kind != MonitorKind.SNMP:
        return ""
    try:
        return requirement_text(
            monitor.snmp_expected,
            parse_number(monitor.snmp_min),
            parse_number(monitor.snmp_max),
            monitor.snmp_unit,
        )
    except ValueError:
        return ""


@login_required
@require_POST
def monitor_action(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_monitor(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action in {"enable", "disable"}:
            catalog.set_enabled(request.user, monitor, action == "enable")
            messages.success(
                request, _("Monitor enabled.") if action == "enable" else _("Monitor disabled.")
            )
        elif action == "rotate_token":
            catalog.rotate_push_token(request.user, monitor)
            messages.success(request, _("New heartbeat URL made; the old one no longer works."))
        elif action == "delete":
            catalog.delete_monitor(request.user, monitor)
            messages.success(request, _("Monitor deleted."))
            return redirect("monitoring:monitors")
        else:
            messages.error(request, _("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    return redirect("monitoring:monitor", pk=monitor.pk)


# -- services -------------------------------------------------------------------------------


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/service_list.html",
        {
            "services": visible_services(request.user).prefetch_related("monitors", "customers"),
            "can_manage": _can_manage(request),
            "is_staff": is_operator_staff(request.user),
        },
    )


@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service_catalog.create_service(request.user, **form.service_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Service created."))
            return redirect("monitoring:services")
    return render(request, "monitoring/service_form.html", {"form": form})


@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service(request.user, pk)
    _require_manage(request)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            service_catalog.update_service(request.user, service, **form.service_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:services")
    return render(request, "monitoring/service_form.html", {"form": form, "service": service})


@login_required
@require_POST
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service(request.user, pk)
    try:
        service_catalog.delete_service(request.user, service)
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
        return redirect("monitoring:service_edit", pk=service.pk)
    messages.success(request, _("Service deleted."))
    return redirect("monitoring:services")


# -- probe regions --------------------------------------------------------------------------


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """The regions; POST creates one, or rotates or deactivates the one named by
    ``region``. A new token is shown on the answer to that POST, once."""
    if not is_operator_staff(request.user):
        raise Http404
    form = RegionForm(request.POST if request.POST.get("action") == "create" else None)
    new_token: tuple[str, str] | None = None
    if request.method == "POST":
        _require_manage(request)
        action = request.POST.get("action", "")
        try:
            if action == "create":
                if form.is_valid():
                    region, token = catalog.create_region(request.user, **form.cleaned_data)
                    new_token = (region.name, token)
                    form = RegionForm()
            else:
                region = (
                    visible_regions(request.user)
                    .filter(pk=_int(request.POST.get("region")))
                    .first()
                )
                if region is None:
                    raise Http404
                if action == "rotate":
                    new_token = (region.name, catalog.rotate_region_token(request.user, region))
                elif action == "deactivate":
                    catalog.deactivate_region(request.user, region)
                    still = monitors_naming(region.name)
                    messages.success(request, _("Region %(name)s deactivated.") % {"name": region})
                    if still:
                        messages.warning(
                            request,
                            _("These monitors still name it: %(names)s.")
                            % {"names": ", ".join(m.name for m in still)},
                        )
                    return redirect("monitoring:regions")
        except ValidationError as exc:
            refusal_on_form(form, exc)
    usage = region_usage()
    regions = [(region, usage.get(region.name, 0)) for region in visible_regions(request.user)]
    return render(
        request,
        "monitoring/region_list.html",
        {
            "regions": regions,
            "form": form,
            "new_token": new_token,
            "can_manage": _can_manage(request),
        },
    )
