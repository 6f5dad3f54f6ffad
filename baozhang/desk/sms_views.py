"""Texts the SMS gateway delivered from numbers we do not know: shown to staff, never lost,
and given to a customer by hand."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import is_operator_staff
from baozhang.desk.models import InboundSms
from baozhang.desk.sms import release_sms
from baozhang.ui.feedback import report_refusal


class ReleaseForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Customer"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.CUSTOMER, is_active=True),
    )


@login_required
def sms_list(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    show = request.GET.get("show", "open")
    qs = InboundSms.objects.select_related("ticket")
    if show == "open":
        qs = qs.filter(ticket__isnull=True)
    return render(
        request, "desk/sms_list.html", {"texts": qs[:200], "show": show, "form": ReleaseForm()}
    )


@login_required
@require_POST
def sms_release(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    sms = get_object_or_404(InboundSms, pk=pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a customer."))
        return redirect("desk:sms")
    try:
        sms = release_sms(request.user, sms, form.cleaned_data["customer"])
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
        return redirect("desk:sms")
    messages.success(request, _("Ticket %(ref)s is opened.") % {"ref": sms.ticket.reference})
    return redirect("desk:ticket", pk=sms.ticket_id)
