"""The API of changes and emergency plans: the rules' refusals are 422 with the field named,
an unknown id is 404, a customer's person sees nothing, and bad input is never a 500."""

from __future__ import annotations

from typing import Any

from baozhang.changes.models import ChangeRequest, ChangeState
from baozhang.changes.tests.conftest import night


def _body(**kw: Any) -> dict[str, Any]:
    start, end = night()
    body = {
        "title": "Upgrade the DNS resolver / 升级 DNS",
        "kind": "upgrade",
        "reason": "End of support / 停止支持",
        "risk": "low",
        "rollback_plan": "Previous package / 回退旧版本",
        "planned_start": start.isoformat(),
        "planned_end": end.isoformat(),
    }
    body.update(kw)
    return body


def test_a_change_goes_from_draft_to_review_through_the_api(
    personas: Any, api_client: Any, internal: Any
) -> None:
    engineer, director = api_client(personas.engineer), api_client(personas.director)
    created = engineer.post(
        "/api/v1/changes", _body(service_ids=[internal.pk]), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    change_id = created.json()["id"]
    assert created.json()["state"] == "draft"

    url = f"/api/v1/changes/{change_id}/transition"
    steps = [
        (engineer, {"action": "submit"}, "submitted"),
        (director, {"action": "approve", "note": "ok"}, "approved"),
        (engineer, {"action": "implement", "result": "succeeded"}, "implemented"),
        (director, {"action": "review", "notes": "fine"}, "reviewed"),
    ]
    for client, body, state in steps:
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 200, answer.content
        assert answer.json()["state"] == state
    assert (
        engineer.get(f"/api/v1/changes/{change_id}").json()["approver_id"] == personas.director.pk
    )


def test_the_requesters_approval_is_a_422_naming_the_approver(
    personas: Any, api_client: Any, change_factory: Any
) -> None:
    change = change_factory()
    client = api_client(personas.engineer, "en")
    client.post(
        f"/api/v1/changes/{change.pk}/transition",
        {"action": "submit"},
        content_type="application/json",
    )

    answer = client.post(
        f"/api/v1/changes/{change.pk}/transition",
        {"action": "approve"},
        content_type="application/json",
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["approver"] == [
        "the requester may not approve or reject their own change: another person decides"
    ]


def test_wrong_fields_are_422_with_codes(personas: Any, api_client: Any, internal: Any) -> None:
    client = api_client(personas.engineer, "en")
    start, _end = night(3, 14, 1)
    answers = [
        client.post("/api/v1/changes", _body(risk="extreme"), content_type="application/json"),
        client.post(
            "/api/v1/changes", _body(planned_start="tomorrow"), content_type="application/json"
        ),
        client.post(
            "/api/v1/changes", _body(service_ids=[999_999]), content_type="application/json"
        ),
        client.post("/api/v1/changes", _body(service_ids=[0]), content_type="application/json"),
        client.post(
            "/api/v1/changes",
            _body(
                service_ids=[internal.pk],
                planned_start=start.isoformat(),
                planned_end=start.replace(hour=15).isoformat(),
            ),
            content_type="application/json",
        ),
        client.post("/api/v1/changes", _body(unauthorised=True), content_type="application/json"),
        client.get("/api/v1/changes?show=everything"),
        client.post("/api/v1/emergency-plans", {"name": "x"}, content_type="application/json"),
    ]

    assert [a.status_code for a in answers] == [422] * len(answers)
    fields = [set(a.json()["error"]["fields"]) for a in answers]
    assert fields == [
        {"risk"},
        {"planned_start"},
        {"service_ids"},
        {"service_ids.0"},
        {"outside_low_usage_reason"},
        {"implemented_at"},
        {"show"},
        {"kind", "content", "owner_id"},
    ]
    assert answers[0].json()["error"]["codes"]["risk"] == ["enum"]
    assert not ChangeRequest.objects.exists()


def test_an_unknown_id_is_404(personas: Any, api_client: Any) -> None:
    client = api_client(personas.engineer)
    for answer in (
        client.get("/api/v1/changes/424242"),
        client.post(
            "/api/v1/changes/424242/transition",
            {"action": "submit"},
            content_type="application/json",
        ),
        client.get("/api/v1/emergency-plans/424242"),
        client.post(
            "/api/v1/emergency-plans/424242/drills",
            {"action": "schedule", "scheduled_on": "2026-12-01"},
            content_type="application/json",
        ),
    ):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


def test_a_customers_person_sees_no_change_and_may_not_create_one(
    personas: Any, api_client: Any, change_factory: Any
) -> None:
    change = change_factory()
    client = api_client(personas.contact_a)

    assert client.get("/api/v1/changes").json()["items"] == []
    assert client.get(f"/api/v1/changes/{change.pk}").status_code == 404
    assert (
        client.post("/api/v1/changes", _body(), content_type="application/json").status_code == 403
    )


def test_an_unauthorised_change_is_recorded_and_filtered_through_the_api(
    personas: Any, api_client: Any
) -> None:
    client = api_client(personas.director)
    start, _end = night(-2, 15, 1)
    created = client.post(
        "/api/v1/changes",
        _body(
            unauthorised=True,
            implemented_at=start.isoformat(),
            result="succeeded",
            notes="found in the audit log",
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["unauthorised"] is True
    assert created.json()["state"] == ChangeState.IMPLEMENTED

    listed = client.get("/api/v1/changes?show=unauthorised").json()["items"]
    assert [c["id"] for c in listed] == [created.json()["id"]]


def test_an_emergency_plan_and_its_drills_through_the_api(personas: Any, api_client: Any) -> None:
    client = api_client(personas.director)
    created = client.post(
        "/api/v1/emergency-plans",
        {
            "name": "机房断电应急预案",
            "kind": "power_failure",
            "content": "1. UPS\n2. generator",
            "owner_id": personas.engineer.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["drill_state"] == "none_yet"

    url = f"/api/v1/emergency-plans/{plan['id']}/drills"
    held = client.post(
        url,
        {
            "action": "record",
            "held_on": "2026-01-10",
            "participants": "engineer, director",
            "result": "partly",
            "lessons": "the generator took 4 minutes",
        },
        content_type="application/json",
    )
    assert held.status_code == 200, held.content
    assert held.json()["drills"][0]["result"] == "partly"
    future = client.post(
        url,
        {"action": "record", "held_on": "2099-01-10", "participants": "x", "result": "partly"},
        content_type="application/json",
    )
    assert future.status_code == 422
    assert set(future.json()["error"]["fields"]) == {"held_on"}
