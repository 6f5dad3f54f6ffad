"""The agents' quick call form and the call log; customers' people see their own calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import is_operator_staff
from baozhang.calls import services
from baozhang.calls.forms import CallForm
from baozhang.calls.models import CallChannel
from baozhang.calls.selectors import visible_calls
from baozhang.ui.feedback import refusal_on_form


@login_required
def log_call(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404  # customers' people need not learn that the form exists
    form = CallForm(
        request.POST or None,
        initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            call = services.record_call(
                request.user,  # type: ignore[arg-type]
                channel=data["channel"],
                direction=data["direction"],
                number=data["number"],
                caller_name=data["caller_name"],
                customer=data["customer"],
                started_at=data["started_at"],
                answered=data["answered"],
                duration_seconds=data["duration"],
                note=data["note"],
                follow_up=data["follow_up"],
                ticket_kind=data["ticket_kind"],
                subject=data["subject"],
            )
        except ValidationError as exc:
            refusal_on_form(form, exc, {"duration_seconds": "duration"})
        else:
            if call.ticket is not None:
                messages.success(
                    request,
                    _("Call logged; ticket %(reference)s opened.")
                    % {"reference": call.ticket.reference},
                )
            else:
                messages.success(request, _("Call logged."))
            return redirect("calls:log")
    recent = visible_calls(request.user)[:10]
    return render(request, "calls/log.html", {"form": form, "recent": recent})


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    qs = visible_calls(request.user)
    channel = request.GET.get("channel", "")
    if channel in CallChannel.values:
        qs = qs.filter(channel=channel)
    answered = request.GET.get("answered", "")
    if answered in {"yes", "no"}:
        qs = qs.filter(answered=answered == "yes")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "calls/list.html",
        {
            "page": page,
            "channel": channel,
            "answered": answered,
            "channels": CallChannel.choices,
            "staff": is_operator_staff(request.user),
        },
    )


@login_required
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = get_object_or_404(visible_calls(request.user), pk=call_id)
    return render(
        request,
        "calls/detail.html",
        {"call": call, "staff": is_operator_staff(request.user)},
    )
