"""/api/v1/incidents: the same services as the pages, scoped the same way."""

from __future__ import annotations

from baozhang.incidents.models import Incident
from baozhang.incidents.tests.conftest import outbox

JSON = "application/json"


def test_an_incident_is_worked_through_the_api(personas, hosting, channels, api_client):
    agent = api_client(personas.agent)

    created = agent.post(
        "/api/v1/incidents",
        {
            "service_id": hosting.pk,
            "title": "Site down",
            "severity": "major",
            "classification": "egress_link",
            "message": "Investigating.",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["reference"].startswith("INC-")
    assert body["restore_target_minutes"] == 120
    assert body["customer_ids"] == sorted([personas.org_a.pk, personas.org_b.pk])
    assert [u["message"] for u in body["updates"]] == ["Investigating."]

    url = f"/api/v1/incidents/{pk}"
    assert agent.post(f"{url}/acknowledge").json()["status"] == "acknowledged"
    dispatched = agent.post(
        f"{url}/dispatch",
        {"engineer_id": personas.engineer.pk, "location": "IDC 2"},
        content_type=JSON,
    ).json()
    assert (
        dispatched["status"] == "dispatched" and dispatched["engineer_id"] == personas.engineer.pk
    )
    update = agent.post(f"{url}/updates", {"message": "Link provider called."}, content_type=JSON)
    assert update.status_code == 201 and update.json()["is_public"] is True
    assert (
        agent.post(f"{url}/mitigate", {"message": "Backup link up."}, content_type=JSON).json()[
            "status"
        ]
        == "mitigated"
    )
    resolved = agent.post(
        f"{url}/resolve",
        {"cause": "Fibre cut", "resolution": "Fibre spliced.", "impact": "2 customers"},
        content_type=JSON,
    ).json()
    assert resolved["status"] == "resolved" and resolved["cause"] == "Fibre cut"
    reviewed = (
        api_client(personas.director)
        .post(
            f"{url}/review",
            {
                "cause": "Road works",
                "prevention": "Second route",
                "actions": [
                    {
                        "description": "Order a second route",
                        "owner_id": personas.director.pk,
                        "due_on": "2026-12-31",
                    }
                ],
            },
            content_type=JSON,
        )
        .json()
    )
    assert reviewed["status"] == "reviewed"
    [action] = reviewed["review"]["actions"]
    done = agent.post(f"{url}/review/actions/{action['id']}/complete")
    assert done.status_code == 200 and done.json()["done_at"] is not None

    patched = agent.patch(
        url, {"classification": "major_outage", "is_emergency": True}, content_type=JSON
    ).json()
    assert patched["classification"] == "major_outage" and patched["is_emergency"] is True
    assert len(outbox(personas.org_b, "incident_resolved")) == 1


def test_the_list_is_paginated_open_first_and_filtered(personas, incident_factory, api_client):
    old = incident_factory(title="old")
    from baozhang.incidents import services

    services.resolve(personas.agent, old, cause="", resolution="ok")
    new = incident_factory(title="new", classification="software")

    listed = api_client(personas.agent).get("/api/v1/incidents").json()
    assert listed["count"] == 2
    assert [i["id"] for i in listed["items"]] == [new.pk, old.pk]
    only_open = api_client(personas.agent).get("/api/v1/incidents?status=open").json()
    assert [i["id"] for i in only_open["items"]] == [new.pk]
    software = api_client(personas.agent).get("/api/v1/incidents?classification=software").json()
    assert [i["id"] for i in software["items"]] == [new.pk]


def test_a_customer_reads_its_incidents_with_public_updates_only(
    personas, mail_service, incident_factory, api_client
):
    from baozhang.incidents import services

    mine = incident_factory(message="Site down.")
    services.post_update(personas.agent, mine, message="router 3", is_public=False)
    incident_factory(service=mail_service)  # customer A only
    b = api_client(personas.contact_b)

    listed = b.get("/api/v1/incidents").json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]
    detail = b.get(f"/api/v1/incidents/{mine.pk}").json()
    assert [u["message"] for u in detail["updates"]] == ["Site down."]
    assert detail["customer_ids"] == [] and detail["engineer_id"] is None


def test_a_customer_cannot_act(personas, incident_factory, api_client):
    incident = incident_factory()
    b = api_client(personas.contact_b)

    refused = b.post(f"/api/v1/incidents/{incident.pk}/acknowledge")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    created = b.post(
        "/api/v1/incidents",
        {"title": "mine"},
        content_type=JSON,
    )
    assert created.status_code == 403
    assert Incident.objects.count() == 1


def test_bad_fields_are_422_with_the_field_named(personas, incident_factory, api_client):
    incident = incident_factory()
    agent = api_client(personas.agent, language="en")

    bad_create = agent.post(
        "/api/v1/incidents", {"title": "", "severity": "apocalyptic"}, content_type=JSON
    )
    assert bad_create.status_code == 422
    assert {"title", "severity"} <= set(bad_create.json()["error"]["fields"])

    bad_patch = agent.patch(
        f"/api/v1/incidents/{incident.pk}", {"classification": "gremlins"}, content_type=JSON
    )
    assert bad_patch.status_code == 422
    assert "classification" in bad_patch.json()["error"]["fields"]

    back = agent.post(
        f"/api/v1/incidents/{incident.pk}/mitigate", {"message": "x"}, content_type=JSON
    )
    assert back.status_code == 200
    refused = agent.post(f"/api/v1/incidents/{incident.pk}/acknowledge")
    assert refused.status_code == 422
    assert "cannot become" in refused.json()["error"]["fields"]["status"][0]

    no_engineer = agent.post(
        f"/api/v1/incidents/{incident.pk}/dispatch",
        {"engineer_id": 999999, "location": "x"},
        content_type=JSON,
    )
    assert no_engineer.status_code == 422
    assert "engineer_id" in no_engineer.json()["error"]["fields"]


def test_statistics_are_for_staff(personas, incident_factory, api_client):
    incident_factory()
    query = "?start=2000-01-01T00:00:00Z&end=2100-01-01T00:00:00Z"

    rows = api_client(personas.director).get(f"/api/v1/incidents/statistics{query}").json()
    assert {r["classification"]: r["count"] for r in rows}["server_disconnection"] == 1
    assert (
        api_client(personas.contact_a).get(f"/api/v1/incidents/statistics{query}").status_code
        == 404
    )


def test_an_incident_is_opened_from_a_ticket(personas, hosting, api_client):
    from baozhang.desk import services as desk

    ticket = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="Down", contact=personas.contact_a
    )

    opened = api_client(personas.agent).post(
        f"/api/v1/tickets/{ticket.pk}/incident", {"service_id": hosting.pk}, content_type=JSON
    )

    assert opened.status_code == 201, opened.content
    assert opened.json()["ticket_ids"] == [ticket.pk]
    assert opened.json()["source"] == "ticket"


def test_the_timeline_reads_in_the_language_the_caller_asks_for(
    personas, incident_factory, api_client
):
    incident = incident_factory()
    agent = api_client(personas.agent)
    agent.post(f"/api/v1/incidents/{incident.pk}/acknowledge")

    said = {
        language: [
            u["message"]
            for u in agent.get(
                f"/api/v1/incidents/{incident.pk}", HTTP_ACCEPT_LANGUAGE=language
            ).json()["updates"]
        ]
        for language in ("zh-hans", "en")
    }

    assert said["en"] == [
        "A fault was detected (Critical); we are working on it.",
        "acknowledged by agent",
    ]
    assert said["zh-hans"] == ["发现故障（紧急），正在处理。", "agent 已确认"]


def test_a_reference_to_nothing_is_refused_in_the_readers_language(personas, api_client):
    agent = api_client(personas.agent)

    said = {}
    for language in ("zh-hans", "en"):
        response = agent.get(
            "/api/v1/incidents", {"status": "burning"}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 422, response.content
        said[language] = response.json()["error"]["fields"]["status"]

    allowed = "detected, acknowledged, dispatched, mitigated, resolved, reviewed"
    assert said["en"] == [f"Unknown status burning; use open or one of {allowed}"]
    assert said["zh-hans"] == [f"未知状态 burning；可用 open 或以下之一：{allowed}"]
