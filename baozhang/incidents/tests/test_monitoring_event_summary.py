"""The event log says of an incident monitoring opened what happened, in the reader's
language: its service named in theirs, the probe's reason as it came; the event names the
incident by its reference, not by its title stored in both languages (issue 18 §1)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from baozhang.catalog.models import Service
from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.incidents import services
from baozhang.incidents.models import Incident
from baozhang.incidents.tests.conftest import minutes_ago, set_status

pytestmark = pytest.mark.django_db


def _created(incident: Incident) -> Event:
    return Event.objects.get(
        object_type="incidents.incident", object_id=str(incident.pk), kind=EventKind.CREATED
    )


def test_the_creation_event_names_the_service_in_the_readers_language(hosting, monitor_factory):
    web = monitor_factory(hosting, name="web-1")
    set_status(web, "down")
    [incident] = services.monitor_down(web, at=minutes_ago(3), reason="connection refused")
    event = _created(incident)

    assert reads(event) == (
        "监控发现故障：网站托管：connection refused",
        "opened by monitoring: Web hosting: connection refused",
    )
    assert event.object_label == incident.reference
    # The title stays as stored; staff read it in their language (Incident.title_text).
    assert incident.title == "网站托管 / Web hosting: connection refused"


def test_a_probe_reason_in_both_languages_reads_in_the_readers_half(hosting, monitor_factory):
    beat = monitor_factory(hosting, name="beat")
    set_status(beat, "down")
    [incident] = services.monitor_down(
        beat, at=minutes_ago(3), reason="no ping within 60 s / 60 秒内未收到心跳"
    )
    assert reads(_created(incident)) == (
        "监控发现故障：网站托管：60 秒内未收到心跳",
        "opened by monitoring: Web hosting: no ping within 60 s",
    )


def test_a_service_named_alike_in_both_languages_and_a_bare_monitor(monitor_factory, personas):
    crm = Service.objects.create(name="CRM", name_en="CRM System", slug="crm")
    first = monitor_factory(crm, name="crm-1")
    bare = monitor_factory(name="机房探针 probe-7")
    for monitor in (first, bare):
        set_status(monitor, "down")
    [on_crm] = services.monitor_down(first, at=minutes_ago(3), reason="")
    [alone] = services.monitor_down(bare, at=minutes_ago(3), reason="timeout")

    # Names the pair would not tell apart go as the service's name, never glued.
    assert reads(_created(on_crm)) == ("监控发现故障：CRM", "opened by monitoring: CRM")
    zh, en = reads(_created(alone))
    assert (zh, en) == (
        "监控发现故障：机房探针 probe-7：timeout",
        "opened by monitoring: 机房探针 probe-7: timeout",
    )


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("en", "opened by monitoring: Web hosting: connection refused", "网站托管"),
        ("zh-hans", "监控发现故障：网站托管：connection refused", "Web hosting"),
    ],
)
def test_the_event_log_shows_it_in_one_language(
    personas, hosting, monitor_factory, login, language, said, not_said
):
    web = monitor_factory(hosting, name="web-1")
    set_status(web, "down")
    [incident] = services.monitor_down(web, at=minutes_ago(3), reason="connection refused")
    event = _created(incident)
    personas.admin.language = language
    personas.admin.save(update_fields=["language"])
    client = login(personas.admin)

    detail = client.get(reverse("web:event", args=[event.pk])).content.decode()
    listing = client.get(reverse("web:events")).content.decode()

    assert said in detail and said in listing
    # The event's own words (object, summary) and the record's title field, which staff
    # read field by field, are all in one language.
    row = re.search(rf'<a href="{reverse("web:event", args=[event.pk])}">.*?</tr>', listing, re.S)
    assert row is not None
    assert not_said not in row.group(0)
    assert incident.reference in row.group(0)
    assert "<code>title</code>" in row.group(0)
