"""/api/v1/services, /monitors and /probe-regions: the same catalogue as the pages, JSON
errors with field messages, and a customer's people see their own monitors' state only."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.catalog.models import Service
from baozhang.monitoring import catalog
from baozhang.monitoring.models import Monitor, MonitorStatus, ProbeRegion


def post(client, url: str, body: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, body or {}, content_type="application/json")


def patch(client, url: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.patch(url, body, content_type="application/json")


def fields_of(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid"
    return body["fields"]


# -- services -------------------------------------------------------------------------------


def test_services_crud(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.engineer)
    created = post(
        client,
        "/api/v1/services",
        {"name": "云主机", "name_en": "Cloud hosting", "customer_ids": [personas.org_a.pk]},
    )
    assert created.status_code == 201, created.content
    service = created.json()
    assert (service["slug"], service["customer_ids"]) == ("cloud-hosting", [personas.org_a.pk])
    url = f"/api/v1/services/{service['id']}"
    assert client.get(url).json()["name"] == "云主机"
    changed = patch(client, url, {"is_public": False, "customer_ids": []})
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_public"] is False and changed.json()["customer_ids"] == []
    listed = client.get("/api/v1/services").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == service["id"]
    assert client.delete(url).status_code == 204
    assert not Service.objects.exists()


def test_a_service_with_monitors_is_not_deleted(
    api_client, personas, service_factory, monitor_factory
) -> None:  # type: ignore[no-untyped-def]
    service = service_factory()
    monitor_factory("icmp", name="edge", services=[service])
    response = api_client(personas.engineer).delete(f"/api/v1/services/{service.pk}")
    assert "edge" in fields_of(response)["service"][0]


def test_a_customer_reads_their_services_without_the_customer_list(  # type: ignore[no-untyped-def]
    api_client, personas, service_factory
) -> None:
    mine = service_factory(customers=[personas.org_a, personas.org_b])
    theirs = service_factory(customers=[personas.org_b])
    client = api_client(personas.contact_a)
    items = client.get("/api/v1/services").json()["items"]
    assert [(s["id"], s["customer_ids"]) for s in items] == [(mine.pk, None)]
    assert client.get(f"/api/v1/services/{theirs.pk}").status_code == 404
    assert post(client, "/api/v1/services", {"name": "x", "slug": "x"}).status_code == 403


# -- monitors -------------------------------------------------------------------------------


def test_monitors_crud(api_client, personas, service_factory) -> None:  # type: ignore[no-untyped-def]
    service = service_factory()
    client = api_client(personas.engineer)
    created = post(
        client,
        "/api/v1/monitors",
        {
            "name": "官网首页",
            "kind": "http",
            "target": "https://www.example.com/",
            "http_headers": {"Accept": "text/html"},
            "expected_status": "200-299, 301",
            "keyword": "欢迎",
            "interval_s": 30,
            "timeout_s": 5,
            "service_ids": [service.pk],
            "customer_ids": [personas.org_a.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["expected_status"] == "200-299,301"
    assert body["service_ids"] == [service.pk] and body["customer_ids"] == [personas.org_a.pk]
    assert (body["status"], body["status_since"], body["last_check_at"]) == ("unknown", None, None)
    assert body["push_url"] is None
    url = f"/api/v1/monitors/{body['id']}"
    changed = patch(client, url, {"interval_s": 120, "regions": ["local"]})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["interval_s"], changed.json()["regions"]) == (120, ["local"])
    assert changed.json()["keyword"] == "欢迎"  # untouched
    assert client.get(url).json()["interval_s"] == 120
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_a_push_monitors_detail_has_its_heartbeat_url_which_can_be_renewed(  # type: ignore[no-untyped-def]
    api_client, personas, settings
) -> None:
    settings.BAOZHANG_BASE_URL = "https://bz.example.com"
    client = api_client(personas.engineer)
    created = post(
        client,
        "/api/v1/monitors",
        {"name": "Nightly backup", "kind": "push", "push_period_s": 86400},
    )
    assert created.status_code == 201, created.content
    monitor = Monitor.objects.get()
    assert created.json()["push_url"] == f"https://bz.example.com/ping/{monitor.push_token}"
    renewed = post(client, f"/api/v1/monitors/{monitor.pk}/rotate-token")
    monitor.refresh_from_db()
    assert renewed.json()["push_url"] == f"https://bz.example.com/ping/{monitor.push_token}"
    assert renewed.json()["push_url"] != created.json()["push_url"]


def test_enable_and_disable(api_client, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("tcp")
    client = api_client(personas.engineer)
    assert post(client, f"/api/v1/monitors/{monitor.pk}/disable").json()["enabled"] is False
    assert not Monitor.objects.get(pk=monitor.pk).enabled
    assert post(client, f"/api/v1/monitors/{monitor.pk}/enable").json()["enabled"] is True


def test_the_list_filters_by_status_kind_and_service_and_is_paginated(  # type: ignore[no-untyped-def]
    api_client, personas, monitor_factory, service_factory
) -> None:
    web = service_factory()
    a = monitor_factory("http", name="a", services=[web])
    b = monitor_factory("tcp", name="b")
    Monitor.objects.filter(pk=b.pk).update(status=MonitorStatus.DOWN)
    client = api_client(personas.engineer)

    def ids(query: str = "") -> list[int]:
        body = client.get(f"/api/v1/monitors{query}").json()
        assert body["count"] == len(body["items"])
        return [m["id"] for m in body["items"]]

    assert ids() == [a.pk, b.pk]
    assert ids("?kind=tcp") == [b.pk]
    assert ids("?status=down") == [b.pk]
    assert ids(f"?service={web.pk}") == [a.pk]
    assert "status" in fields_of(client.get("/api/v1/monitors?status=sideways"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "tcp", "target": "db.example.com"}, "target"),
        ({"name": "x", "kind": "http", "target": "gopher://x"}, "target"),
        (
            {"name": "x", "kind": "http", "target": "http://a/", "expected_status": "2xx"},
            "expected_status",
        ),
        (
            {"name": "x", "kind": "icmp", "target": "a", "interval_s": 5, "timeout_s": 5},
            "timeout_s",
        ),
        ({"name": "x", "kind": "dns", "target": "a.example", "dns_server": "ns1"}, "dns_server"),
        ({"name": "x", "kind": "push"}, "push_period_s"),
        ({"name": "x", "kind": "icmp", "target": "a", "regions": ["mars"]}, "regions"),
        ({"name": "x", "kind": "icmp", "target": "a", "service_ids": [424242]}, "services"),
        ({"name": "x", "kind": "smtp", "target": "a"}, "kind"),
        ({"name": "x", "kind": "http", "http_headers": ["Accept", "x"]}, "http_headers"),
        ({"name": "x", "kind": "icmp", "target": "a", "colour": "red"}, "colour"),
        ({"kind": "icmp", "target": "a"}, "name"),
    ],
)
def test_wrong_fields_are_422_with_a_message_per_field(api_client, personas, body, field) -> None:  # type: ignore[no-untyped-def]
    response = post(api_client(personas.engineer), "/api/v1/monitors", body)
    fields = fields_of(response)
    assert field in fields, fields
    assert not Monitor.objects.exists()


def test_a_monitors_kind_cannot_change(api_client, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("http")
    response = patch(
        api_client(personas.engineer), f"/api/v1/monitors/{monitor.pk}", {"kind": "tcp"}
    )
    assert "kind" in fields_of(response)


def test_a_customer_sees_their_monitors_state_but_not_how_they_are_checked(  # type: ignore[no-untyped-def]
    api_client, personas, monitor_factory, service_factory
) -> None:
    shared = service_factory(customers=[personas.org_a])
    private = service_factory(customers=[personas.org_b])
    mine = monitor_factory(
        "http",
        customers=[personas.org_a],
        services=[shared, private],
        target="https://origin.internal.example.com/",
        http_headers={"Authorization": "Bearer hush"},
    )
    push = monitor_factory("push", customers=[personas.org_a])
    monitor_factory("http", customers=[personas.org_b])
    client = api_client(personas.contact_a)
    items = client.get("/api/v1/monitors").json()["items"]
    assert {m["id"] for m in items} == {mine.pk, push.pk}
    detail = client.get(f"/api/v1/monitors/{mine.pk}").json()
    assert (detail["name"], detail["status"], detail["kind"]) == (mine.name, "unknown", "http")
    assert detail["service_ids"] == [shared.pk]
    for hidden in ("target", "http_headers", "regions", "customer_ids", "push_url"):
        assert detail[hidden] is None, hidden
    assert "hush" not in str(items) and "origin.internal" not in str(items)
    assert push.push_token not in str(client.get(f"/api/v1/monitors/{push.pk}").json())


def test_a_customer_cannot_change_monitors(api_client, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    mine = monitor_factory("http", customers=[personas.org_a])
    client = api_client(personas.contact_a)
    body = {"name": "x", "kind": "icmp", "target": "10.0.0.1"}
    assert post(client, "/api/v1/monitors", body).status_code == 403
    assert patch(client, f"/api/v1/monitors/{mine.pk}", {"name": "mine now"}).status_code == 403
    assert post(client, f"/api/v1/monitors/{mine.pk}/disable").status_code == 403
    assert client.delete(f"/api/v1/monitors/{mine.pk}").status_code == 403
    assert Monitor.objects.get(pk=mine.pk).enabled and Monitor.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"name": "taken over"}),
        ("delete", "", None),
        ("post", "/enable", {}),
        ("post", "/disable", {}),
        ("post", "/rotate-token", {}),
    ],
)
def test_another_organisations_monitor_is_404(  # type: ignore[no-untyped-def]
    api_client, personas, monitor_factory, method, suffix, body
) -> None:
    theirs = monitor_factory("push", customers=[personas.org_a])
    client = api_client(personas.contact_b)
    url = f"/api/v1/monitors/{theirs.pk}{suffix}"
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Monitor.objects.get(pk=theirs.pk).name == theirs.name


# -- probe regions --------------------------------------------------------------------------


def test_a_region_token_is_given_once(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.engineer)
    created = post(client, "/api/v1/probe-regions", {"name": "beijing-1", "description": "IDC"})
    assert created.status_code == 201, created.content
    token = created.json()["token"]
    region = ProbeRegion.objects.get()
    assert catalog.region_for_token(token) == region
    listed = client.get("/api/v1/probe-regions").json()["items"]
    assert listed[0]["name"] == "beijing-1" and "token" not in listed[0]
    rotated = post(client, f"/api/v1/probe-regions/{region.pk}/rotate")
    assert rotated.status_code == 200 and rotated.json()["token"] != token
    assert catalog.region_for_token(token) is None
    stopped = post(client, f"/api/v1/probe-regions/{region.pk}/deactivate")
    assert stopped.json()["is_active"] is False


def test_a_bad_region_name_is_422(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.engineer)
    assert "name" in fields_of(post(client, "/api/v1/probe-regions", {"name": "local"}))
    assert "name" in fields_of(post(client, "/api/v1/probe-regions", {}))


def test_probe_regions_are_404_for_customers(api_client, personas, region_factory) -> None:  # type: ignore[no-untyped-def]
    region, _token = region_factory()
    client = api_client(personas.contact_a)
    assert client.get("/api/v1/probe-regions").status_code == 404
    assert post(client, "/api/v1/probe-regions", {"name": "mine"}).status_code == 404
    assert post(client, f"/api/v1/probe-regions/{region.pk}/rotate").status_code == 404
    assert post(client, f"/api/v1/probe-regions/{region.pk}/deactivate").status_code == 404
    assert ProbeRegion.objects.get().is_active


def test_an_agent_may_list_regions_but_not_create_them(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.agent)
    assert client.get("/api/v1/probe-regions").status_code == 200
    assert post(client, "/api/v1/probe-regions", {"name": "north"}).status_code == 403
