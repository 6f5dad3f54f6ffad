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
