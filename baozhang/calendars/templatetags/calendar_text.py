"""A calendar named as people read it: ``{{ clock.calendar_key|calendar_name }}`` gives
"24x7 (every day, all day)" / "24x7（每天全天）" for a built-in one and the operator's
name for its own, never the bare key alone."""

from __future__ import annotations

from django import template

from baozhang.calendars.presenters import calendar_label

register = template.Library()


@register.filter
def calendar_name(key: object) -> str:
    return calendar_label("" if key is None else str(key))
