"""What the affected customers are told (F4, F5, F6), through the outbox.

The notify layer renders each message in its channel's language from one context, so the
context carries both languages of every label ({"en": …, "zh": …}) and times already
written in the operator's time zone. Call these inside the service's transaction: the
messages commit with the change that causes them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.core.bilingual import one_language
from baozhang.core.sla_text import spoken_duration
from baozhang.incidents.models import (
    Classification,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Severity,
    text_in,
)
from baozhang.incidents.public import public_titles
from baozhang.notify import services as notify

OPENED = "incident_opened"
UPDATE = "incident_update"
RESOLVED = "incident_resolved"


def both(label: Any) -> dict[str, str]:
    """A (lazy) translatable label in English and in Chinese."""
    out = {}
    for key, language in (("en", "en"), ("zh", "zh-hans")):
        with translation.override(language):
            out[key] = str(label)
    return out


def in_both(entry: IncidentUpdate) -> dict[str, str]:
    """A timeline entry as each language's reader reads it (typed text as written)."""
    return {"en": text_in(entry, "en"), "zh": text_in(entry, "zh-hans")}


def halves(text: str) -> dict[str, str]:
    """A free text in each language: ours (``中文 / English``) in its half, typed as written."""
    return {"en": one_language(text, "en"), "zh": one_language(text, "zh-hans")}


def local_time(at: dt.datetime | None) -> str:
    """ "2026-11-27 10:05 (UTC+08:00)" in the operator's time zone; "" for None."""
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def duration_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes from start to end, a started minute counting as one."""
    return max(0, math.ceil((end - start).total_seconds() / 60))


def duration_text(minutes: int) -> dict[str, str]:
    """As people say it, exactly: "1 hour 6 minutes" / "1 小时 6 分钟"."""
    en, zh = spoken_duration(dt.timedelta(minutes=minutes), units=0)
    return {"en": en, "zh": zh}


def status_page_url() -> str:
    return f"{settings.BAOZHANG_BASE_URL}/status/"


def incident_url(incident: Incident) -> str:
    return f"{settings.BAOZHANG_BASE_URL}{reverse('incidents:detail', args=[incident.pk])}"


def context(incident: Incident) -> dict[str, Any]:
    """The facts every incident notice shows."""
    service = incident.service
    if service is not None:
        service_name = {"en": service.display_name("en"), "zh": service.display_name("zh-hans")}
    else:
        service_name = {"en": incident.title, "zh": incident.title}
    return {
        "reference": incident.reference,
        # What the customer is told the incident is: for monitoring's incidents the
        # service and the kind of fault, not the probe's error text (incidents.public).
        "title": public_titles(incident),
        "service": service_name,
        "status": both(IncidentStatus(incident.status).label),
        "severity": both(Severity(incident.severity).label),
        "classification": both(Classification(incident.classification).label),
        "detected_at": local_time(incident.detected_at),
        "restore_target_minutes": incident.restore_target_minutes,
        "restore_due_at": local_time(incident.restore_due_at),
        "status_url": status_page_url(),
        "incident_url": incident_url(incident),
    }


def public_timeline(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "at": local_time(u.at),
            "status": both(IncidentStatus(u.status).label),
            "message": in_both(u),
        }
        for u in incident.updates.filter(is_public=True).order_by("at", "id")
    ]


def resolution_report(incident: Incident) -> dict[str, Any]:
    """The detailed resolution report of F5: the facts, the duration against the restore
    target, cause, resolution, impact and the public timeline."""
    assert incident.resolved_at is not None
    minutes = duration_minutes(incident.detected_at, incident.resolved_at)
    return {
        **context(incident),
        "resolved_at": local_time(incident.resolved_at),
        "duration_minutes": minutes,
        "duration": duration_text(minutes),
        "target_met": incident.resolved_at <= incident.restore_due_at,
        "cause": incident.cause,
        "resolution": halves(incident.resolution),
        "impact": incident.impact,
        "timeline": public_timeline(incident),
    }


def _operator() -> list[Organisation]:
    """The operator's own organisation: its channels (the duty team's group chat, the
    on-call mailbox) hear of every incident opened and resolved, as customers do."""
    return list(Organisation.objects.filter(kind=OrganisationKind.OPERATOR))


def opened(incident: Incident, organisations: Iterable[Organisation], message: str = "") -> None:
    """Tell each organisation at once that the incident affects it (F6). An organisation
    added later gets the same notice; one already told is not told twice."""
    ctx = {**context(incident), "message": message}
    for org in [*organisations, *_operator()]:
        notify.notify_organisation(
            org, OPENED, ctx, f"incident:{incident.pk}:opened:o{org.pk}", about=incident
        )


def update(incident: Incident, entry: IncidentUpdate) -> None:
    """A public update of the timeline, to every affected customer (F4)."""
    ctx = {**context(incident), "update_at": local_time(entry.at), "message": in_both(entry)}
    for org in incident.customers.all():
        notify.notify_organisation(
            org, UPDATE, ctx, f"incident:{incident.pk}:update:{entry.pk}:o{org.pk}", about=incident
        )


def resolved(incident: Incident) -> None:
    """The resolution report, to every affected customer, at once (F5)."""
    ctx = resolution_report(incident)
    for org in [*incident.customers.all(), *_operator()]:
        notify.notify_organisation(
            org, RESOLVED, ctx, f"incident:{incident.pk}:resolved:o{org.pk}", about=incident
        )
