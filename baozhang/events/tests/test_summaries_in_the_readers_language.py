"""What an event says, in the reader's language (issue 18 §1): our own texts are stored as a
message and its parameters and said again for each reader; older rows glued in both
languages read in the reader's half; typed text stays as written."""

from __future__ import annotations

from django.utils import translation

from baozhang.events.models import Event, EventKind
from baozhang.events.services import record
from baozhang.events.text import said


def _read(event: Event, language: str) -> str:
    with translation.override(language):
        return Event.objects.get(pk=event.pk).summary_text


def test_a_message_is_said_in_each_readers_language(personas):
    event = record(
        EventKind.UPDATED,
        personas.org_a,
        summary=said("ticket %(reference)s linked", reference="T-20261201-0001"),
    )
    assert _read(event, "en") == "ticket T-20261201-0001 linked"
    assert _read(event, "zh-hans") == "已关联工单 T-20261201-0001"
    stored = Event.objects.get(pk=event.pk)
    assert stored.summary_id == "ticket %(reference)s linked"
    assert stored.summary_params == {"reference": "T-20261201-0001"}
    # The plain column keeps the English words for searches and raw readers.
    assert stored.summary == "ticket T-20261201-0001 linked"


def test_a_message_inside_a_message(personas):
    event = record(
        EventKind.UPDATED,
        personas.org_a,
        summary=said("asset changed: %(name)s", name=said("SLA warning")),
    )
    assert _read(event, "en") == "asset changed: SLA warning"
    assert _read(event, "zh-hans") == "资产变更：时限预警"


def test_an_older_row_glued_in_both_reads_in_the_readers_half(personas):
    event = record(EventKind.UPDATED, personas.org_a, summary="SLA breached / 超出时限")
    assert _read(event, "en") == "SLA breached"
    assert _read(event, "zh-hans") == "超出时限"


def test_typed_text_stays_as_written(personas):
    event = record(EventKind.UPDATED, personas.org_a, summary="客户要求 10 点前回电")
    assert _read(event, "en") == "客户要求 10 点前回电"
    assert _read(event, "zh-hans") == "客户要求 10 点前回电"


def test_the_event_page_and_api_say_it_in_the_readers_language(personas, login, api_client):
    event = record(EventKind.UPDATED, personas.org_a, summary=said("SLA breached"))
    personas.director.language = "en"
    personas.director.save(update_fields=["language"])
    page = login(personas.director).get(f"/events/{event.pk}/").content.decode()
    assert "SLA breached" in page and "超出时限" not in page
    answer = api_client(personas.director).get(
        f"/api/v1/events/{event.pk}", HTTP_ACCEPT_LANGUAGE="zh-CN"
    )
    body = answer.json()
    assert body["summary"] == "超出时限"
    assert body["summary_id"] == "SLA breached"


def test_an_object_named_in_both_languages_shows_the_readers_name(personas):
    event = record(
        EventKind.CREATED,
        None,
        object_type="catalog.service",
        object_id="1",
        object_label="云主机",
        after={"name": "云主机", "name_en": "Cloud hosts"},
    )
    with translation.override("en"):
        assert Event.objects.get(pk=event.pk).object_text == "Cloud hosts"
    with translation.override("zh-hans"):
        assert Event.objects.get(pk=event.pk).object_text == "云主机"


def test_a_system_actor_named_in_both_reads_in_one(personas):
    event = record(EventKind.UPDATED, personas.org_a, actor_label="service desk / 服务台")
    with translation.override("en"):
        assert Event.objects.get(pk=event.pk).actor_text == "service desk"
    with translation.override("zh-hans"):
        assert Event.objects.get(pk=event.pk).actor_text == "服务台"
