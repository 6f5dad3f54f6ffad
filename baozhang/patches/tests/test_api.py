"""The patches API: advisories, statuses and inventories under /api/v1/, 422 naming the
field, 404 for what the caller may not see, never 500 (issue 19 §5)."""

from __future__ import annotations

import json

import pytest

from baozhang.patches.models import PatchState, PatchStatus

ADVISORY = {
    "reference": "DSA-5764-1",
    "title": "openssl security update",
    "product": "openssl",
    "fixed_version": "3.0.14-1~deb12u1",
    "severity": "critical",
    "cve_ids": ["CVE-2024-5535"],
    "released_on": "2024-08-26",
}


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def engineer_api(api_client, personas):
    return api_client(personas.engineer, "en")


def test_the_agent_reports_software_and_an_advisory_entered_later_matches_it(engineer_api, servers):
    report = _post(
        engineer_api,
        f"/api/v1/assets/{servers[0].pk}/software",
        {"packages": [{"name": "openssl", "version": "3.0.11-1~deb12u2"}]},
    )
    assert report.status_code == 200, report.content
    assert report.json() == {"asset_id": servers[0].pk, "packages": 1, "open_patches": 0}
    created = _post(engineer_api, "/api/v1/advisories", ADVISORY)
    assert created.status_code == 201, created.content
    advisory = created.json()
    assert (advisory["matched"], advisory["settled"], advisory["cve_ids"]) == (
        1,
        0,
        ["CVE-2024-5535"],
    )
    statuses = engineer_api.get(f"/api/v1/advisories/{advisory['id']}/statuses").json()
    assert [(s["asset_name"], s["state"], s["overdue"]) for s in statuses] == [
        ("web-1", "pending", False)
    ]
    listed = engineer_api.get(f"/api/v1/assets/{servers[0].pk}/software").json()
    assert [(p["name"], p["version"], p["source"]) for p in listed] == [
        ("openssl", "3.0.11-1~deb12u2", "agent")
    ]


def test_a_bad_advisory_is_a_422_naming_the_field(engineer_api):
    answer = _post(engineer_api, "/api/v1/advisories", {**ADVISORY, "affected": "<<1"})
    assert answer.status_code == 422
    body = json.dumps(answer.json())
    assert "affected" in body and "is not a Debian version" in body
    answer = _post(engineer_api, "/api/v1/advisories", {**ADVISORY, "severity": "urgent"})
    assert answer.status_code == 422
    assert _post(engineer_api, "/api/v1/advisories", ADVISORY).status_code == 201
    again = _post(engineer_api, "/api/v1/advisories", ADVISORY)
    assert again.status_code == 422 and "reference" in json.dumps(again.json())


def test_a_status_is_changed_and_not_applicable_without_reason_is_a_422(
    engineer_api, servers, personas
):
    _post(
        engineer_api,
        f"/api/v1/assets/{servers[0].pk}/software",
        {"packages": [{"name": "openssl", "version": "3.0.11-1"}]},
    )
    _post(engineer_api, "/api/v1/advisories", ADVISORY)
    status = PatchStatus.objects.get()
    url = f"/api/v1/patch-statuses/{status.pk}"
    refused = _post(engineer_api, url, {"state": "not_applicable"})
    assert refused.status_code == 422 and "reason" in json.dumps(refused.json())
    done = _post(engineer_api, url, {"state": "installed", "installed_at": "2026-01-02T03:04:05Z"})
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["settled_by_id"]) == (
        PatchState.INSTALLED,
        personas.engineer.pk,
    )
    assert (
        _post(engineer_api, url, {"state": "installed", "installed_at": "yesterday"}).status_code
        == 422
    )
    assert (
        _post(engineer_api, "/api/v1/patch-statuses/999999", {"state": "pending"}).status_code
        == 404
    )


def test_unknown_ids_are_404_and_bad_inventories_422(engineer_api, servers):
    assert engineer_api.get("/api/v1/advisories/999999").status_code == 404
    assert engineer_api.get("/api/v1/advisories/999999/statuses").status_code == 404
    assert engineer_api.get("/api/v1/assets/999999/software").status_code == 404
    url = f"/api/v1/assets/{servers[0].pk}/software"
    assert _post(engineer_api, url, {"packages": [{"name": "x"}]}).status_code == 422
    assert _post(engineer_api, url, {"packages": "openssl"}).status_code == 422
    bad = engineer_api.post(url, data="{not json", content_type="application/json")
    assert bad.status_code in (400, 422)


def test_a_customer_contact_sees_no_patch_and_cannot_report_software(
    api_client, personas, servers, engineer_api
):
    _post(engineer_api, "/api/v1/advisories", ADVISORY)
    contact = api_client(personas.contact_a, "en")
    assert contact.get("/api/v1/advisories").json()["items"] == []
    advisory_id = engineer_api.get("/api/v1/advisories").json()["items"][0]["id"]
    assert contact.get(f"/api/v1/advisories/{advisory_id}").status_code == 404
    report = _post(
        contact,
        f"/api/v1/assets/{servers[0].pk}/software",
        {"packages": [{"name": "openssl", "version": "1"}]},
    )
    assert report.status_code == 404
    # An agent of the operator without the capability of keeping equipment: 403.
    agent = api_client(personas.agent, "en")
    assert _post(agent, "/api/v1/advisories", ADVISORY | {"reference": "X-1"}).status_code == 403


def test_the_compliance_of_a_period(engineer_api):
    ok = engineer_api.get(
        "/api/v1/patches/compliance?start=2026-11-01T00:00:00%2B08:00&end=2026-12-01T00:00:00%2B08:00"
    )
    assert ok.status_code == 200 and ok.json()["due"] == 0 and ok.json()["rate"] is None
    backwards = engineer_api.get(
        "/api/v1/patches/compliance?start=2026-12-01T00:00:00Z&end=2026-11-01T00:00:00Z"
    )
    assert backwards.status_code == 422
    assert engineer_api.get("/api/v1/patches/compliance?start=x&end=y").status_code == 422


def test_a_customer_contact_filtering_the_advisories_gets_an_empty_list(api_client, personas):
    contact = api_client(personas.contact_a, "en")
    answer = contact.get("/api/v1/advisories?open_only=true&severity=high&q=ssl")
    assert answer.status_code == 200 and answer.json()["items"] == []
