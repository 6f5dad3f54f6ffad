"""The API of maintenance plans and work orders: a plan created, its work orders listed,
a value recorded out of range (failed), the performer refused as acceptor (422), a
second person accepts; bad bodies are 422 naming the field, never a 500; a customer's
people get 404."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from baozhang.upkeep import services
from baozhang.upkeep.models import WorkOrder

SH = ZoneInfo("Asia/Shanghai")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_plans_and_work_orders_through_the_api(api_client, personas, ups, engineer2):
    director = api_client(personas.director)
    body = {
        "item": "UPS monthly",
        "period": "monthly",
        "starts_on": "2026-01-01",
        "asset_ids": [ups.pk],
        "team_name": "Power",
        "team_ids": [personas.engineer.pk, engineer2.pk],
        "time_limit_days": 10,
        "steps": [
            {
                "title": "Battery",
                "requirement": "range",
                "low": "13.2",
                "high": "13.8",
                "unit": "V",
            },
            {"title": "Fans", "requirement": "yes_no", "expected_yes": True},
        ],
    }
    created = _post(director, "/api/v1/upkeep/plans", body)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["units"] == 1 and plan["steps"][0]["text"] == "13.2–13.8 V"
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    listed = director.get(f"/api/v1/upkeep/work-orders?plan_id={plan['id']}").json()
    assert [o["period_start"] for o in listed["items"]] == ["2026-11-01", "2026-12-01"]
    order_id = listed["items"][0]["id"]
    engineer = api_client(personas.engineer)
    url = f"/api/v1/upkeep/work-orders/{order_id}"
    recorded = _post(engineer, f"{url}/record", {"values": {"1": 14.2, "2": True}, "sign": True})
    assert recorded.status_code == 201, recorded.content
    readings = recorded.json()["records"][0]["readings"]
    assert [r["outcome"] for r in readings] == ["fail", "pass"]
    refused = _post(engineer, f"{url}/accept", {})
    assert refused.status_code == 422
    assert "另一人" in str(refused.json()["error"]["fields"]["accepted_by"])
    corrected = _post(engineer, f"{url}/record", {"values": {"1": 13.5, "2": True}})
    assert corrected.status_code == 422 and "reason" in corrected.json()["error"]["fields"]
    _post(engineer, f"{url}/record", {"values": {"1": 13.5, "2": True}, "reason": "meter"})
    detail = engineer.get(url).json()
    assert [(r["version"], r["corrected"]) for r in detail["records"]] == [(1, True), (2, False)]
    accepted = _post(api_client(engineer2), f"{url}/accept", {"remark": "ok"})
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["accepted_version"]) == ("accepted", 2)


def test_bad_bodies_are_422_and_a_customer_sees_nothing(api_client, ups_plan, personas):
    plan = ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    order = WorkOrder.objects.first()
    engineer = api_client(personas.engineer)
    url = f"/api/v1/upkeep/work-orders/{order.pk}"
    for body in (
        {"values": {"1": "abc"}},
        {"values": {"x": 1}},
        {"values": {"9": 1}},
        {"values": [1, 2]},
        {"sign": "perhaps"},
    ):
        response = _post(engineer, f"{url}/record", body)
        assert response.status_code == 422, (body, response.content)
    assert _post(engineer, "/api/v1/upkeep/plans", {"item": ""}).status_code == 422
    assert engineer.get("/api/v1/upkeep/work-orders?show=everything").status_code == 422
    assert engineer.post(
        f"{url}/record", data="{", content_type="application/json"
    ).status_code in (
        400,
        422,
    )
    customer = api_client(personas.contact_a)
    assert customer.get(url).status_code == 404
    assert customer.get(f"/api/v1/upkeep/plans/{plan.pk}").status_code == 404
    assert customer.get("/api/v1/upkeep/work-orders").json()["items"] == []
    assert _post(customer, f"{url}/record", {"values": {}}).status_code == 404
    assert _post(customer, f"{url}/accept", {}).status_code == 404
    assert _post(api_client(personas.agent), f"{url}/record", {}).status_code == 403
