from __future__ import annotations

from typing import Any

from django import template

from baozhang.events.models import Event

register = template.Library()


@register.filter
def changes(event: Event) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field an event touched; before is None on creation."""
    after = event.after or {}
    before = event.before or {}
    return [(key, before.get(key), value) for key, value in after.items()]
