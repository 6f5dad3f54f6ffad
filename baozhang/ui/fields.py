"""Form fields whose text is cleaned of control characters at the door (core.text).

Django's CharField refuses NUL and lets every other control character through; these
fields remove them all before validation, so a pasted NUL or escape sequence neither
fails the form nor reaches the database and the pages.
"""

from __future__ import annotations

from typing import Any

from django import forms

from baozhang.core.text import clean_line, clean_text


class LineField(forms.CharField):
    """One line of text: subjects, names, numbers."""

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = clean_line(value)
        return str(super().to_python(value))


class TextField(forms.CharField):
    """Many lines of text (tab, newline and carriage return kept): descriptions, replies."""

    def to_python(self, value: Any) -> str:
        if isinstance(value, str):
            value = clean_text(value)
        return str(super().to_python(value))
