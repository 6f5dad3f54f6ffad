"""Telling a person on the page why a service refused an action, and the steps every form
view shares: a valid form handed to one service call, its refusal shown where it belongs,
its success said once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baozhang.core.bilingual import one_language

T = TypeVar("T")


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


def form_problems(form: Any) -> list[str]:
    """What is wrong with a bound form, one line a problem, each named by its field's label
    (in the reader's language), for a form posted from a page that shows no form of its own
    (a small form on a detail page)."""
    lines = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        for error in errors:
            text = in_reader_language(error)
            lines.append(f"{label}: {text}" if label else text)
    return lines


def saved(
    request: HttpRequest,
    form: Any,
    save: Callable[[], T],
    success: str,
    fields: Mapping[str, str] | None = None,
) -> T | None:
    """On a POST with a valid ``form``, call ``save`` (one service call) and say ``success``;
    its result, or None when there was nothing to save, the form was invalid or the service
    refused (the refusal is then on the form, beside its field: :func:`refusal_on_form`)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save()
    except ValidationError as exc:
        refusal_on_form(form, exc, fields)
        return None
    messages.success(request, success)
    return result


def posted(
    request: HttpRequest,
    form: Any | None,
    save: Callable[[], T],
    success: Callable[[T], str] | str,
) -> T | None:
    """A small form (or a button, ``form`` None) posted from a detail page that redirects
    back: on a valid form call ``save`` and say ``success`` (or ``success(result)``); else
    say each problem of the form (:func:`form_problems`) or the service's refusal as error
    messages on the next page."""
    if form is not None and not form.is_valid():
        for line in form_problems(form):
            messages.error(request, line)
        return None
    try:
        result = save()
    except ValidationError as exc:
        report_refusal(request, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
