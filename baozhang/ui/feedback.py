"""Telling a person on the page why a service refused an action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baozhang.core.bilingual import one_language


def report_refusal(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    """Each message of a ValidationError, or the PermissionDenied's own text, as an error
    message on the next page, in the reader's language (a text of ours written in both
    languages at once shows the reader's half)."""
    if isinstance(exc, ValidationError):
        texts = exc.messages
    else:
        texts = [str(exc) or _("You are not allowed to do this.")]
    for text in texts:
        messages.error(request, in_reader_language(text))


def in_reader_language(text: object) -> str:
    """A text of ours written in both languages at once, in the reader's language; any
    other text as it is."""
    return one_language(str(text), get_language())


def refusal_on_form(
    form: Any, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """A service's ValidationError on the form: each message beside its field, or above
    the form, in the reader's language. ``fields`` names the form's field for a service
    argument named otherwise (``{"duration_seconds": "duration"}``); the others go under
    the same name."""

    def said(texts: list[str]) -> list[str]:
        return [in_reader_language(t) for t in texts]

    if hasattr(exc, "error_dict"):
        for name, texts in exc.message_dict.items():
            field = (fields or {}).get(name, name)
            form.add_error(field if field in form.fields else None, said(texts))
    else:
        form.add_error(None, said(exc.messages))
