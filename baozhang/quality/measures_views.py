"""The desk measures dashboard: a period, a grouping, a table per group with totals, and
the hotline connection rate. Customers' people see their own organisation's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baozhang.desk.models import Channel
from baozhang.quality.desk_measures import BY_CHOICES, desk_measures, month_of, period_bounds

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=_DATE)
    end = forms.DateField(label=_("To"), widget=_DATE)
    by = forms.ChoiceField(
        label=_("Group by"),
        choices=[("agent", _("Agent")), ("group", _("Group")), ("customer", _("Customer"))],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error(
                "end",
                _("The end %(end)s is before the start %(start)s.") % {"end": end, "start": start},
            )
        return data


def _minutes(value: dt.timedelta | None) -> str:
    """A duration as hours and minutes (1 h 05 min) or minutes (20 min); — for none."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def present(figures: Any) -> dict[str, Any]:
    """The figures as the table shows them."""
    return {
        "tickets": figures.tickets,
        "fr_median": _minutes(figures.first_response.median),
        "fr_p90": _minutes(figures.first_response.p90),
        "fr_business_median": _minutes(figures.first_response_business.median),
        "res_median": _minutes(figures.resolution.median),
        "res_p90": _minutes(figures.resolution.p90),
        "res_business_median": _minutes(figures.resolution_business.median),
        "sla": _percent(figures.sla_attainment),
        "clocks_met": figures.clocks_met,
        "clocks_finished": figures.clocks_finished,
        "reopen": _percent(figures.reopen_rate),
        "reopened": figures.reopened,
        "resolved": figures.resolved,
        "satisfaction": "—" if figures.satisfaction is None else f"{figures.satisfaction:.2f}",
        "satisfaction_count": figures.satisfaction_count,
    }


def present_calls(calls: Any) -> dict[str, Any]:
    return {
        "offered": calls.offered,
        "answered": calls.answered,
        "missed": calls.missed,
        "rate": _percent(calls.connection_rate),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    first, last = month_of(timezone.localdate())
    data: dict[str, Any] = {"start": first, "end": last, "by": "agent"}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=data)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
    by = data["by"] if data["by"] in BY_CHOICES else "agent"
    start, end = period_bounds(data["start"], data["end"])
    m = desk_measures(request.user, start, end, by)
    labels = dict(Channel.choices)  # calls use the desk's channel values
    return render(
        request,
        "quality/desk_measures.html",
        {
            "form": form,
            "by": by,
            "first": data["start"],
            "last": data["end"],
            "rows": [{"label": r.label, **present(r.figures)} for r in m.rows],
            "totals": present(m.totals),
            "calls": present_calls(m.calls),
            "calls_by_channel": [
                {"label": labels.get(k, k), **present_calls(v)}
                for k, v in m.calls_by_channel.items()
            ],
        },
    )
