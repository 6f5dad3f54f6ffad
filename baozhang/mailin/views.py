"""Staff pages: the quarantine and one inbound message, with release and ignore. Only the
operator's staff see them; everybody else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, is_operator_staff, require
from baozhang.events.text import render as say
from baozhang.mailin import intake, parsing
from baozhang.mailin.models import InboundMessage, InboundStatus
from baozhang.ui.feedback import report_refusal


def _staff_only(request: HttpRequest) -> None:
    if not is_operator_staff(request.user):
        raise Http404


@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    status = request.GET.get("status", InboundStatus.QUARANTINED)
    qs = InboundMessage.objects.select_related("ticket", "mailbox")
    if status in InboundStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mailin/quarantine.html",
        {"page": page, "status": status, "statuses": InboundStatus.choices},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    inbound = get_object_or_404(InboundMessage.objects.select_related("ticket"), pk=pk)
    try:
        with inbound.raw.open("rb") as fh:
            mail = parsing.parse(fh.read(), max_attachment_bytes=0)
    except OSError:
        mail = None
    customers = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER, is_active=True)
    return render(
        request,
        "mailin/detail.html",
        {
            "inbound": inbound,
            "mail": mail,
            "customers": customers.order_by("name"),
            "suggested": intake.match_sender(inbound.from_address, inbound.mailbox).customer,
            # What could not be read, in the reader's language.
            "defects": [say(d.msgid, dict(d.params)) for d in mail.defects] if mail else [],
        },
    )


@login_required
def raw(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    inbound = get_object_or_404(InboundMessage, pk=pk)
    response = FileResponse(inbound.raw.open("rb"), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
    return response


@login_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    require(request.user, Capability.WORK_TICKETS)
    inbound = get_object_or_404(InboundMessage, pk=pk)
    customer = Organisation.objects.filter(
        pk=request.POST.get("customer") or 0, kind=OrganisationKind.CUSTOMER
    ).first()
    if customer is None:
        messages.error(request, _("Choose a customer"))
        return redirect("mailin:detail", pk=pk)
    try:
        inbound = intake.release(request.user, inbound, customer)  # type: ignore[arg-type]
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("mailin:detail", pk=pk)
    messages.success(request, inbound.reason_text)
    return redirect("mailin:detail", pk=pk)


@login_required
@require_POST
def ignore(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    require(request.user, Capability.WORK_TICKETS)
    inbound = get_object_or_404(InboundMessage, pk=pk)
    try:
        intake.ignore(request.user, inbound)  # type: ignore[arg-type]
    except ValidationError as exc:
        report_refusal(request, exc)
    return redirect("mailin:detail", pk=pk)
