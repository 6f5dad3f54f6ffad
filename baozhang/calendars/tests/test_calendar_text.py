"""A calendar on a page is named as people read it, never by its bare key."""

from __future__ import annotations

from typing import Any

from django.template import Context, Template
from django.utils import translation


def _shown(key: str) -> str:
    return Template("{% load calendar_text %}{{ key|calendar_name }}").render(Context({"key": key}))


def test_a_built_in_calendar_is_described_in_the_readers_language(db: Any) -> None:
    with translation.override("en"):
        assert _shown("24x7") == "24x7 (every day, all day)"
    with translation.override("zh-hans"):
        assert _shown("24x7") == "24x7（每天全天）"


def test_the_operators_own_calendar_shows_its_name_and_an_unknown_key_itself(
    calendar_factory: Any,
) -> None:
    calendar_factory(key="gold", name="金牌客户日历")
    assert _shown("gold") == "金牌客户日历"
    assert _shown("gone") == "gone"
