"""A service's name in the reader's language (issue 18 §1): one method, used by every
page and form; the event record keeps the Chinese name whatever the actor's language."""

from __future__ import annotations

from django.utils import translation

from baozhang.catalog import services as service_catalog
from baozhang.catalog.fields import ServiceChoiceField
from baozhang.catalog.models import Service


def test_a_service_shows_the_readers_name_and_falls_back_to_chinese(personas) -> None:  # type: ignore[no-untyped-def]
    both = service_catalog.create_service(personas.director, name="云主机", name_en="Cloud hosts")
    only_zh = service_catalog.create_service(
        personas.director, name="专线", name_en="", slug="line"
    )
    with translation.override("en"):
        assert both.display_name() == "Cloud hosts"
        assert only_zh.display_name() == "专线"
        assert str(both) == "云主机"
    with translation.override("zh-hans"):
        assert both.display_name() == "云主机"
    assert both.display_name("en") == "Cloud hosts"


def test_a_service_chooser_lists_names_in_the_readers_language(personas) -> None:  # type: ignore[no-untyped-def]
    service_catalog.create_service(personas.director, name="云主机", name_en="Cloud hosts")
    field = ServiceChoiceField(queryset=Service.objects.all())
    with translation.override("en"):
        assert [label for _value, label in field.choices][1:] == ["Cloud hosts"]
    with translation.override("zh-hans"):
        assert [label for _value, label in field.choices][1:] == ["云主机"]
