"""A refusal shown on the page is said in the reader's language only."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from baozhang.ui.feedback import posted, report_refusal, saved

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


class _Form(forms.Form):
    when = forms.DateField(label=translation.gettext_lazy("Date"))
    note = forms.CharField(max_length=5, required=False)


def _shown(request) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_valid_form_is_saved_once_and_its_success_said() -> None:
    request = _request()
    form = _Form({"when": "2026-12-07"})
    calls: list[int] = []
    assert saved(request, form, lambda: calls.append(1) or "row", "Saved.") == "row"
    assert calls == [1] and _shown(request) == [("success", "Saved.")]


def test_an_invalid_form_or_a_get_saves_nothing() -> None:
    request = _request()
    assert saved(request, _Form({"when": "tomorrow"}), lambda: 1 / 0, "Saved.") is None
    get = RequestFactory().get("/")
    assert saved(get, _Form(), lambda: 1 / 0, "Saved.") is None
    assert _shown(request) == []


def test_a_refusal_lands_on_its_field_in_the_readers_language() -> None:
    request = _request()
    form = _Form({"when": "2026-12-07"})

    def refuse() -> None:
        raise ValidationError({"when": [GLUED], "other": ["plain"]})

    with translation.override("en"):
        assert saved(request, form, refuse, "Saved.") is None
    assert form.errors["when"] == ["The end must be after the start"]
    assert form.non_field_errors() == ["plain"]
    assert _shown(request) == []


def test_a_posted_small_form_names_each_problem_by_its_label() -> None:
    too_long = {
        "en": "Ensure this value has at most 5 characters (it has 8).",
        "zh-hans": "确保该变量包含不超过 5 字符 (目前字符数 8)。",
    }
    for language, label in (("en", "Date"), ("zh-hans", "日期")):
        request = _request()
        with translation.override(language):
            form = _Form({"when": "", "note": "too long"})
            assert posted(request, form, lambda: 1 / 0, "Saved.") is None
        shown = _shown(request)
        assert [level for level, _ in shown] == ["error", "error"]
        assert shown[0][1].startswith(f"{label}: ")
        # A field without a label of ours: its message alone.
        assert shown[1][1] == too_long[language]


def test_a_posted_button_says_the_refusal_or_the_success_of_its_result() -> None:
    request = _request()

    def refuse() -> None:
        raise ValidationError(GLUED)

    with translation.override("zh-hans"):
        assert posted(request, None, refuse, "Done.") is None
    assert posted(request, None, lambda: 3, lambda n: f"{n} done.") == 3
    assert _shown(request) == [("error", "结束时间须晚于开始时间"), ("success", "3 done.")]
