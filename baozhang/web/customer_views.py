"""The home page of a customer's people (issue 18 §3); the staff dashboard is views.py's."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from baozhang.status.views import STATE_LABELS
from baozhang.web.customer_home import RECENT_INCIDENT_DAYS
from baozhang.web.customer_home import customer_home as home_of

_PHONE = re.compile(r"\+?[\d\s()-]{5,}")


def contact_href(line: str) -> str:
    """A link that dials a telephone number or writes to an e-mail address; empty for
    anything else (a line shown as the operator wrote it)."""
    line = line.strip()
    if _PHONE.fullmatch(line):
        return "tel:" + re.sub(r"[^\d+]", "", line)
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", line):
        return "mailto:" + line
    return ""


def customer_home(request: HttpRequest) -> HttpResponse:
    """What the person's organisation has with the operator: tickets, services,
    agreements, maintenance, incidents and how to reach the operator. Called by the
    dashboard for anyone who is not the operator's staff (signed in, so a customer's)."""
    now = timezone.now()
    home = home_of(request.user, now)
    services = [{"line": line, "state_label": STATE_LABELS[line.state]} for line in home.services]
    context = {
        "home": home,
        "now": now,
        "services": services,
        "hotline_href": contact_href(home.hotline),
        "complaint_href": contact_href(home.complaint_line),
        "incident_days": RECENT_INCIDENT_DAYS,
    }
    return render(request, "web/customer_home.html", context)
