"""The quality report page (Q3, Q4, Q5): the statistics of a month, quarter or year in the
reader's language, durations as people say them, rates as percentages, each counted fault
linked to the records behind it. Staff who read the audit only (quality inspector, service
director, administrator, security officer), as the JSON of /api/v1/quality/report.

:func:`report_document` gives the same report as a standalone HTML file (the command's
``--format html``)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import Capability, can
from baozhang.core.sla_text import duration_text
from baozhang.quality.report import NO_SOURCE, parse_period, quality_report
from baozhang.quality.report_sections import COUNT, FLAG, HOURS, RATE, Section, sections
from baozhang.quality.statistics import Scope
from baozhang.quality.xlsx import write_workbook

KINDS = [
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("year", gettext_lazy("Year")),
]


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report period"), choices=KINDS)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), choices=[(m, m) for m in range(1, 13)], coerce=int
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int
    )

    def period(self) -> str:
        data = self.cleaned_data
        if data["kind"] == "year":
            return f"{data['year']}"
        if data["kind"] == "quarter":
            return f"{data['year']}-Q{data['quarter']}"
        return f"{data['year']}-{data['month']:02d}"


def _initial(label: str) -> dict[str, Any]:
    """The picker's fields for a period label (2026-11, 2026-Q4, 2026)."""
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "kind": "month",
        "year": today.year,
        "month": today.month,
        "quarter": (today.month - 1) // 3 + 1,
    }
    year, _sep, rest = label.partition("-")
    if year.isdigit():
        initial["year"] = int(year)
        if not rest:
            initial["kind"] = "year"
        elif rest[:1] in "Qq" and rest[1:].isdigit():
            initial.update(kind="quarter", quarter=int(rest[1:]))
        elif rest.isdigit():
            initial.update(kind="month", month=int(rest))
    return initial


def _last_month() -> str:
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def _shown(value: Any, kind: str) -> str:
    """A figure as a person reads it."""
    if value is None:
        return "—"
    if kind == HOURS:
        en, zh = duration_text(dt.timedelta(seconds=round(value * 3600)))
        return zh if (get_language() or "").startswith("zh") else en
    if kind == RATE:
        return f"{value * 100:.2f} %"
    if kind == FLAG:
        return _("met") if value else _("not met")
    if kind == "time":
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    if kind == COUNT and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _one_language(note: str) -> str:
    """The reader's half of a bilingual note ("English / 中文")."""
    en, sep, zh = note.partition(" / ")
    if not sep:
        return note
    return zh if (get_language() or "").startswith("zh") else en


def _present(parts: list[Section], report: dict[str, Any], links: bool) -> list[dict[str, Any]]:
    start = timezone.localtime(dt.datetime.fromisoformat(report["period"]["start"])).date()
    end = timezone.localtime(dt.datetime.fromisoformat(report["period"]["end"])).date()
    statistics_url = ""
    if links:
        query = urlencode({"start": start, "end": end - dt.timedelta(days=1)})
        statistics_url = f"{reverse('incidents:statistics')}?{query}"
    shown = []
    for part in parts:
        shown.append(
            {
                "key": part.key,
                "title": part.title,
                "configured": part.configured,
                "note": "" if part.note == NO_SOURCE else _one_language(part.note),
                "figures": [
                    {
                        "label": f.spoken or f.label,
                        "value": _shown(f.value, f.kind),
                        "url": statistics_url if f.link == "statistics" else "",
                    }
                    for f in part.figures
                ],
                "tables": [
                    {
                        "title": t.title,
                        "columns": t.spoken or t.columns,
                        "rows": [
                            {
                                "cells": [_shown(v, k) for v, k in zip(row, t.kinds, strict=True)],
                                "url": reverse("incidents:detail", args=[t.links[i]])
                                if links and i < len(t.links)
                                else "",
                            }
                            for i, row in enumerate(t.rows)
                        ],
                    }
                    for t in part.tables
                ],
            }
        )
    return shown


def _context(report: dict[str, Any], links: bool) -> dict[str, Any]:
    start = timezone.localtime(dt.datetime.fromisoformat(report["period"]["start"]))
    end = timezone.localtime(dt.datetime.fromisoformat(report["period"]["end"]))
    scope = report["scope"]
    if scope["customer_id"] is not None:
        scope_text = _("Customer #%(id)s.") % {"id": scope["customer_id"]}
    elif scope["service_id"] is not None:
        scope_text = _("Service #%(id)s.") % {"id": scope["service_id"]}
    else:
        scope_text = _("The whole operator.")
    return {
        "scope_text": scope_text,
        "report": report,
        "first": start.date(),
        "last": (end - dt.timedelta(days=1)).date(),
        "generated": timezone.localtime(),
        "sections": _present(sections(report), report, links),
    }


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied(_("You are not allowed to read the quality report."))
    label = request.GET.get("period", "")
    form = PeriodForm(request.GET if "kind" in request.GET else None, initial=_initial(label))
    if form.is_bound and form.is_valid():
        label = form.period()
    label = label or _last_month()
    error = ""
    try:
        period = parse_period(label)
    except ValueError:
        error = _("The period %(period)s is not a month, quarter or year.") % {"period": label}
        label = _last_month()
        period = parse_period(label)
    if not form.is_bound:
        form = PeriodForm(initial=_initial(label))
    report = quality_report(period, Scope(), label=label)
    if request.GET.get("format") == "xlsx":
        buffer = io.BytesIO()
        write_workbook(report, buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="quality-{label}.xlsx"'
        return response
    context = _context(report, links=True)
    context.update(form=form, label=label, error=error)
    return render(request, "quality/report.html", context)


def report_document(report: dict[str, Any]) -> str:
    """The report as a standalone HTML file, in the current language, without links."""
    context = _context(report, links=False)
    context["label"] = report["period"]["label"]
    return render_to_string("quality/report_document.html", context)
