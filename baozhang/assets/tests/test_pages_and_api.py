"""Pages and /api/v1/assets: list with filters, detail, create and edit; the project's
JSON errors; a customer's people see only their own organisation's assets."""

from __future__ import annotations

from baozhang.assets.models import Asset


def test_list_filter_detail_create_and_edit_pages(personas, login, asset_factory):
    line = asset_factory(name="电信出口 1", kind="line", carrier="中国电信", bandwidth_mbps=1000)
    asset_factory(name="核心交换机", kind="network_device", status="repair")
    client = login(personas.engineer)
    page = client.get("/assets/", {"kind": "line"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "电信出口 1" in body and "核心交换机" not in body
    assert "核心交换机" in client.get("/assets/", {"status": "repair"}).content.decode()
    detail = client.get(f"/assets/{line.pk}/").content.decode()
    assert "中国电信" in detail and "1000 Mbit/s" in detail

    created = client.post(
        "/assets/new/",
        {
            "name": "UPS-1",
            "kind": "ups",
            "status": "in_service",
            "owner": personas.operator.pk,
            "required_time": "7x24",
            "is_critical": "on",
            "responsible": [personas.engineer.pk],
        },
    )
    assert created.status_code == 200  # refused, back on the form
    assert "至少需要两名负责人" in created.content.decode()
    created = client.post(
        "/assets/new/",
        {
            "name": "UPS-1",
            "kind": "ups",
            "status": "in_service",
            "owner": personas.operator.pk,
            "required_time": "7x24",
            "is_critical": "on",
            "responsible": [personas.engineer.pk, personas.director.pk],
        },
    )
    ups = Asset.objects.get(name="UPS-1")
    assert created.status_code == 302 and created["Location"] == f"/assets/{ups.pk}/"
    edited = client.post(
        f"/assets/{ups.pk}/edit/",
        {
            "name": "UPS-1",
            "kind": "ups",
            "status": "repair",
            "owner": personas.operator.pk,
            "required_time": "24x7",
            "is_critical": "on",
            "responsible": [personas.engineer.pk, personas.director.pk],
        },
    )
    assert edited.status_code == 302
    ups.refresh_from_db()
    assert ups.status == "repair"


def test_a_customer_sees_only_its_own_assets(personas, login, asset_factory):
    mine = asset_factory(name="客户甲服务器", owner=personas.org_a)
    other = asset_factory(name="客户乙服务器", owner=personas.org_b)
    client = login(personas.contact_a)
    assert client.get(f"/assets/{mine.pk}/").status_code == 200
    assert client.get(f"/assets/{other.pk}/").status_code == 404
    assert client.get("/assets/new/").status_code == 403


def test_the_api_lists_reads_creates_and_updates(personas, api_client, asset_factory):
    asset_factory(name="web-01")
    engineer = api_client(personas.engineer)
    listed = engineer.get("/api/v1/assets", {"kind": "server"}).json()
    assert [a["name"] for a in listed["items"]] == ["web-01"]
    body = {
        "name": "db-01",
        "kind": "server",
        "owner_id": personas.operator.pk,
        "is_critical": True,
        "responsible_ids": [personas.engineer.pk],
    }
    refused = engineer.post(
        "/api/v1/assets", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "at least two responsible people" in " ".join(error["fields"]["responsible"])
    body["responsible_ids"] = [personas.engineer.pk, personas.director.pk]
    created = engineer.post("/api/v1/assets", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["responsible_ids"] == sorted([personas.engineer.pk, personas.director.pk])
    patched = engineer.patch(
        f"/api/v1/assets/{pk}", {"status": "retired"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["status"] == "retired"
    missing = engineer.patch(
        f"/api/v1/assets/{pk}", {"location_id": 999999}, content_type="application/json"
    )
    assert missing.status_code == 422 and "location_id" in missing.json()["error"]["fields"]
    assert engineer.get("/api/v1/assets/999999").status_code == 404
    contact = api_client(personas.contact_a)
    assert contact.get(f"/api/v1/assets/{pk}").status_code == 404
    assert contact.post("/api/v1/assets", body, content_type="application/json").status_code in (
        403,
        422,
    )
