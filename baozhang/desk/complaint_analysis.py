"""A complaint ticket's cause analysis (Q2, S4), on the ticket's page.

The desk owns complaints; the analysis of one (upheld or not, its cause category, root
cause, the service concerned, and its corrective and preventive actions) is kept by
baozhang/analysis, the one tracker of actions, which sits below the desk
(docs/architecture.md): the desk calls it, it never reads the desk. :func:`panel` is the
desk's own contribution to the ticket page (registered in DeskConfig.ready through
ticket_page.py, like the areas above); :func:`complaint_analysis` takes its forms' POSTs.
The operator's staff see it; those who work tickets change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.analysis import services as analysis
from baozhang.analysis.forms import ActionForm, AnalysisForm
from baozhang.analysis.models import SubjectKind
from baozhang.analysis.selectors import action_state, actions_of, analysis_of
from baozhang.desk.models import Ticket, TicketKind, TicketMessage
from baozhang.desk.selectors import visible_tickets
from baozhang.ui.feedback import report_refusal


def _analysis_form(found: Any, data: Any = None) -> AnalysisForm:
    initial = {}
    if found is not None:
        initial = {
            "upheld": "yes" if found.upheld else "no",
            "service": found.service_id,
            "category": found.category_id,
            "root_cause": found.root_cause,
        }
    return AnalysisForm(
        data,
        prefix="analyse",
        complaint=True,
        current=found.category if found is not None else None,
        initial=initial,
    )


def panel(
    request: HttpRequest, ticket: Ticket, thread: Sequence[TicketMessage], staff: bool
) -> dict[str, Any]:
    """The analysis panel of a complaint, for the operator's staff (nothing otherwise)."""
    if not staff or ticket.kind != TicketKind.COMPLAINT:
        return {}
    found = analysis_of(SubjectKind.COMPLAINT, ticket.pk)
    actions = list(actions_of(SubjectKind.COMPLAINT, ticket.pk).select_related("owner", "done_by"))
    rows = [{"action": a, "state": action_state(a)} for a in actions]
    can_work = can(request.user, Capability.WORK_TICKETS)
    return {
        "complaint_analysis": {
            "analysis": found,
            "rows": rows,
            "can_work": can_work,
            "form": _analysis_form(found) if can_work else None,
            "action_form": ActionForm(prefix="action") if can_work and found else None,
        }
    }


@login_required
@require_POST
def complaint_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """``op`` = analyse (upheld, service, category, root cause) or add_action."""
    ticket = get_object_or_404(visible_tickets(request.user), pk=pk)
    if not is_operator_staff(request.user) or ticket.kind != TicketKind.COMPLAINT:
        raise Http404
    op = request.POST.get("op", "")
    found = analysis_of(SubjectKind.COMPLAINT, ticket.pk)
    try:
        if not can(request.user, Capability.WORK_TICKETS):
            raise PermissionDenied(_("You are not allowed to do this."))
        if op == "analyse":
            form = _analysis_form(found, request.POST)
            if not form.is_valid():
                raise ValidationError(_errors(form))
            data = form.cleaned_data
            analysis.analyse(
                request.user,
                subject_kind=SubjectKind.COMPLAINT,
                subject_id=ticket.pk,
                subject_label=f"{ticket.reference} {ticket.subject}",
                occurred_at=ticket.created_at,
                service=data.get("service"),
                category=data.get("category"),
                root_cause=data.get("root_cause", ""),
                upheld=data["upheld"],
                parent=ticket,
            )
        elif op == "add_action":
            if found is None:
                raise ValidationError(_("Analyse the complaint before adding actions."))
            form = ActionForm(request.POST, prefix="action")
            if not form.is_valid():
                raise ValidationError(_errors(form))
            analysis.add_action(request.user, found, parent=ticket, **form.cleaned_data)
        else:
            raise ValidationError(_("Unknown action %(action)s.") % {"action": op or "—"})
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("desk:ticket", pk=ticket.pk)


def _errors(form: Any) -> list[str]:
    return [
        f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
        for k, v in form.errors.items()
    ]
