"""What the public (the status page) and the customers' notices call an incident.

An incident opened by monitoring has a staff title that carries the probe's words
("云主机 / Cloud hosts: connection refused (127.0.0.1)"): useful to the engineer, an
internal address and error text to everyone else. Its public title is made from the
service and the kind of fault instead ("云主机：服务中断" / "Cloud hosts: outage"); the
probe's detail stays on the staff pages. An incident entered by hand or from a ticket
keeps the title staff wrote for it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from baozhang.incidents.models import Incident, Source


def public_title(incident: Incident, language: str) -> str:
    """The incident's title as the public sees it, in ``language`` ("en" or "zh-hans")."""
    if incident.source != Source.MONITOR:
        return incident.title
    with translation.override(language):
        if incident.service is None:
            return _("Service outage")
        return _("%(service)s: outage") % {"service": incident.service.display_name(language)}


def public_titles(incident: Incident) -> dict[str, str]:
    """``{"zh": …, "en": …}``: the public title in both languages."""
    return {"zh": public_title(incident, "zh-hans"), "en": public_title(incident, "en")}
