"""Cause analysis pages: the taxonomy of cause categories (MANAGE_CAUSES) and the actions
page (every improvement action of the operator: open, overdue, mine, done; mark done).
Thin: each POST calls one service. The analysis forms of a fault and of a complaint live on
their own pages (the incident's review, the complaint ticket), which their areas render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.analysis import services
from baozhang.analysis.forms import CategoryForm, RenameForm
from baozhang.analysis.models import CauseCategory
from baozhang.analysis.selectors import (
    OVERDUE,
    action_state,
    categories,
    today,
    visible_actions,
    with_state,
)
from baozhang.analysis.subjects import link
from baozhang.ui.feedback import report_refusal

SHOWS = ("open", "overdue", "mine", "done")
SHOWN = 200


def _require_staff(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404


@login_required
def category_list(request: HttpRequest) -> HttpResponse:
    """The taxonomy: everyone of the operator's staff reads it; MANAGE_CAUSES changes it."""
    _require_staff(request)
    can_manage = can(request.user, Capability.MANAGE_CAUSES)
    form = CategoryForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        assert form is not None
        if form.is_valid():
            try:
                services.create_category(request.user, **form.cleaned_data)
            except ValidationError as exc:
                report_refusal(request, exc)
            else:
                messages.success(request, _("Cause category added."))
                return redirect("analysis:categories")
    rows = [
        (
            c,
            RenameForm(
                prefix=f"c{c.pk}",
                initial={"name": c.name, "name_en": c.name_en, "position": c.position},
            )
            if can_manage
            else None,
        )
        for c in categories()
    ]
    return render(
        request,
        "analysis/category_list.html",
        {"rows": rows, "form": form, "can_manage": can_manage},
    )


@login_required
@require_POST
def category_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename (``save``), deactivate, activate or delete one category."""
    _require_staff(request)
    category = get_object_or_404(CauseCategory, pk=pk)
    op = request.POST.get("op", "")
    try:
        if op == "save":
            form = RenameForm(request.POST, prefix=f"c{pk}")
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()]
                )
            services.update_category(request.user, category, **form.cleaned_data)
        elif op in ("deactivate", "activate"):
            services.update_category(request.user, category, active=op == "activate")
        elif op == "delete":
            services.delete_category(request.user, category)
        else:
            raise ValidationError(_("Unknown action %(action)s.") % {"action": op or "—"})
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("analysis:categories")


def _rows(actions: Any) -> list[dict[str, Any]]:
    on = today()
    return [
        {
            "action": a,
            "state": action_state(a, on),
            "subject": a.analysis.subject_label or str(a.analysis),
            "subject_kind": a.analysis.get_subject_kind_display(),
            "link": link(a.analysis.subject_kind, a.analysis.subject_id),
            "category": a.analysis.category.label if a.analysis.category else "",
        }
        for a in actions
    ]


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """Improvement actions: open (not done), overdue, mine (open, owned by me), done."""
    _require_staff(request)
    show = request.GET.get("show", "open")
    if show not in SHOWS:
        show = "open"
    qs = visible_actions(request.user)
    if show == "open":
        qs = qs.filter(done_at__isnull=True)
    elif show == "overdue":
        qs = with_state(qs, OVERDUE)
    elif show == "mine":
        qs = qs.filter(done_at__isnull=True, owner=request.user)
    else:
        qs = qs.filter(done_at__isnull=False).order_by("-done_at", "-id")
    total = qs.count()
    counts = {
        "open": visible_actions(request.user).filter(done_at__isnull=True).count(),
        "overdue": with_state(visible_actions(request.user), OVERDUE).count(),
        "mine": visible_actions(request.user)
        .filter(done_at__isnull=True, owner=request.user)
        .count(),
    }
    return render(
        request,
        "analysis/action_list.html",
        {
            "rows": _rows(qs[:SHOWN]),
            "show": show,
            "shows": [
                ("open", pgettext("action", "Open"), counts["open"]),
                ("overdue", _("Overdue"), counts["overdue"]),
                ("mine", _("Mine"), counts["mine"]),
                ("done", _("Done"), None),
            ],
            "total": total,
            "shown": SHOWN,
        },
    )


@login_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    action = get_object_or_404(visible_actions(request.user), pk=pk)
    try:
        services.complete_action(request.user, action)
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("analysis:actions")
