"""Pages of construction projects and their handover to maintenance (工程交接, I6). Thin:
each POST calls one service of assets/projects.py; a refusal comes back on the page.

Projects are the operator's: its staff read them, a customer's people see none (404);
changes need the capability of keeping equipment (services.MANAGE).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
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
from baozhang.ui.feedback import posted, saved


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
    project = saved(
        request,
        form,
        lambda: projects.create_project(request.user, **form.project_fields()),
        _("Construction project created."),
    )
    if project is not None:
        return redirect("assets:project", pk=project.pk)
    return render(request, "assets/project_form.html", {"form": form})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = ProjectForm(request.POST or None, instance=project)
    if saved(
        request,
        form,
        lambda: projects.update_project(request.user, project, **form.project_fields()),
        _("Construction project saved."),
    ):
        return redirect("assets:project", pk=project.pk)
    return render(request, "assets/project_form.html", {"form": form, "project": project})


def _back(project: ConstructionProject) -> HttpResponse:
    return redirect("assets:project", pk=project.pk)


@login_required
@require_POST
def test_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = TestForm(request.POST)
    posted(
        request,
        form,
        lambda: projects.record_test(request.user, project, **form.cleaned_data),
        _("Acceptance test recorded."),
    )
    return _back(project)


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = HandoverItemForm(request.POST)
    posted(
        request,
        form,
        lambda: projects.add_handover_item(request.user, project, **form.cleaned_data),
        _("Handover item added."),
    )
    return _back(project)


@login_required
@require_POST
def item_check(request: HttpRequest, item_id: int) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    item = get_object_or_404(HandoverItem.objects.select_related("project"), pk=item_id)
    _require_manage(request)
    posted(
        request,
        None,
        lambda: projects.check_handover_item(request.user, item),
        _("Handover item checked."),
    )
    return _back(item.project)


@login_required
@require_POST
def project_accept(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_manage(request)
    form = AcceptForm(request.POST)
    posted(
        request,
        form,
        lambda: projects.accept_handover(request.user, project, note=form.cleaned_data["note"]),
        lambda started: (
            _("Handover accepted: %(n)d asset(s) put in service.") % {"n": len(started)}
        ),
    )
    return _back(project)
