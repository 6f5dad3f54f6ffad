"""Template filters of baozhang/ui/plain.py, registered in settings as the ``plain``
library: ``{% load plain %}`` then ``{{ td|duration }}``, ``{{ x|duration_exact }}``,
``{{ seconds|every }}``, ``{{ when|moment }}``, ``{{ value|shown }}``; and
``{% page_link n %}``, the pager's links."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from baozhang.ui import plain

register = template.Library()


@register.filter
def duration(value: Any) -> str:
    return plain.duration(value)


@register.filter
def duration_exact(value: Any) -> str:
    return plain.duration(value, exact=True)


@register.filter
def every(value: Any) -> str:
    return plain.every(value)


@register.filter
def moment(value: Any) -> str:
    return plain.moment(value)


@register.filter
def moment_own_zone(value: Any) -> str:
    """In the zone the value carries, with its offset: ``2026-12-07 14:30 (+08:00)``."""
    shown = plain.moment(value, "%Y-%m-%d %H:%M|%z", own_zone=True)
    when, _, offset = shown.partition("|")
    return f"{when} ({offset[:3]}:{offset[3:5]})" if len(offset) >= 5 else when


@register.filter
def moments(value: Any) -> str:
    """Free text with any ISO moment in it shown in the reader's zone."""
    return plain.moments_in(value)


@register.filter
def shown(value: Any) -> str:
    return plain.shown_value(value)


@register.filter
def one_language(value: Any) -> str:
    """A text of ours stored in both languages at once (``desk standard / 服务时限标准``)
    in the reader's; any other text as it is (core.bilingual)."""
    from django.utils.translation import get_language

    from baozhang.core.bilingual import one_language as pick

    return pick("" if value is None else str(value), get_language())


@register.simple_tag(takes_context=True)
def page_link(context: Any, number: int) -> str:
    """The query string of the same list at page ``number``: every filter of the request
    kept (view, search, kind …), only ``page`` replaced."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["page"] = str(number)
    return "?" + query.urlencode()
