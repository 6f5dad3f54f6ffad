"""A refusal shown on the page is said in the reader's language only."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from baozhang.ui.feedback import report_refusal

GLUED = "结束时间须晚于开始时间 / The end must be after the start"


def _request():  # type: ignore[no-untyped-def]
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_written_in_both_languages_shows_the_readers_half() -> None:
    for language, expected in (
        ("en", "The end must be after the start"),
        ("zh-hans", "结束时间须晚于开始时间"),
    ):
        request = _request()
        with translation.override(language):
            report_refusal(request, ValidationError([GLUED, "plain words typed by nobody"]))
            report_refusal(request, PermissionDenied(GLUED))
        shown = [m.message for m in get_messages(request)]
        assert shown == [expected, "plain words typed by nobody", expected]


def test_a_permission_refusal_without_text_says_why_in_the_readers_language() -> None:
    request = _request()
    with translation.override("en"):
        report_refusal(request, PermissionDenied())
    assert [m.message for m in get_messages(request)] == ["You are not allowed to do this."]


def test_a_services_refusal_goes_beside_its_field_in_the_readers_language() -> None:
    from django import forms

    from baozhang.ui.feedback import refusal_on_form

    class Window(forms.Form):
        end = forms.CharField()

    for language, expected in (
        ("en", "The end must be after the start"),
        ("zh-hans", "结束时间须晚于开始时间"),
    ):
        with translation.override(language):
            form = Window({"end": "x"})
            assert form.is_valid()
            refusal_on_form(form, ValidationError({"end": GLUED, "elsewhere": "no such field"}))
            refusal_on_form(form, ValidationError(GLUED))
        assert form.errors["end"] == [expected]
        assert form.non_field_errors() == ["no such field", expected]
