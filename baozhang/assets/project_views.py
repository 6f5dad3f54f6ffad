"""Pages of construction projects and their handover to maintenance (工程交接, I6). Thin:
each POST calls one service of assets/projects.py; a refusal comes back on the page.

Projects are the operator's: its staff read them, a customer's people see none (404);
changes need the capability of keeping equipment (services.MANAGE).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.assets import projects, services
from baozhang.assets.models import ConstructionProject, HandoverItem
from baozhang.assets.project_forms import AcceptForm, HandoverItemForm, ProjectForm, TestForm
from baozhang.assets.views import _require_manage
from baozhang.events.selectors import timeline
from baozhang.ui.feedback import refusal_on_form, report_refusal


def _project(request: HttpRequest, pk: int) -> ConstructionProject:
    if not is_operator_staff(request.user):
        raise Http404
    return get_object_or_404(ConstructionProject, pk=pk)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    rows = ConstructionProject.objects.prefetch_related("assets").order_by("-created_at", "-id")
    return render(
        request,
        "assets/project_list.html",
        {"projects": rows[:500], "can_manage": can(request.user, services.MANAGE)},
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    may_manage = can(request.user, services.MANAGE)
    latest = projects.latest_results(project)
    return render(
        request,
        "assets/project_detail.html",
        {
            "project": project,
            "can_manage": may_manage and not project.accepted,
            "assets": list(project.assets.order_by("name")),
            "responsible": list(project.responsible.order_by("username")),
            "tests": list(project.tests.select_related("tester").order_by("tested_on", "id")),
            "latest_ids": {t.pk for t in latest.values()},
            "items": list(project.handover_items.select_related("checked_by")),
            "refusals": projects.acceptance_refusals(project, request.user) if may_manage else [],
            "test_form": TestForm(initial={"tester": request.user.pk}),
            "item_form": HandoverItemForm(),
            "accept_form": AcceptForm(),
            "events": timeline(request.user, project),
        },
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.create_project(request.user, **form.project_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Construction project created."))
            return redirect("assets:project", pk=project.pk)
    return render(request, "assets/project_form.html", {"form": form})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            projects.update_project(request.user, project, **form.project_fields())
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Construction project saved."))
            return redirect("assets:project", pk=project.pk)
    return render(request, "assets/project_form.html", {"form": form, "project": project})


def _done(request: HttpRequest, project: ConstructionProject, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("assets:project", pk=project.pk)


def _refused(request: HttpRequest, project: ConstructionProject, exc: Exception) -> HttpResponse:
    assert isinstance(exc, ValidationError)
    report_refusal(request, exc)
    return redirect("assets:project", pk=project.pk)


def _form_errors(request: HttpRequest, project: ConstructionProject, form: object) -> HttpResponse:
    errors = getattr(form, "errors", {})
    messages.error(request, " ".join(f"{k}: {e}" for k, errs in errors.items() for e in errs))
    return redirect("assets:project", pk=project.pk)


@login_required
@require_POST
def test_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = TestForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, project, form)
    try:
        projects.record_test(request.user, project, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, project, exc)
    return _done(request, project, _("Acceptance test recorded."))


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = HandoverItemForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, project, form)
    try:
        projects.add_handover_item(request.user, project, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, project, exc)
    return _done(request, project, _("Handover item added."))


@login_required
@require_POST
def item_check(request: HttpRequest, item_id: int) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    item = get_object_or_404(HandoverItem.objects.select_related("project"), pk=item_id)
    _require_manage(request)
    try:
        projects.check_handover_item(request.user, item)
    except ValidationError as exc:
        return _refused(request, item.project, exc)
    return _done(request, item.project, _("Handover item checked."))


@login_required
@require_POST
def project_accept(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = AcceptForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        started = projects.accept_handover(request.user, project, note=note)
    except ValidationError as exc:
        return _refused(request, project, exc)
    return _done(
        request,
        project,
        _("Handover accepted: %(n)d asset(s) put in service.") % {"n": len(started)},
    )
