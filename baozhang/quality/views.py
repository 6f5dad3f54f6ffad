"""The quality report page (Q3, Q4, Q5): the statistics of a month, quarter or year and of
a scope (the whole operator, a region, a service or a customer) in the reader's language,
durations as people say them, rates as percentages, every figure linked to the list of
the records it was computed from (``records_page``, quality/drilldown.py). A period with a
frozen report (Q1) is flagged when records behind it changed since, each listed and
linked. Staff who read the audit only (quality inspector, service director,
administrator, security officer), as the JSON of /api/v1/quality/report.

:func:`report_document` gives the same report as a standalone HTML file (the command's
``--format html``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, can
from baozhang.catalog.models import Service
from baozhang.catalog.selectors import regions
from baozhang.core.sla_text import duration_text
from baozhang.desk.models import Channel
from baozhang.incidents.models import Classification, Responsibility
from baozhang.quality.drilldown import (
    ANSWERS,
    COMPLAINTS,
    INCIDENT_STATES,
    INCIDENTS,
    MONITORS,
    Filters,
    complaint_records,
    incident_records,
    monitor_records,
)
from baozhang.quality.files import FORMATS, file_response
from baozhang.quality.report import NO_SOURCE, parse_period, quality_report
from baozhang.quality.report_sections import COUNT, FLAG, HOURS, RATE, Section, sections
from baozhang.quality.selectors import change_targets, changed_since_frozen, latest_frozen
from baozhang.quality.statistics import (
    COMPLAINTS_OF_REGION,
    COMPLAINTS_OF_SERVICE,
    Period,
    Scope,
    check_scope,
    parse_scope,
)
from baozhang.ui.feedback import in_reader_language

KINDS = [
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("year", gettext_lazy("Year")),
]


class PeriodForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Report period"), choices=KINDS)
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"), choices=[(m, m) for m in range(1, 13)], coerce=int
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), choices=[(q, f"Q{q}") for q in range(1, 5)], coerce=int
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices()

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
        elif rest.isdigit() and 1 <= int(rest) <= 12:
            initial.update(kind="month", month=int(rest), quarter=(int(rest) - 1) // 3 + 1)
    return initial


def scope_choices() -> list[Any]:
    """The scope picker: the whole operator, then each region, service and customer."""
    language = get_language() or ""
    choices: list[Any] = [("", _("The whole operator"))]
    region_names = regions()
    if region_names:
        choices.append((_("Service regions"), [(f"region:{r}", r) for r in region_names]))
    services = [(f"service:{s.pk}", s.display_name(language)) for s in Service.objects.all()]
    if services:
        choices.append((_("Services"), services))
    customers = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("name")
    named = [(f"customer:{pk}", name) for pk, name in customers.values_list("pk", "name")]
    if named:
        choices.append((_("Customers"), named))
    return choices


def scope_text(scope: Scope) -> str:
    """The scope as a sentence, with the name of its customer, service or region."""
    if scope.customer_id is not None:
        name = Organisation.objects.filter(pk=scope.customer_id).values_list("name", flat=True)
        return _("Customer %(name)s.") % {"name": name[0] if name else f"#{scope.customer_id}"}
    if scope.service_id is not None:
        service = Service.objects.filter(pk=scope.service_id).first()
        shown = service.display_name(get_language() or "") if service else f"#{scope.service_id}"
        return _("Service %(name)s.") % {"name": shown}
    if scope.region is not None:
        return _("Region %(name)s: the services delivered from it.") % {"name": scope.region}
    return _("The whole operator.")


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


def records_url(label: str, scope: Scope, query: str) -> str:
    """The drill-down page of the period ``label`` and ``scope`` for ``query`` (a Figure's
    ``link``, e.g. ``what=incidents&state=open``)."""
    base = {"period": label}
    if scope.text:
        base["scope"] = scope.text
    if query.startswith("/"):  # records with a page of their own (quality/equipment.py)
        return f"{query}&{urlencode(base)}"
    return f"{reverse('quality:records')}?{urlencode(base)}&{query}"


def _row_url(link: Any, label: str, scope: Scope) -> str:
    if isinstance(link, int):
        return reverse("incidents:detail", args=[link])
    if isinstance(link, str) and link:
        return records_url(label, scope, link)
    return ""


def _present(parts: list[Section], report: dict[str, Any], links: bool) -> list[dict[str, Any]]:
    label = report["period"]["label"]
    scope = Scope(
        customer_id=report["scope"].get("customer_id"),
        service_id=report["scope"].get("service_id"),
        region=report["scope"].get("region"),
    )
    shown = []
    for part in parts:
        shown.append(
            {
                "key": part.key,
                "title": part.title,
                "configured": part.configured,
                "note": "" if part.note == NO_SOURCE else in_reader_language(part.note),
                "figures": [
                    {
                        "label": f.spoken or f.label,
                        "value": _shown(f.value, f.kind),
                        "url": records_url(label, scope, f.link) if links and f.link else "",
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
                                "url": _row_url(t.links[i], label, scope)
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
    return {
        "scope_text": scope_text(
            Scope(
                customer_id=scope.get("customer_id"),
                service_id=scope.get("service_id"),
                region=scope.get("region"),
            )
        ),
        "report": report,
        "first": start.date(),
        "last": (end - dt.timedelta(days=1)).date(),
        "generated": timezone.localtime(),
        "sections": _present(sections(report), report, links),
    }


def _require_reader(request: HttpRequest) -> None:
    if not can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied(_("You are not allowed to read the quality report."))


def _period_and_scope(
    request: HttpRequest,
) -> tuple[PeriodForm, str, Period, Scope, str]:
    """The picker, the period's label, the period, the scope, and an error to show (the
    last month and the whole operator stand in for what could not be read)."""
    label = request.GET.get("period", "")
    form = PeriodForm(request.GET if "kind" in request.GET else None, initial=_initial(label))
    scope_value = request.GET.get("scope", "")
    if form.is_bound and form.is_valid():
        label = form.period()
        scope_value = form.cleaned_data["scope"]
    label = label or _last_month()
    errors = []
    try:
        period = parse_period(label)
    except ValueError:
        errors.append(
            _("The period %(period)s is not a month, quarter or year.") % {"period": label[:40]}
        )
        label = _last_month()
        period = parse_period(label)
    try:
        scope = parse_scope(scope_value)
        check_scope(scope)
    except ValueError:
        errors.append(_("The scope %(scope)s is not known.") % {"scope": scope_value[:80]})
        scope = Scope()
    if not form.is_bound:
        form = PeriodForm(initial={**_initial(label), "scope": scope.text})
    return form, label, period, scope, " ".join(errors)


def present_changes(frozen: Any) -> list[dict[str, Any]]:
    """The records behind the frozen report changed since, each said in the reader's
    language and linked to the page it is shown on."""
    changes = []
    for c in change_targets(changed_since_frozen(frozen)):
        page = RECORD_URLS.get(c["page"])
        changes.append(
            {
                "kind": RECORD_KINDS.get(c["kind"], c["kind"]),
                "id": c["id"],
                "change": CHANGES.get(c["change"], c["change"]),
                "url": reverse(page, args=[c["page_id"]]) if page and c["page_id"] else "",
            }
        )
    return changes


def frozen_state(period: Period, scope: Scope) -> dict[str, Any] | None:
    """The latest approved report of the period and scope and the records behind it
    changed since it was frozen; None when there is none."""
    frozen = latest_frozen(period, scope)
    if frozen is None:
        return None
    return {"report": frozen, "changes": present_changes(frozen)}


RECORD_URLS = {
    "incident": "incidents:detail",
    "ticket": "desk:ticket",
    "monitor": "monitoring:monitor",
}
RECORD_KINDS = {
    "incidents": gettext_lazy("Incident"),
    "complaints": gettext_lazy("Complaint"),
    "clocks": gettext_lazy("Complaint's time limit"),
    "monitors": gettext_lazy("Monitor's check interval"),
    "state_spells": gettext_lazy("Monitor's state"),
}
CHANGES = {
    "changed": gettext_lazy("changed"),
    "added": gettext_lazy("now in the period"),
    "removed": gettext_lazy("no longer in the period"),
}


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form, label, period, scope, error = _period_and_scope(request)
    report = quality_report(period, scope, label=label)
    if request.GET.get("format") in FORMATS:
        return file_response(report, request.GET["format"])
    context = _context(report, links=True)
    query = {"period": label, **({"scope": scope.text} if scope.text else {})}
    context.update(
        form=form,
        label=label,
        error=error,
        query=urlencode(query),
        frozen=frozen_state(period, scope),
    )
    return render(request, "quality/report.html", context)


def _filters(request: HttpRequest) -> Filters:
    get = request.GET

    def one(name: str, allowed: Any = None) -> str | None:
        value = get.get(name)
        if value is None or (allowed is not None and value not in allowed):
            return None
        return value[:120]

    return Filters(
        cls=one("cls", Classification.values),
        state=one("state", INCIDENT_STATES),
        responsibility=one("responsibility", Responsibility.values),
        year_to_date=get.get("ytd") == "1",
        category=one("category"),
        channel=one("channel", Channel.values),
        answer=one("answer", ANSWERS),
    )


def _filter_text(filters: Filters) -> list[str]:
    """What the list keeps, said in the reader's language."""
    said = []
    if filters.year_to_date:
        said.append(_("from the first of January to the end of the period"))
    if filters.cls:
        said.append(str(Classification(filters.cls).label))
    if filters.responsibility:
        said.append(str(Responsibility(filters.responsibility).label))
    if filters.state:
        said.append(str(STATE_TEXT[filters.state]))
    if filters.category is not None:
        said.append(_("category %(name)s") % {"name": filters.category or _("(none)")})
    if filters.channel:
        said.append(str(Channel(filters.channel).label))
    if filters.answer:
        said.append(str(ANSWER_TEXT[filters.answer]))
    return said


STATE_TEXT = {
    "open": gettext_lazy("not yet restored"),
    "missed": gettext_lazy("restore target missed"),
    "emergency": gettext_lazy("emergency events"),
    "emergency_without_plan": gettext_lazy("emergency events without a recorded plan"),
}
ANSWER_TEXT = {
    "settled": gettext_lazy("answered"),
    "within": gettext_lazy("answered within 10 working days"),
    "late": gettext_lazy("answered late"),
    "pending": gettext_lazy("not yet answered"),
    "rated": gettext_lazy("satisfaction answers, one row each"),
}


def _spoken(delta: dt.timedelta) -> str:
    en, zh = duration_text(delta)
    return zh if (get_language() or "").startswith("zh") else en


# Records listed on one page of a figure's drill-down.
RECORDS_PER_PAGE = 100


@login_required
def records_page(request: HttpRequest) -> HttpResponse:
    """The records behind a figure of the report (quality/drilldown.py): the faults, the
    monitors with their periods, or the complaints of the period and scope that the
    figure counts, each linked to its own page."""
    _require_reader(request)
    _form, label, period, scope, error = _period_and_scope(request)
    what = request.GET.get("what", "")
    if what not in (INCIDENTS, MONITORS, COMPLAINTS):
        what = INCIDENTS
    filters = _filters(request)
    context: dict[str, Any] = {
        "what": what,
        "label": label,
        "error": error,
        "scope_text": scope_text(scope),
        "first": timezone.localtime(period.start).date(),
        "last": (timezone.localtime(period.end) - dt.timedelta(days=1)).date(),
        "filters": _filter_text(filters),
        "back": f"{reverse('quality:report')}?"
        + urlencode({"period": label, **({"scope": scope.text} if scope.text else {})}),
    }
    if what == INCIDENTS:
        rows = incident_records(period, scope, filters)
        total = sum((r["duration"] for r in rows), dt.timedelta())
        context.update(rows=rows, count=len(rows), total=_spoken(total))
    elif what == MONITORS:
        # The totals are the report's figure itself; the page's monitors are computed alone.
        monitors = monitor_records(period, scope)
        totals = monitors.totals
        context.update(
            rows=monitors,
            count=len(monitors),
            periods=totals["periods"],
            abnormal=totals["abnormal"],
            excluded=totals["excluded"],
            rate=_shown(totals["rate"], RATE),
        )
    else:
        found = complaint_records(period, scope, filters)
        if found is None:
            context.update(
                unattributable=in_reader_language(COMPLAINTS_OF_SERVICE), rows=[], count=0
            )
        else:
            scores = found.scores
            context.update(rows=found, count=len(found))
            if filters.answer == "rated" and scores:
                context["average"] = f"{sum(scores) / len(scores):.1f}"
            if scope.region is not None:
                context["note"] = in_reader_language(COMPLAINTS_OF_REGION)
    # The figures above are of every record; the list shows one page of them, so that a
    # year's 10,000 complaints or 2,000 monitors do not make one page (issue 16 §5).
    # (Only the page's records are labelled; a complaints' list reads their details only,
    # a monitors' list computes its page's monitors only.)
    page = Paginator(context["rows"], RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    if what == INCIDENTS:
        for r in page.object_list:
            r["spoken"] = _spoken(r["duration"])
            r["class_label"] = _choice_label(Classification, r["classification"])
    if what == MONITORS:
        for r in page.object_list:
            r["rate_text"] = "—" if r["rate"] is None else f"{r['rate'] * 100:.2f} %"
    if what == COMPLAINTS:
        for r in page.object_list:
            r["channel_label"] = _choice_label(Channel, r["channel"])
            r["answer_label"] = ANSWER_TEXT.get(r["answer"], r["answer"])
    context.update(rows=page.object_list, page=page)
    return render(request, "quality/records.html", context)


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def report_document(report: dict[str, Any]) -> str:
    """The report as a standalone HTML file, in the current language, without links."""
    context = _context(report, links=False)
    context["label"] = report["period"]["label"]
    return render_to_string("quality/report_document.html", context)
