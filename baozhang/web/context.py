from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from baozhang.accounts.models import Language
from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.web.limits import MAX_SEARCH_CHARS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu a person sees: only what their roles let them open."""
    user = getattr(request, "user", None)
    items: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        entries = [(_("Dashboard"), "web:dashboard")]
        entries.append(
            (_("Service desk") if is_operator_staff(user) else _("My tickets"), "desk:tickets")
        )
        entries.append(
            (_("Customers") if is_operator_staff(user) else _("Organisation"), "web:organisations")
        )
        entries.append((_("Desk measures"), "measures:dashboard"))
        entries.append((_("Agreements"), "sla:agreements"))
        if is_operator_staff(user):
            entries.append((_("Monitoring"), "monitoring:monitors"))
        entries.append((_("Incidents"), "incidents:list"))
        if is_operator_staff(user):
            entries.append((_("Calendars"), "calendars:list"))
            entries.append((_("Maintenance"), "maintenance:list"))
            entries.append((_("Roster"), "staffing:roster"))
            entries.append((_("Callbacks"), "desk:callbacks"))
            entries.append((_("Call log"), "calls:list"))
            entries.append((_("Inbound mail"), "mailin:quarantine"))
            entries.append((_("Inbound SMS"), "desk:sms"))
        entries.append((_("People"), "web:users"))
        entries.append((_("Events"), "web:events"))
        entries.append((_("Notifications"), "notify:channel_list"))
        if can(user, Capability.VIEW_DELIVERY_LOG) or not is_operator_staff(user):
            entries.append((_("Delivery log"), "notify:message_list"))
        if user.is_staff:
            entries.append((_("Admin"), "admin:index"))
        path = request.path
        for label, name in entries:
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": items,
        "language_choices": Language.choices,
        "search_max_chars": MAX_SEARCH_CHARS,
    }
