"""The agent console and the customer portal: the same URLs, what each person may do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import is_operator_staff
from baozhang.core.text import clean_line, clean_text
from baozhang.desk import services, ticket_page
from baozhang.desk.customer_fields import refuse_operator_fields
from baozhang.desk.forms import AssignForm, BulkAssignForm, NewTicketForm, ReplyForm
from baozhang.desk.models import (
    Channel,
    Level,
    Priority,
    SavedView,
    Status,
    TicketKind,
    Visibility,
)
from baozhang.desk.queue_rows import queue_rows, rows_html, slim
from baozhang.desk.selectors import QUEUE_VIEWS, queue, visible_messages, visible_tickets
from baozhang.events.selectors import timeline
from baozhang.notify.selectors import unreached_about, unreached_text
from baozhang.ui.feedback import report_refusal
from baozhang.ui.paging import page_of
from baozhang.ui.search import search_text


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    staff = is_operator_staff(request.user)
    view = request.GET.get("view", "open" if staff else "all")
    qs = queue(request.user, view if view in QUEUE_VIEWS else "open")
    query = search_text(request.GET.get("q", ""))
    if query:
        qs = qs.filter(subject__icontains=query) | qs.filter(reference__iexact=query)
    filters = {key: request.GET.get(key, "") for key in FILTERS}
    if not filters["customer"].isdigit():
        filters["customer"] = ""  # a malformed filter is ignored, not a server error
    qs = qs.filter(**{FILTERS[k]: v for k, v in filters.items() if v})
    # Counted at most 20 pages ahead: the exact count of the open tickets cost more than
    # the rest of the page together (ui/paging.py).
    page = page_of(slim(qs), 50, request.GET.get("page"))
    labels = {
        "open": _("Open"),
        "mine": _("Mine"),
        "unassigned": _("Unassigned"),
        "green": _("Green channel"),
        "breached": _("Breached"),
        "due_soon": _("Deadline near"),
        "waiting": _("Waiting for the customer"),
        "all": _("All"),
    }
    return render(
        request,
        "desk/ticket_list.html",
        {
            "page": page,
            "rows": rows_html(queue_rows(page), staff=staff, green_label=_("Green channel")),
            "view": view,
            "views": [(v, labels[v]) for v in QUEUE_VIEWS],
            "q": query,
            "staff": staff,
            "now": timezone.now(),
            "assign_form": BulkAssignForm() if staff else None,
            "filters": filters,
            "kinds": TicketKind.choices,
            "priorities": Priority.choices,
            "statuses": Status.choices,
            "saved_views": SavedView.objects.filter(user=request.user) if staff else [],
            "current_query": request.GET.urlencode(),
        },
    )


# Queue filters: query-string name → lookup.
FILTERS = {"kind": "kind", "priority": "priority", "status": "status", "customer": "customer_id"}


@login_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filter under a name (or delete a saved one)."""
    if not is_operator_staff(request.user):
        raise PermissionDenied
    if request.POST.get("delete"):
        SavedView.objects.filter(user=request.user, pk=request.POST["delete"]).delete()
        return redirect("desk:tickets")
    name = clean_line(request.POST.get("name", ""))[:60]
    query = clean_line(request.POST.get("query", ""))[:500]
    if not name:
        messages.error(request, _("Give the view a name."))
        return redirect(f"{reverse('desk:tickets')}?{query}")
    SavedView.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
    messages.success(request, _("View saved."))
    return redirect(f"{reverse('desk:tickets')}?{query}")


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    staff = is_operator_staff(request.user)
    form = NewTicketForm(request.POST or None, request.FILES or None, staff=staff)
    if request.method == "POST" and not staff:
        # Fields the portal form does not offer a customer are the operator's: say so.
        try:
            refuse_operator_fields(request.user, request.POST, opening=True)
        except ValidationError as exc:
            for message in exc.message_dict.get(NON_FIELD_ERRORS, []):
                form.add_error(None, message)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("attachment", None)
        if staff:
            data["channel"] = data.get("channel") or Channel.AGENT
        else:
            data["customer"] = request.user.organisation
            data["channel"] = Channel.PORTAL
        try:
            with transaction.atomic():  # the ticket and its file together, or neither
                ticket = services.open_ticket(request.user, **data)
                if upload:
                    services.attach(request.user, ticket, upload, channel=data["channel"])
        except (ValidationError, PermissionDenied) as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Ticket %(ref)s is opened.") % {"ref": ticket.reference})
            return redirect("desk:ticket", pk=ticket.pk)
    return render(request, "desk/ticket_form.html", {"form": form, "staff": staff})


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(visible_tickets(request.user), pk=pk)
    staff = is_operator_staff(request.user)
    reply_form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and reply_form.is_valid():
        internal = staff and request.POST.get("internal") == "1"
        channel = Channel.AGENT if staff else Channel.PORTAL
        try:
            with transaction.atomic():  # the reply and its file together, or neither
                message = services.reply(
                    request.user,
                    ticket,
                    reply_form.cleaned_data["body"],
                    internal=internal,
                    channel=channel,
                )
                upload = reply_form.cleaned_data.get("attachment")
                if upload:
                    services.attach(request.user, ticket, upload, channel=channel)
        except (ValidationError, PermissionDenied) as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("Note saved.") if message.visibility == Visibility.INTERNAL else _("Reply sent."),
            )
            return redirect("desk:ticket", pk=ticket.pk)
    assign_form = (
        AssignForm(
            initial={
                "assignee": ticket.assignee,
                "group": ticket.group,
                "priority": ticket.priority,
                "green_channel": ticket.green_channel,
            }
        )
        if staff
        else None
    )
    now = timezone.now()
    thread = list(visible_messages(request.user, ticket))
    return render(
        request,
        "desk/ticket_detail.html",
        {
            "ticket": ticket,
            "staff": staff,
            "reply_form": reply_form,
            "assign_form": assign_form,
            "messages_list": thread,
            "clocks": ticket.clocks.all(),
            "events": timeline(request.user, ticket),
            "now": now,
            "statuses": [(s.value, s.label) for s in Status if s != Status.NEW],
            "can_escalate": staff and ticket.level < Level.SERVICE_DIRECTOR,
            "not_notified": [unreached_text(u) for u in unreached_about(ticket)] if staff else [],
            "next_level": Level(min(ticket.level + 1, Level.SERVICE_DIRECTOR)).label,
            "incidents": ticket.incidents.all() if staff else (),
            "incident_form": None,
            # what the areas above the desk add (incidents, inbound mail): ticket_page.py
            **ticket_page.contributions(request, ticket, thread, staff=staff),
        },
    )


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_object_or_404(visible_tickets(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        _act(request, ticket, action)
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("desk:ticket", pk=ticket.pk)


def _act(request: HttpRequest, ticket: Any, action: str) -> None:
    user = request.user
    if action == "status":
        services.change_status(
            user,
            ticket,
            request.POST.get("status", ""),
            reason=clean_text(request.POST.get("reason", "")),
        )
    elif action == "take":
        services.update_ticket(user, ticket, assignee=user)
    elif action == "assign":
        form = AssignForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        services.update_ticket(user, ticket, **form.cleaned_data)
    elif action == "escalate":
        services.escalate(user, ticket, clean_text(request.POST.get("reason", "")))
    elif action == "rate":
        rating = request.POST.get("rating", "")
        services.rate(user, ticket, int(rating) if rating.isdigit() else 0)
    else:
        raise ValidationError(_("Unknown action."))


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign many tickets at once from the queue (to me, or to a chosen person)."""
    if not is_operator_staff(request.user):
        raise PermissionDenied
    form = BulkAssignForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("ticket") if i.isdigit()]
    if not form.is_valid() or not ids:
        messages.error(request, _("Choose tickets and a person."))
        return redirect(request.META.get("HTTP_REFERER") or "desk:tickets")
    assignee = form.cleaned_data["assignee"] or request.user
    done = 0
    for ticket in visible_tickets(request.user).filter(pk__in=ids):
        try:
            services.update_ticket(request.user, ticket, assignee=assignee)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            report_refusal(request, exc)
    messages.success(
        request, _("%(n)s tickets assigned to %(who)s.") % {"n": done, "who": assignee}
    )
    return redirect("desk:tickets")
