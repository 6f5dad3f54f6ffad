"""An incident monitoring opened is named whole in either language (issue 18 §1): every
event of it (and of its timeline entries and review) names it by its reference, never by
its title written in both languages glued; staff read the title itself in their language
on the list, the detail page and the event record."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from baozhang.core.bilingual import has_chinese
from baozhang.events.models import Event
from baozhang.incidents import services
from baozhang.incidents.models import Incident, glued_title_in
from baozhang.incidents.tests.conftest import minutes_ago, set_status

pytestmark = pytest.mark.django_db

REASON = (
    "1 of 1 regions down (push): no ping within 90 s / "
    "1 个区域中 1 个判定故障（push）：90 秒内未收到心跳"
)
TITLE_EN = "Web hosting: 1 of 1 regions down (push): no ping within 90 s"
TITLE_ZH = "网站托管: 1 个区域中 1 个判定故障（push）：90 秒内未收到心跳"


def _handled(personas, hosting, monitor_factory) -> Incident:
    """An incident monitoring opened, taken through its whole life by staff."""
    beat = monitor_factory(hosting, name="beat")
    set_status(beat, "down")
    [incident] = services.monitor_down(beat, at=minutes_ago(30), reason=REASON)
    incident = services.acknowledge(personas.agent, incident)
    incident = services.dispatch(
        personas.agent, incident, engineer=personas.engineer, location="机房 A"
    )
    services.post_update(personas.agent, incident, message="正在更换电源", is_public=True)
    incident = services.resolve(personas.agent, incident, cause="电源故障", resolution="已更换")
    services.review(personas.agent, incident, cause="电源老化", prevention="定期巡检")
    return Incident.objects.get(pk=incident.pk)


def _events(incident: Incident) -> list[Event]:
    own = Event.objects.filter(object_type="incidents.incident", object_id=str(incident.pk))
    parts = Event.objects.filter(parent_type="incidents.incident", parent_id=str(incident.pk))
    return list((own | parts).order_by("at", "id"))


def test_every_event_names_the_incident_by_its_reference(personas, hosting, monitor_factory):
    incident = _handled(personas, hosting, monitor_factory)
    events = _events(incident)
    kinds = {(e.object_type, e.kind) for e in events}
    assert {
        ("incidents.incident", "created"),
        ("incidents.incident", "state_changed"),
        ("incidents.incidentupdate", "created"),
        ("incidents.incidentreview", "created"),
    } <= kinds
    for e in events:
        assert e.object_label == incident.reference, (e.kind, e.object_label)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                assert e.object_text == incident.reference


def test_the_analysis_of_its_review_names_it_whole(personas, hosting, monitor_factory):
    from baozhang.analysis.models import Analysis

    incident = _handled(personas, hosting, monitor_factory)
    found = Analysis.objects.get(subject_kind="incident", subject_id=incident.pk)
    assert found.subject_label == incident.reference


def test_a_typed_title_still_names_the_incident_beside_its_reference(incident_factory):
    incident = incident_factory(title="机房断电 Power cut")
    assert incident.label == f"{incident.reference} 机房断电 Power cut"
    assert incident.title_text == "机房断电 Power cut"
    assert glued_title_in(incident.title, "en") == "机房断电 Power cut"


def test_the_title_reads_in_the_readers_language(personas, hosting, monitor_factory):
    incident = _handled(personas, hosting, monitor_factory)
    assert incident.title == f"网站托管 / Web hosting: {REASON}"
    for language, title in (("en", TITLE_EN), ("zh-hans", TITLE_ZH)):
        with translation.override(language):
            assert incident.title_text == title
            assert str(incident) == f"{incident.reference} {title}"
        # The event record's copy, read from its text alone, the same.
        assert glued_title_in(incident.title, language) == title


def test_a_service_renamed_since_still_reads_from_the_text(personas, hosting, monitor_factory):
    incident = _handled(personas, hosting, monitor_factory)
    hosting.name_en = "Hosting"
    hosting.save(update_fields=["name_en"])
    incident = Incident.objects.get(pk=incident.pk)
    with translation.override("en"):
        assert incident.title_text == TITLE_EN
    with translation.override("zh-hans"):
        assert incident.title_text == TITLE_ZH


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_staff_pages_show_it_in_one_language(personas, hosting, monitor_factory, login, language):
    incident = _handled(personas, hosting, monitor_factory)
    personas.admin.language = language
    personas.admin.save(update_fields=["language"])
    client = login(personas.admin)
    title, other = (TITLE_EN, TITLE_ZH) if language == "en" else (TITLE_ZH, TITLE_EN)

    listing = client.get(reverse("incidents:list")).content.decode()
    detail = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    events = client.get(reverse("web:events")).content.decode()
    for page in (listing, detail, events):
        assert title in page
        assert other not in page
        assert incident.title not in page
    for event in _events(incident):
        url = reverse("web:event", args=[event.pk])
        row = re.search(rf'<a href="{url}">.*?</tr>', events, re.S)
        assert row is not None
        cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
        assert cells[2] == incident.reference  # the Object column (after Who, What)
        page = client.get(url).content.decode()
        assert f"— {incident.reference}</dd>" in page
        assert incident.title not in page
        if language == "en":
            assert not has_chinese(cells[2])
