"""Incidents from monitoring: one per affected service, closed when every monitor is up."""

from __future__ import annotations

from django.utils import translation

from baozhang.incidents import services
from baozhang.incidents.models import Classification, Incident, IncidentStatus, Severity, Source
from baozhang.incidents.tests.conftest import minutes_ago, outbox, set_status
from baozhang.incidents.tests.reading import entry_reads


def test_two_failing_monitors_of_one_service_open_one_incident(
    personas, hosting, monitor_factory, channels
):
    web1, web2 = monitor_factory(hosting, name="web-1"), monitor_factory(hosting, name="web-2")

    set_status(web1, "down")
    first = services.monitor_down(web1, at=minutes_ago(3), reason="connection refused")
    set_status(web2, "down")
    second = services.monitor_down(web2, at=minutes_ago(2), reason="timeout")

    assert first == second
    incident = Incident.objects.get()
    assert incident.service == hosting
    assert incident.source == Source.MONITOR
    assert incident.severity == Severity.CRITICAL
    assert incident.classification == Classification.SERVER_DISCONNECTION
    assert incident.restore_target_minutes == 30
    assert incident.title == "网站托管 / Web hosting: connection refused"
    assert set(incident.monitors.all()) == {web1, web2}
    assert set(incident.customers.all()) == {personas.org_a, personas.org_b}
    # the second failure is an internal note, and the customers were told only once
    notes = incident.updates.filter(is_public=False)
    assert [entry_reads(n) for n in notes] == [
        ("监控 web-2 报告故障：timeout", "monitor web-2 is down: timeout")
    ]
    assert len(outbox(personas.org_a, "incident_opened")) == 1
    assert len(outbox(personas.org_b, "incident_opened")) == 1


def test_a_monitor_of_two_services_opens_one_incident_for_each(
    personas, hosting, mail_service, monitor_factory
):
    gateway = monitor_factory(hosting, mail_service, name="gateway")

    incidents = services.monitor_down(gateway, at=minutes_ago(1), reason="down")

    assert {i.service for i in incidents} == {hosting, mail_service}
    assert set(incidents[1].customers.all()) | set(incidents[0].customers.all()) == {
        personas.org_a,
        personas.org_b,
    }


def test_a_monitor_without_service_has_an_incident_of_its_own(personas, monitor_factory):
    lonely = monitor_factory(name="backup link", customers=(personas.org_a,))
    other = monitor_factory(name="other link")

    [a] = services.monitor_down(lonely, at=minutes_ago(2), reason="loss 100%")
    [again] = services.monitor_down(lonely, at=minutes_ago(1), reason="still down")
    [b] = services.monitor_down(other, at=minutes_ago(1), reason="down")

    assert a == again
    assert a != b
    assert a.service is None and a.title == "backup link: loss 100%"
    assert list(a.customers.all()) == [personas.org_a]


def test_a_monitor_that_adds_customers_tells_them(
    personas, mail_service, monitor_factory, channels
):
    first = monitor_factory(mail_service, name="mx-1")
    second = monitor_factory(mail_service, name="mx-2", customers=(personas.org_b,))

    services.monitor_down(first, at=minutes_ago(2), reason="down")
    assert outbox(personas.org_b, "incident_opened") == []
    services.monitor_down(second, at=minutes_ago(1), reason="down")

    incident = Incident.objects.get()
    assert set(incident.customers.all()) == {personas.org_a, personas.org_b}
    assert len(outbox(personas.org_b, "incident_opened")) == 1


def test_the_incident_resolves_only_when_every_monitor_is_up(
    personas, hosting, monitor_factory, channels
):
    web1, web2 = monitor_factory(hosting, name="web-1"), monitor_factory(hosting, name="web-2")
    for m in (web1, web2):
        set_status(m, "down")
        services.monitor_down(m, at=minutes_ago(20), reason="down")
    incident = Incident.objects.get()

    set_status(web1, "up")
    services.monitor_up(web1, at=minutes_ago(10), reason="200 OK")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DETECTED
    assert outbox(personas.org_a, "incident_resolved") == []

    set_status(web2, "up")
    up_at = minutes_ago(5)
    services.monitor_up(web2, at=up_at, reason="200 OK")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at == up_at
    said = (
        "所有监控均已恢复正常，自动恢复。",
        "Recovered automatically: every monitor is up again.",
    )
    assert entry_reads(incident.updates.get(status=IncidentStatus.RESOLVED)) == said
    for language, text in zip(("zh-hans", "en"), said, strict=True):
        with translation.override(language):
            assert incident.resolution_text == text
    # The resolution is public: the monitors are named only in the internal notes.
    assert "web-1" not in incident.resolution
    internal = [entry_reads(u) for u in incident.updates.filter(is_public=False)]
    assert ("监控 web-2 已恢复：200 OK", "monitor web-2 is up again: 200 OK") in internal
    assert len(outbox(personas.org_a, "incident_resolved")) == 1
    assert len(outbox(personas.org_b, "incident_resolved")) == 1


def test_a_new_failure_after_recovery_opens_a_new_incident(personas, hosting, monitor_factory):
    web = monitor_factory(hosting)
    set_status(web, "down")
    [first] = services.monitor_down(web, at=minutes_ago(30), reason="down")
    set_status(web, "up")
    services.monitor_up(web, at=minutes_ago(20), reason="up")
    set_status(web, "down")
    [second] = services.monitor_down(web, at=minutes_ago(10), reason="down again")

    assert first != second
    assert second.status == IncidentStatus.DETECTED
    assert first.reference != second.reference


def test_monitor_up_leaves_incidents_opened_by_hand_to_people(
    personas, hosting, monitor_factory, incident_factory
):
    web = monitor_factory(hosting)
    by_hand = incident_factory()
    set_status(web, "down")
    services.monitor_down(web, at=minutes_ago(5), reason="down")  # joins the open incident
    set_status(web, "up")

    services.monitor_up(web, at=minutes_ago(1), reason="up")

    by_hand.refresh_from_db()
    assert by_hand.status == IncidentStatus.DETECTED
    assert list(by_hand.monitors.all()) == [web]


def test_only_incidents_of_public_services_go_on_the_status_page(
    personas, hosting, mail_service, monitor_factory
):
    mail_service.is_public = False
    mail_service.save()
    [public] = services.monitor_down(monitor_factory(hosting), at=minutes_ago(1), reason="x")
    [hidden] = services.monitor_down(monitor_factory(mail_service), at=minutes_ago(1), reason="x")
    [bare] = services.monitor_down(monitor_factory(), at=minutes_ago(1), reason="x")

    assert (public.is_public, hidden.is_public, bare.is_public) == (True, False, False)
