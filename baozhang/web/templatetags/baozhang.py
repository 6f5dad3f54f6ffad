from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.apps import apps

from baozhang.events.models import Event

register = template.Library()


@lru_cache(maxsize=64)
def _choice_labels(object_type: str) -> dict[str, dict[Any, Any]]:
    """Field name → {stored value: label} of the model an event is about, so that a
    choice shows its label ("scheduled" → "已计划" / "Scheduled"), not the stored value.
    The labels are kept lazy: each page turns them into its own language."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    out: dict[str, dict[Any, Any]] = {}
    for field in model._meta.get_fields():
        choices = getattr(field, "flatchoices", None)
        if choices:
            out[field.name] = dict(choices)
    return out


def _label(labels: dict[Any, Any], value: Any) -> Any:
    if isinstance(value, list):
        return [_label(labels, v) for v in value]
    if isinstance(value, str | int) and not isinstance(value, bool) and value in labels:
        return str(labels[value])
    return value


@register.filter
def changes(event: Event) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field an event touched; before is None on creation.
    Values of a field with choices come as their labels in the reader's language."""
    after = event.after or {}
    before = event.before or {}
    labels = _choice_labels(event.object_type) if event.object_type else {}
    rows = []
    for key, value in after.items():
        field_labels = labels.get(key, {})
        old, new = _label(field_labels, before.get(key)), _label(field_labels, value)
        if (event.object_type, key) == ("incidents.incident", "title"):
            old, new = _incident_title(old), _incident_title(new)
        rows.append((key, old, new))
    return rows


def _incident_title(value: Any) -> Any:
    """An incident's title as recorded, in the reader's language: monitoring writes it
    in both (``网站托管 / Web hosting: …``; incidents.models.glued_title_in)."""
    from django.utils.translation import get_language

    from baozhang.incidents.models import glued_title_in

    return glued_title_in(value, get_language()) if isinstance(value, str) else value


@register.filter
def operator_staff(user: Any) -> bool:
    """Whether ``user`` is the operator's staff (the event table shows them the record
    field by field; a customer's people read what changed in words)."""
    from baozhang.accounts.permissions import is_operator_staff

    return bool(user is not None and is_operator_staff(user))


@register.filter
def changes_in_words(event: Event) -> list[tuple[str, Any, Any]]:
    """(what, before, after) of each field an event changed, named as the page names the
    field ("Status", not ``status``), for a customer's people; empty for a creation (its
    fields are the object's page itself, not a count of fields)."""
    if not event.before:
        return []
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    names: dict[str, Any] = {}
    if model is not None:
        names = {
            f.name: f.verbose_name for f in model._meta.get_fields() if hasattr(f, "verbose_name")
        }
    return [(str(names.get(key, key)).capitalize(), old, new) for key, old, new in changes(event)]
