"""The incident pages: staff work incidents through small forms; customers read theirs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from baozhang.incidents import services
from baozhang.incidents.models import Incident, IncidentStatus
from baozhang.incidents.tests.conftest import minutes_ago, outbox, set_status


def _action(client, incident, action, **data):
    return client.post(
        reverse("incidents:action", args=[incident.pk]), {"action": action, **data}, follow=True
    )


def test_staff_see_the_list_open_first_with_filters(personas, incident_factory, login):
    done = incident_factory(title="Fixed yesterday")
    services.resolve(personas.agent, done, cause="", resolution="ok")
    open_one = incident_factory(title="Burning now")
    client = login(personas.agent)

    page = client.get(reverse("incidents:list")).content.decode()
    assert page.index("Burning now") < page.index("Fixed yesterday")
    assert reverse("incidents:create") in page
    filtered = client.get(reverse("incidents:list"), {"status": "resolved"}).content.decode()
    assert "Fixed yesterday" in filtered and "Burning now" not in filtered
    assert (
        open_one.reference
        in client.get(reverse("incidents:list"), {"status": "open"}).content.decode()
    )


def test_the_menu_offers_incidents_to_everyone_signed_in(personas, login):
    page = login(personas.contact_a).get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("incidents:list")}"' in page


def test_staff_open_an_incident_with_the_form(personas, hosting, channels, login):
    client = login(personas.agent)
    assert client.get(reverse("incidents:create")).status_code == 200

    response = client.post(
        reverse("incidents:create"),
        {
            "service": hosting.pk,
            "title": "Mail bounces",
            "severity": "minor",
            "classification": "software",
            "responsibility": "outside",
            "message": "Looking into it.",
        },
    )

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert incident.restore_target_minutes == 480
    assert len(outbox(personas.org_b, "incident_opened")) == 1


def test_staff_work_an_incident_from_its_page(personas, incident_factory, login):
    incident = incident_factory()
    client = login(personas.agent)

    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert 'data-action="acknowledge"' in page and 'data-action="resolve"' in page
    assert re.search(r'href="/events/\d+/"', page)  # staff see the event history

    _action(client, incident, "acknowledge")
    _action(
        client,
        incident,
        "dispatch",
        **{"dispatch-engineer": personas.engineer.pk, "dispatch-location": "IDC 3"},
    )
    _action(client, incident, "update", **{"update-message": "Checking the UPS."})
    _action(
        client, incident, "update", **{"update-message": "note to self", "update-is_public": "on"}
    )
    page = _action(
        client,
        incident,
        "resolve",
        **{"resolve-resolution": "UPS replaced.", "resolve-cause": "UPS battery"},
    ).content.decode()

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.engineer == personas.engineer
    assert "UPS replaced." in page and "Checking the UPS." in page
    internal = incident.updates.get(message="Checking the UPS.")
    assert internal.is_public is False  # the box was left unticked
    assert incident.updates.get(message="note to self").is_public is True

    page = _action(
        client,
        incident,
        "review",
        **{
            "review-cause": "Old battery",
            "review-prevention": "Replace every 3 years",
            "review-action_0_description": "Battery audit",
            "review-action_0_owner": personas.engineer.pk,
        },
    ).content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REVIEWED
    assert "Battery audit" in page
    action = incident.review.actions.get()
    _action(client, incident, "complete", review_action=action.pk)
    action.refresh_from_db()
    assert action.done_at is not None


def test_going_back_is_reported_on_the_page(personas, incident_factory, login):
    incident = incident_factory()
    services.resolve(personas.agent, incident, cause="", resolution="ok")

    page = _action(login(personas.agent), incident, "acknowledge").content.decode()

    # said in the reader's language (Chinese here) only
    assert "不能再变为" in page and "cannot become" not in page
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED


def test_staff_edit_the_classification_and_severity(personas, incident_factory, login):
    incident = incident_factory()
    client = login(personas.agent)
    assert client.get(reverse("incidents:edit", args=[incident.pk])).status_code == 200

    response = client.post(
        reverse("incidents:edit", args=[incident.pk]),
        {
            "title": incident.title,
            "classification": "egress_link",
            "severity": "major",
            "restore_target_minutes": "30",
            "responsibility": "outside",
            "customers": [personas.org_a.pk],
            "is_public": "on",
        },
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.classification == "egress_link"
    assert incident.restore_target_minutes == 120
    assert list(incident.customers.all()) == [personas.org_a]


def test_a_customer_reads_its_incident_with_public_updates_only(personas, incident_factory, login):
    incident = incident_factory(message="Site down.")
    services.post_update(personas.agent, incident, message="router 3 again", is_public=False)
    client = login(personas.contact_b)

    listed = client.get(reverse("incidents:list")).content.decode()
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()

    assert incident.reference in listed
    assert reverse("incidents:create") not in listed
    assert "Site down." in page
    assert "router 3 again" not in page
    assert 'data-action="acknowledge"' not in page
    assert not re.search(r'href="/events/\d+/"', page)  # the event history is the operator's


def test_a_customer_cannot_act_or_see_others_incidents(
    personas, mail_service, incident_factory, login
):
    mine = incident_factory()
    not_mine = incident_factory(service=mail_service)
    client = login(personas.contact_b)

    assert client.get(reverse("incidents:detail", args=[not_mine.pk])).status_code == 404
    assert _action(client, mine, "acknowledge").status_code == 403
    assert client.get(reverse("incidents:create")).status_code == 403
    mine.refresh_from_db()
    assert mine.status == IncidentStatus.DETECTED


def test_staff_open_an_incident_from_a_ticket(personas, hosting, login):
    from baozhang.desk import services as desk

    ticket = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="Down", contact=personas.contact_a
    )
    client = login(personas.agent)

    response = client.post(
        reverse("incidents:from_ticket", args=[ticket.pk]), {"service": hosting.pk}
    )

    incident = Incident.objects.get()
    assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert list(incident.tickets.all()) == [ticket]
    again = client.post(reverse("incidents:from_ticket", args=[ticket.pk]), follow=True)
    assert "已关联未恢复的故障" in again.content.decode()
    assert "already linked" not in again.content.decode()
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("who,status", [("director", 200), ("contact_a", 404)])
def test_statistics_page_is_for_staff(who, status, personas, incident_factory, login):
    incident_factory()
    response = login(getattr(personas, who)).get(reverse("incidents:statistics"))
    assert response.status_code == status
    if status == 200:
        assert 'data-testid="fault-statistics"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("en", "acknowledged by agent", "已确认"),
        ("zh-hans", "agent 已确认", "acknowledged by"),
    ],
)
def test_the_timeline_on_the_incident_page_reads_in_the_readers_language(
    personas, incident_factory, login, language, shown, not_shown
):
    incident = incident_factory()
    services.acknowledge(personas.agent, incident)
    personas.director.language = language
    personas.director.save(update_fields=["language"])

    page = login(personas.director).get(reverse("incidents:detail", args=[incident.pk]))
    text = page.content.decode()

    assert shown in text
    assert not_shown not in text
    assert " / acknowledged" not in text


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Web hosting: connection refused"), ("zh-hans", "网站托管: connection refused")],
)
def test_staff_read_a_monitoring_incidents_title_with_the_service_in_their_language(
    personas, hosting, monitor_factory, login, language, title
):
    web = monitor_factory(hosting, name="web-1")
    set_status(web, "down")
    [incident] = services.monitor_down(web, at=minutes_ago(3), reason="connection refused")
    personas.agent.language = language
    personas.agent.save(update_fields=["language"])
    client = login(personas.agent)

    listed = client.get(reverse("incidents:list")).content.decode()
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()

    assert f"<td>{title}</td>" in listed
    assert f"{incident.reference} · {title}</h1>" in page
    assert "网站托管 / Web hosting" not in listed


def test_a_customers_home_names_a_monitoring_incident_by_its_public_title(
    personas, hosting, monitor_factory, login
):
    web = monitor_factory(hosting, name="web-1")
    set_status(web, "down")
    services.monitor_down(web, at=minutes_ago(3), reason="connection refused (127.0.0.1)")
    personas.contact_b.language = "en"
    personas.contact_b.save(update_fields=["language"])

    home = login(personas.contact_b).get(reverse("web:dashboard")).content.decode()

    assert "Web hosting: outage" in home
    assert "connection refused" not in home
