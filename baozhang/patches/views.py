"""Pages of patches. Thin: each POST calls one service; a refusal comes back on the form,
on the field it is about, in the reader's language.

The operator's staff read them (a customer's people get 404); entering, importing and
changing statuses need the capability of keeping equipment (services.MANAGE).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.events.selectors import timeline
from baozhang.patches import files, selectors, services
from baozhang.patches.forms import (
    AdvisoryForm,
    AdvisoryImportForm,
    BulkStatusForm,
    InventoryImportForm,
    StatusForm,
)
from baozhang.patches.models import OPEN_STATES, AdvisorySource, PatchState, SeverityLevel
from baozhang.ui.feedback import posted, refusal_on_form
from baozhang.ui.search import search_text

PAGE_SIZE = 50
MONTHS_SHOWN = 6


def _staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, services.MANAGE)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@login_required
def advisory_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    severity = request.GET.get("severity", "")
    severity = severity if severity in SeverityLevel.values else ""
    q = search_text(request.GET.get("q", ""))
    open_only = request.GET.get("open") == "1"
    qs = selectors.filter_advisories(
        selectors.visible_advisories(request.user), severity=severity, q=q, open_only=open_only
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    this_month = now.astimezone(_zone()).date().replace(day=1)
    return render(
        request,
        "patches/advisory_list.html",
        {
            "page": page,
            "severities": SeverityLevel.choices,
            "severity": severity,
            "q": q,
            "open_only": open_only,
            "overdue_count": selectors.overdue(
                selectors.visible_statuses(request.user), now
            ).count(),
            "months": selectors.monthly_compliance(this_month, MONTHS_SHOWN, _zone()),
            "can_manage": _can_manage(request),
        },
    )


@login_required
def advisory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    advisory = selectors.get_advisory(request.user, pk)
    return render(
        request,
        "patches/advisory_detail.html",
        {
            "advisory": advisory,
            "statuses": selectors.statuses_of(advisory),
            "states": PatchState.choices,
            "now": timezone.now(),
            "can_manage": _can_manage(request),
            "events": timeline(request.user, advisory),
        },
    )


@login_required
def advisory_create(request: HttpRequest) -> HttpResponse:
    _staff(request)
    _require_manage(request)
    form = AdvisoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            advisory = services.create_advisory(request.user, **form.cleaned_data)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(
                request,
                _("Advisory entered; %(count)d assets need the patch.")
                % {"count": advisory.statuses.count()},
            )
            return redirect("patches:advisory", pk=advisory.pk)
    return render(request, "patches/advisory_form.html", {"form": form})


@login_required
def advisory_import(request: HttpRequest) -> HttpResponse:
    _staff(request)
    _require_manage(request)
    form = AdvisoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            if form.cleaned_data["kind"] == "debian":
                rows = files.advisories_from_debian(data, form.cleaned_data["release"])
                source = AdvisorySource.DEBIAN
            else:
                rows = files.advisories_from_csv(data)
                source = AdvisorySource.CSV
            created, updated = services.import_advisories(request.user, rows, source=source)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(
                request,
                _("Advisories imported: %(created)d new, %(updated)d updated.")
                % {"created": created, "updated": updated},
            )
            return redirect("patches:advisories")
    return render(request, "patches/import.html", {"form": form, "what": "advisories"})


@login_required
def inventory_import(request: HttpRequest) -> HttpResponse:
    _staff(request)
    _require_manage(request)
    form = InventoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = files.inventory_from_csv(form.cleaned_data["file"].read())
            count = services.import_inventory(request.user, rows)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(
                request, _("Software inventories imported for %(count)d assets.") % {"count": count}
            )
            return redirect("patches:advisories")
    return render(request, "patches/import.html", {"form": form, "what": "inventory"})


@login_required
@require_POST
def status_update(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    status = selectors.get_status(request.user, pk)
    _require_manage(request)
    form = StatusForm(request.POST)
    posted(
        request,
        form,
        lambda: services.set_state(request.user, status, **_move(form)),
        lambda moved: (
            _("%(asset)s: %(state)s.")
            % {"asset": moved.asset.name, "state": moved.get_state_display()}
        ),
    )
    return redirect(f"{reverse('patches:advisory', args=[status.advisory_id])}#s{status.pk}")


@login_required
@require_POST
def status_bulk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The statuses ticked on an advisory's page (or all its open ones) moved at once."""
    _staff(request)
    advisory = selectors.get_advisory(request.user, pk)
    _require_manage(request)
    statuses = selectors.statuses_of(advisory)
    form = BulkStatusForm(request.POST, status_ids=[s.pk for s in statuses])

    def move() -> list[Any]:
        if form.cleaned_data["all_open"]:
            ids = [s.pk for s in statuses if s.state in OPEN_STATES]
        else:
            ids = form.cleaned_data["ids"]
        return services.set_states(request.user, ids, **_move(form))

    posted(
        request,
        form,
        move,
        lambda moved: (
            _("%(count)d assets: %(state)s.")
            % {"count": len(moved), "state": PatchState(form.cleaned_data["state"]).label}
        ),
    )
    return redirect(reverse("patches:advisory", args=[advisory.pk]))


def _move(form: StatusForm) -> dict[str, Any]:
    """The service's arguments of a move from a valid status form."""
    return {
        name: form.cleaned_data[name]
        for name in ("state", "change_reference", "installed_at", "reason")
    }


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    now = timezone.now()
    qs = selectors.overdue(selectors.visible_statuses(request.user), now)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patches/overdue.html", {"page": page, "now": now})
