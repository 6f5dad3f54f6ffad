"""Callback pages: the agents' to-do list with the script, and the customer's survey."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baozhang.accounts.permissions import is_operator_staff
from baozhang.desk import callbacks
from baozhang.desk.models import Callback, CallbackStatus
from baozhang.desk.selectors import visible_tickets
from baozhang.ui.feedback import report_refusal

SATISFACTION = [(n, f"{n} ★") for n in range(5, 0, -1)]


class CallForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=gettext_lazy("Did you reach the customer?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No answer"))],
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("Satisfaction"),
        coerce=int,
        choices=SATISFACTION,
        required=False,
        empty_value=None,
    )
    outcome = forms.CharField(
        label=gettext_lazy("What the customer said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you?"),
        coerce=int,
        choices=SATISFACTION,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything to tell us?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _visible(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Callback.objects.filter(ticket__in=visible_tickets(request.user)).select_related(
        "ticket__customer", "ticket__contact"
    )


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    show = request.GET.get("show", "todo")
    qs = _visible(request)
    qs = qs.filter(status=CallbackStatus.PENDING) if show == "todo" else qs.order_by("-due_at")
    return render(
        request,
        "desk/callback_list.html",
        {"callbacks": qs[:200], "show": show, "now": timezone.now()},
    )


@login_required
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    callback = get_object_or_404(_visible(request), pk=pk)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            callbacks.record_call(request.user, callback, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Callback recorded."))
            return redirect("desk:callbacks")
    return render(request, "desk/callback_detail.html", {"callback": callback, "form": form})


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey link sent to the customer: no sign-in, the token is the key."""
    callback = Callback.objects.select_related("ticket").filter(survey_token=token).first()
    if callback is None:
        raise Http404
    form = SurveyForm(request.POST or None)
    done = callback.status != CallbackStatus.PENDING
    if request.method == "POST" and not done and form.is_valid():
        try:
            callbacks.answer_survey(token, **form.cleaned_data)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            done = True
    return render(request, "desk/survey.html", {"callback": callback, "form": form, "done": done})
