"""Widgets for forms printed on busy pages.

Django writes a ``<select>`` through its widget templates, one template per option: for the
queue's assignee list (every member of staff, on every page an agent loads) that was about
a tenth of the page. ``QuickSelect`` writes the same element directly, every value and
label escaped; option groups are left to Django's own ``Select``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A single ``<select>`` of plain options, written without the widget templates."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        options: list[str] = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group: Django's own way
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            chosen = " selected" if text in selected else ""
            options.append(f'<option value="{escape(text)}"{chosen}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final)}>{''.join(options)}</select>")
