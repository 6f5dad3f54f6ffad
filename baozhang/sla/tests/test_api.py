"""/api/v1/agreements: the same services as the pages, JSON errors, customer isolation."""

from __future__ import annotations

from decimal import Decimal


def _create(client, personas, **extra):  # type: ignore[no-untyped-def]
    body = {
        "customer_id": personas.org_a.pk,
        "reference": "SLA-API-1",
        "title": "托管 Hosting",
        "monthly_fee": "8000.00",
        "starts_on": "2026-10-01",
        **extra,
    }
    return client.post("/api/v1/agreements", body, content_type="application/json")


def test_an_agreement_through_its_lifecycle_by_api(personas, api_client):
    director = api_client(personas.director)
    created = _create(director, personas)
    assert created.status_code == 201, created.content
    agreement = created.json()
    url = f"/api/v1/agreements/{agreement['id']}"

    target = director.post(
        f"{url}/targets",
        {
            "name": "可用率 Availability",
            "kind": "availability",
            "objective": "99.9",
            "tiers": [{"threshold": "99.9", "credit_percent": "10"}],
        },
        content_type="application/json",
    )
    assert target.status_code == 201, target.content
    assert target.json()["family"] == "time"

    for action in ("negotiate", "activate", "begin_review"):
        moved = director.post(
            f"{url}/transition", {"action": action}, content_type="application/json"
        )
        assert moved.status_code == 200, moved.content

    review = director.post(
        f"{url}/reviews",
        {
            "start": "2026-10-01T00:00:00+08:00",
            "end": "2026-11-01T00:00:00+08:00",
            "is_final": True,
        },
        content_type="application/json",
    )
    assert review.status_code == 201, review.content
    review_id = review.json()["id"]
    assert review.json()["verdicts"][0]["met"] is True

    refused = director.post(f"{url}/transition", {"action": "end"}, content_type="application/json")
    assert refused.status_code == 422
    # in the person's language (Chinese by default), and in English when they chose it
    assert "双方签字" in str(refused.json()["error"]["fields"])
    english = director.post(
        f"{url}/transition",
        {"action": "end"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert "signed by both sides" in str(english.json()["error"]["fields"])

    assert director.post(f"/api/v1/reviews/{review_id}/sign").status_code == 200
    contact = api_client(personas.contact_a)
    contact.patch(
        f"/api/v1/reviews/{review_id}", {"satisfaction": 5}, content_type="application/json"
    )
    signed = contact.post(f"/api/v1/reviews/{review_id}/sign")
    assert signed.json()["status"] == "signed"

    ended = director.post(f"{url}/transition", {"action": "end"}, content_type="application/json")
    assert ended.json()["status"] == "ended"
    events = director.get(f"{url}/events").json()["items"]
    steps = [
        e["after"]["status"]
        for e in events
        if e["kind"] == "state_changed" and e["object_type"] == "sla.agreement"
    ]
    assert steps == [
        "negotiating",
        "active",
        "under_review",
        "ended",
    ]


def test_bad_targets_are_refused_with_field_errors(personas, api_client):
    director = api_client(personas.director)
    agreement = _create(director, personas).json()
    url = f"/api/v1/agreements/{agreement['id']}/targets"

    bad_kind = director.post(
        url, {"name": "x", "kind": "uptime", "objective": "1"}, content_type="application/json"
    )
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["error"]["fields"]

    bad_calendar = director.post(
        url,
        {"name": "x", "kind": "availability", "objective": "99", "calendar_key": "mars-time"},
        content_type="application/json",
    )
    assert bad_calendar.status_code == 422
    assert "calendar_key" in bad_calendar.json()["error"]["fields"]

    bad_percent = director.post(
        url,
        {"name": "x", "kind": "availability", "objective": "120"},
        content_type="application/json",
    )
    assert bad_percent.status_code == 422


def test_a_contact_sees_only_their_own_agreements(personas, api_client):
    director = api_client(personas.director)
    _create(director, personas)
    _create(director, personas, customer_id=personas.org_b.pk, reference="SLA-B")
    items = api_client(personas.contact_a).get("/api/v1/agreements").json()["items"]
    assert [a["reference"] for a in items] == ["SLA-API-1"]


def test_a_contact_cannot_change_an_agreement(personas, api_client):
    agreement = _create(api_client(personas.director), personas).json()
    response = api_client(personas.contact_a).patch(
        f"/api/v1/agreements/{agreement['id']}",
        {"title": "mine now"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Decimal(agreement["monthly_fee"]) == Decimal("8000.00")
