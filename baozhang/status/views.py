"""The public status page and status.json: no sign-in, nothing private, cheap to serve.

Both are made from one snapshot of public facts (selectors.snapshot), kept in the cache
for CACHE_SECONDS; the page is rendered once per language and cached too, and both tell
browsers and proxies they may keep it as long. The page is a document of its own (not
web/base.html): it carries no CSRF token, session or menu, so one copy fits everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from baozhang.core.sla_text import spoken_duration
from baozhang.status.selectors import DayState, ServiceState, snapshot

CACHE_SECONDS = 30
FACTS_KEY = "status:facts"
PAGE_KEY = "status:page:{language}"
# Below this a day with downtime is a red bar; above it an amber one.
MINOR_DOWNTIME_PERCENT = 99

STATE_LABELS = {
    ServiceState.OPERATIONAL: gettext_lazy("Operational"),
    ServiceState.MAINTENANCE: gettext_lazy("Under maintenance"),
    ServiceState.PARTIAL_OUTAGE: gettext_lazy("Partial outage"),
    ServiceState.MAJOR_OUTAGE: pgettext_lazy("status page", "Major outage"),
    ServiceState.NO_DATA: gettext_lazy("No data"),
}
OVERALL_LABELS = {
    ServiceState.OPERATIONAL: gettext_lazy("All systems operational"),
    ServiceState.MAINTENANCE: gettext_lazy("Maintenance in progress"),
    ServiceState.PARTIAL_OUTAGE: gettext_lazy("Some services are disrupted"),
    ServiceState.MAJOR_OUTAGE: pgettext_lazy("status page", "Major outage"),
    ServiceState.NO_DATA: gettext_lazy("No data yet"),
}


def _language(request: HttpRequest) -> str:
    """?lang=en|zh-hans if given, else what the browser (or the person's choice) asks."""
    asked = request.GET.get("lang", "")
    if asked in dict(settings.LANGUAGES):
        return asked
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def _facts() -> dict[str, Any]:
    facts = cache.get(FACTS_KEY)
    if facts is None:
        facts = snapshot(timezone.now())
        cache.set(FACTS_KEY, facts, CACHE_SECONDS)
    return facts


def _duration(seconds: int, language: str) -> str:
    en, zh = spoken_duration(dt.timedelta(seconds=seconds))
    return en if language == "en" else zh


def _name(item: dict[str, Any], language: str) -> str:
    return item["name_en"] if language == "en" else item["name"]


def _bar(day: dict[str, Any], language: str) -> dict[str, Any]:
    date = day["date"].isoformat()
    state = day["state"]
    parts = [date]
    css = state
    if state == DayState.NO_DATA:
        parts.append(_("no data"))
    elif day["percent"] is not None:
        parts.append(_("%(percent)s available") % {"percent": f"{day['percent']} %"})
        if day["downtime_s"]:
            parts.append(_("down %(time)s") % {"time": _duration(day["downtime_s"], language)})
            if float(day["percent"]) < MINOR_DOWNTIME_PERCENT:
                css = "major"
        else:
            parts.append(_("no downtime"))
    if day["maintenance_s"]:
        parts.append(
            _("maintenance %(time)s (excluded)")
            % {"time": _duration(day["maintenance_s"], language)}
        )
    return {
        "css": css,
        "maintenance": bool(day["maintenance_s"]),
        "tip": " · ".join(parts),
    }


def _present(facts: dict[str, Any], language: str) -> dict[str, Any]:
    """The facts in one language, ready for the template."""
    services = [
        {
            "slug": s["slug"],
            "name": _name(s, language),
            "state": s["state"],
            "state_label": STATE_LABELS[ServiceState(s["state"])],
            "uptime": s["uptime"],
            "uptime_text": f"{s['uptime']} %",
            "days": [_bar(d, language) for d in s["days"]],
        }
        for s in facts["services"]
    ]
    incidents = [
        {
            **i,
            "title": i.get("title_en", i["title"]) if language == "en" else i["title"],
            "updates": [
                {
                    **u,
                    "message": u.get("message_en", u["message"])
                    if language == "en"
                    else u["message"],
                }
                for u in i["updates"]
            ],
            "service_name": _name(i["service"], language),
            "status_label": _incident_label("status", i["status"]),
            "severity_label": _incident_label("severity", i["severity"]),
        }
        for i in facts["incidents"]
    ]
    maintenance = [
        {
            **w,
            "title": w["title_en"] if language == "en" else w["title"],
            "service_names": [_name(s, language) for s in w["services"]],
        }
        for w in facts["maintenance"]
    ]
    return {
        "lang": language,
        "operator": facts["operator"],
        "state": facts["state"],
        "state_label": OVERALL_LABELS[ServiceState(facts["state"])],
        "services": services,
        "incidents": incidents,
        "maintenance": maintenance,
        "days": facts["days"],
        "generated_at": facts["generated_at"],
        "time_zone": settings.TIME_ZONE,
    }


def _incident_label(field: str, value: str) -> str:
    from baozhang.incidents.models import IncidentStatus, Severity

    choices = IncidentStatus if field == "status" else Severity
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def page(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    key = PAGE_KEY.format(language=language)
    html = cache.get(key)
    if html is None:
        with translation.override(language):
            html = render_to_string("status/page.html", _present(_facts(), language))
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Content-Language"] = language
    return response


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def status_json(request: HttpRequest) -> JsonResponse:
    """The same public facts as the page, in both languages (``name`` is Chinese,
    ``name_en`` English), times in UTC."""
    return JsonResponse(
        _facts(), encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False}
    )
