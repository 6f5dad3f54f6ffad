"""``{{ incident|public_title }}``: an incident's title as customers and the public see
it, in the page's language (incidents.public)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from baozhang.incidents.models import Incident
from baozhang.incidents.public import public_title as _public_title

register = template.Library()


@register.filter
def public_title(incident: Incident) -> str:
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    return _public_title(incident, language)
