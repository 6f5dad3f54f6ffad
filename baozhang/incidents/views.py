"""Incident pages. Thin: each POST calls one service; refusals come back on the page.

Staff with WORK_INCIDENTS act; other staff read. A customer's people read the incidents
that affect their organisation, with the public updates only, and get 404 for others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.analysis.forms import ActionForm, AnalysisForm
from baozhang.analysis.models import SubjectKind
from baozhang.analysis.selectors import action_state, analysis_of
from baozhang.catalog.models import Service
from baozhang.desk.selectors import visible_tickets
from baozhang.events.selectors import timeline
from baozhang.incidents import services
from baozhang.incidents.forms import (
    DispatchForm,
    EditForm,
    FilterForm,
    FromTicketForm,
    IncidentForm,
    MitigateForm,
    ResolveForm,
    ReviewForm,
    UpdateForm,
)
from baozhang.incidents.models import LIFECYCLE, OPEN_STATUSES, IncidentStatus
from baozhang.incidents.selectors import (
    fault_statistics,
    open_first,
    visible_incidents,
    visible_updates,
)
from baozhang.notify.selectors import unreached_about, unreached_text
from baozhang.ui.feedback import refusal_on_form, report_refusal

ACTION_FORMS: dict[str, type[Any]] = {
    "dispatch": DispatchForm,
    "update": UpdateForm,
    "mitigate": MitigateForm,
    "resolve": ResolveForm,
    "review": ReviewForm,
    # The cause analysis of a reviewed incident (baozhang/analysis): category and root
    # cause, and one more corrective or preventive action.
    "analyse": AnalysisForm,
    "add_action": ActionForm,
}


def _can_work(request: HttpRequest) -> bool:
    return can(request.user, Capability.WORK_INCIDENTS)


def _require_work(request: HttpRequest) -> None:
    if not _can_work(request):
        raise PermissionDenied(_("You are not allowed to work on incidents."))


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    qs = visible_incidents(request.user)
    form = FilterForm(request.GET or None)
    if not is_operator_staff(request.user):
        form.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            pk__in=qs.exclude(service=None).values("service_id")
        )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["service"] is not None:
            qs = qs.filter(service=data["service"])
        if data["classification"]:
            qs = qs.filter(classification=data["classification"])
    page = Paginator(open_first(qs), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/incident_list.html",
        {
            "page": page,
            "incidents": page.object_list,
            "form": form,
            "can_work": _can_work(request),
            "is_staff": is_operator_staff(request.user),
            "now": timezone.now(),
        },
    )


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    _require_work(request)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["customers"] = list(data["customers"]) or None
        data["assets"] = list(data["assets"])
        try:
            incident = services.open_incident(request.user, **data)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Incident %(ref)s opened.") % {"ref": incident.reference})
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/incident_form.html", {"form": form})


@login_required
@require_POST
def from_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(visible_tickets(request.user), pk=ticket_id)
    _require_work(request)
    form = FromTicketForm(request.POST)
    if not form.is_valid():
        raise Http404  # only the desk's own button posts here
    data = {k: v for k, v in form.cleaned_data.items() if v}
    try:
        incident = services.open_from_ticket(request.user, ticket, **data)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("desk:ticket", pk=ticket.pk)
    messages.success(request, _("Incident %(ref)s opened.") % {"ref": incident.reference})
    return redirect("incidents:detail", pk=incident.pk)


def _edit_initial(incident: Any) -> dict[str, Any]:
    return {
        "title": incident.title,
        "service": incident.service,
        "classification": incident.classification,
        "severity": incident.severity,
        "restore_target_minutes": incident.restore_target_minutes,
        "responsibility": incident.responsibility,
        "customers": list(incident.customers.all()),
        "assets": list(incident.assets.all()),
        "is_public": incident.is_public,
        "is_emergency": incident.is_emergency,
        "emergency_procedure": incident.emergency_procedure,
        "emergency_plan": incident.emergency_plan,
        "cause": incident.cause,
        "impact": incident.impact,
    }


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user), pk=pk)
    _require_work(request)
    form = EditForm(request.POST or None, initial=_edit_initial(incident))
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.changed_data}
        if "customers" in fields:
            fields["customers"] = list(fields["customers"])
        if "assets" in fields:
            fields["assets"] = list(fields["assets"])
        if "severity" in fields and "restore_target_minutes" in fields:
            # The severity's own target wins unless the person changed only the target.
            fields.pop("restore_target_minutes")
        try:
            services.update_fields(request.user, incident, **fields)
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("incidents:detail", pk=incident.pk)
    return render(request, "incidents/incident_edit.html", {"form": form, "incident": incident})


def _forms(data: Any = None, action: str = "") -> dict[str, Any]:
    return {
        name: cls(data if action == name else None, prefix=name)
        for name, cls in ACTION_FORMS.items()
    }


def _lifecycle(incident: Any) -> list[dict[str, Any]]:
    here = LIFECYCLE.index(incident.status)
    return [
        {
            "value": value,
            "label": IncidentStatus(value).label,
            "at": getattr(incident, f"{value}_at"),
            "current": n == here,
            "done": n <= here,
        }
        for n, value in enumerate(LIFECYCLE)
    ]


def _actions(review: Any) -> list[Any]:
    """The review's actions (those of the incident's cause analysis), each with its state."""
    if review is None:
        return []
    rows = list(review.actions.select_related("owner", "done_by"))
    for a in rows:
        a.state = action_state(a)
    return rows


def _detail(request: HttpRequest, incident: Any, forms: dict[str, Any]) -> HttpResponse:
    staff = is_operator_staff(request.user)
    review = getattr(incident, "review", None) if staff else None
    analysis = analysis_of(SubjectKind.INCIDENT, incident.pk) if staff else None
    if analysis is not None and not forms["analyse"].is_bound:
        forms["analyse"] = AnalysisForm(
            prefix="analyse",
            current=analysis.category,
            initial={"category": analysis.category_id, "root_cause": analysis.root_cause},
        )
    now = timezone.now()
    end = incident.resolved_at or now
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "updates": visible_updates(request.user, incident),
            "events": timeline(request.user, incident) if staff else [],
            "review": review,
            "review_actions": _actions(review),
            "analysis": analysis,
            "customers": incident.customers.all() if staff else [],
            "not_notified": (
                [unreached_text(u) for u in unreached_about(incident)] if staff else []
            ),
            "assets": incident.assets.all() if staff else [],
            "monitors": incident.monitors.all() if staff else [],
            "tickets": visible_tickets(request.user).filter(incidents=incident),
            "lifecycle": _lifecycle(incident),
            "forms": forms,
            "review_rows": forms["review"].action_rows(),
            "is_staff": staff,
            "can_work": _can_work(request) and staff,
            "is_open": incident.status in OPEN_STATUSES,
            "can_review": incident.status == IncidentStatus.RESOLVED,
            "overdue": incident.status in OPEN_STATUSES and incident.restore_due_at < now,
            "duration_minutes": int((end - incident.detected_at).total_seconds() // 60),
            "target_met": (
                incident.resolved_at <= incident.restore_due_at if incident.resolved_at else None
            ),
        },
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(visible_incidents(request.user), pk=pk)
    return _detail(request, incident, _forms())


@login_required
@require_POST
def incident_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the small forms of the detail page, named by the POST field ``action``."""
    incident = get_object_or_404(visible_incidents(request.user), pk=pk)
    _require_work(request)
    action = request.POST.get("action", "")
    forms = _forms(request.POST, action)
    try:
        if action == "acknowledge":
            services.acknowledge(request.user, incident)
        elif action == "complete":
            _complete(request, incident)
        elif action in forms:
            form = forms[action]
            if not form.is_valid():
                messages.error(request, _("Please correct the errors below."))
                return _detail(request, incident, forms)
            _run(request, incident, action, dict(form.cleaned_data))
        else:
            raise ValidationError(
                {"action": _("Unknown action %(action)s.") % {"action": action or "—"}}
            )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("incidents:detail", pk=incident.pk)


def _run(request: HttpRequest, incident: Any, action: str, data: dict[str, Any]) -> None:
    user = request.user
    if action == "dispatch":
        services.dispatch(user, incident, **data)
    elif action == "update":
        services.post_update(user, incident, message=data["message"], is_public=data["is_public"])
    elif action == "mitigate":
        services.mitigate(user, incident, data["message"])
    elif action == "resolve":
        services.resolve(user, incident, **data)
    elif action == "review":
        services.review(
            user,
            incident,
            cause=data["cause"],
            prevention=data["prevention"],
            actions=data["actions"],
            category=data.get("category"),
        )
    elif action == "analyse":
        services.analyse_incident(
            user, incident, root_cause=data["root_cause"], category=data["category"]
        )
    elif action == "add_action":
        if not hasattr(incident, "review"):
            raise ValidationError(
                {"action": _("Review the incident before adding actions to its analysis.")}
            )
        services.add_action(user, incident, **data)


def _complete(request: HttpRequest, incident: Any) -> None:
    review = getattr(incident, "review", None)
    try:
        action_id = int(request.POST.get("review_action", ""))
    except ValueError:
        raise Http404 from None
    if review is None:
        raise Http404
    services.complete_action(request.user, get_object_or_404(review.actions, pk=action_id))


def _parse_day(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return default


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    """Faults per class over a period (Q4 (1)(3), Q5): staff only."""
    if not is_operator_staff(request.user):
        raise Http404
    today = timezone.localdate()
    first = _parse_day(request.GET.get("start", ""), today.replace(month=1, day=1))
    last = _parse_day(request.GET.get("end", ""), today)
    if last < first:
        first, last = last, first
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    rows = fault_statistics(start, end)
    for row in rows:
        row["minutes"] = int(row["duration"].total_seconds() // 60)
    return render(
        request,
        "incidents/statistics.html",
        {
            "rows": rows,
            "first": first,
            "last": last,
            "total_count": sum(r["count"] for r in rows),
            "total_minutes": sum(r["minutes"] for r in rows),
            "total_missed": sum(r["missed"] for r in rows),
        },
    )
