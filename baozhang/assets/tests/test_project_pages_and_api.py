"""Pages and /api/v1/projects of construction projects (工程交接, I6): a project recorded,
tested, handed over and accepted through the pages and through the API; refusals are
said on the page and as 422 in both languages, never a 500; a customer's people see no
project (404)."""

from __future__ import annotations

from baozhang.assets.models import AssetStatus, ConstructionProject


def test_a_project_is_tested_handed_over_and_accepted_on_its_pages(personas, login, asset_factory):
    rack = asset_factory(name="B02 机柜", kind="rack", status="construction")
    client = login(personas.engineer)
    made = client.post(
        "/assets/projects/new/",
        {"name": "二期扩容", "contractor": "甲工程公司", "assets": [rack.pk]},
    )
    project = ConstructionProject.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/assets/projects/{project.pk}/"
    # The register refuses to put the rack in service while the handover is open.
    edit = client.post(
        f"/assets/{rack.pk}/edit/", {**_asset_form(rack, personas), "status": "in_service"}
    )
    assert edit.status_code == 200 and "移交尚未验收" in edit.content.decode()

    client.post(
        f"/assets/projects/{project.pk}/tests/",
        {
            "item": "接地电阻",
            "requirement": "≤ 1 Ω",
            "measured": "0.6 Ω",
            "passed": "on",
            "tester": personas.engineer.pk,
            "tested_on": "2026-01-05",
        },
    )
    client.post(f"/assets/projects/{project.pk}/items/", {"topic": "documents", "text": "竣工资料"})
    item = project.handover_items.get()
    client.post(f"/assets/projects/items/{item.pk}/check/")
    # The engineer tested it: the acceptance is refused, in the reader's language.
    refused = client.post(f"/assets/projects/{project.pk}/accept/", follow=True)
    assert "验收人不能是本工程的测试人" in refused.content.decode()
    rack.refresh_from_db()
    assert rack.status == AssetStatus.CONSTRUCTION

    client = login(personas.director)
    page = client.get(f"/assets/projects/{project.pk}/").content.decode()
    assert "接地电阻" in page and "0.6 Ω" in page and "竣工资料" in page
    done = client.post(f"/assets/projects/{project.pk}/accept/", {"note": "齐全"}, follow=True)
    assert "1" in done.content.decode()
    rack.refresh_from_db()
    assert rack.status == AssetStatus.IN_SERVICE
    assert "director" in client.get(f"/assets/projects/{project.pk}/").content.decode()
    assert "二期扩容" in client.get("/assets/projects/").content.decode()


def _asset_form(asset, personas):
    return {
        "name": asset.name,
        "kind": asset.kind,
        "status": asset.status,
        "owner": personas.operator.pk,
        "required_time": "7x24",
    }


def test_the_project_api_records_tests_and_refuses_a_tester_acceptance_with_a_422(
    personas, api_client, asset_factory
):
    ups = asset_factory(name="UPS-9", kind="ups", status="construction")
    engineer = api_client(personas.engineer)
    made = engineer.post(
        "/api/v1/projects",
        {"name": "UPS 更换", "contractor": "乙公司", "asset_ids": [ups.pk]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pid = made.json()["id"]
    bad = engineer.post(
        "/api/v1/projects",
        {"name": "x", "contractor": "y", "asset_ids": [999999]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "999999" in bad.content.decode()
    test = engineer.post(
        f"/api/v1/projects/{pid}/tests",
        {
            "item": "带载切换",
            "requirement": "0 ms 中断",
            "measured": "0 ms",
            "passed": True,
            "tested_on": "2026-01-06",
        },
        content_type="application/json",
    )
    assert test.status_code == 201 and test.json()["tests"][0]["tester_id"] == personas.engineer.pk
    item = engineer.post(
        f"/api/v1/projects/{pid}/handover-items",
        {"topic": "spare_parts", "text": "电池 2 组"},
        content_type="application/json",
    ).json()["handover_items"][0]
    checked = engineer.post(f"/api/v1/projects/{pid}/handover-items/{item['id']}/check")
    assert checked.json()["handover_items"][0]["checked_by_id"] == personas.engineer.pk
    assert engineer.post(f"/api/v1/projects/{pid}/handover-items/999999/check").status_code == 404

    refused = engineer.post(f"/api/v1/projects/{pid}/accept", {}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["accepted_by"] == ["验收人不能是本工程的测试人"]
    assert (
        engineer.patch(
            f"/api/v1/assets/{ups.pk}", {"status": "in_service"}, content_type="application/json"
        ).status_code
        == 422
    )

    accepted = api_client(personas.director).post(
        f"/api/v1/projects/{pid}/accept", {"note": "ok"}, content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["accepted_by_id"] == personas.director.pk
    ups.refresh_from_db()
    assert ups.status == AssetStatus.IN_SERVICE
    assert engineer.get(f"/api/v1/projects/{pid}").json()["accepted_at"] is not None


def test_a_customer_sees_no_construction_project(personas, login, api_client):
    project = ConstructionProject.objects.create(name="p", contractor="c")
    assert login(personas.contact_a).get(f"/assets/projects/{project.pk}/").status_code == 404
    assert login(personas.contact_a).get("/assets/projects/").status_code == 404
    api = api_client(personas.contact_a)
    assert api.get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert api.get("/api/v1/projects").json()["items"] == []
