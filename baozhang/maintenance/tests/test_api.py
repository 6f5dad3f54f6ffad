"""/api/v1/maintenance/…: the same services as the pages, the project's JSON errors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.notify.models import Message


def _post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


def _body(service_ids, start, hours=2, **kw):  # type: ignore[no-untyped-def]
    return {
        "title": "数据库升级",
        "title_en": "Database upgrade",
        "service_ids": service_ids,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=hours)).isoformat(),
        **kw,
    }


def test_schedule_list_read_and_cancel_by_api(personas, service_factory, channels, api_client):
    hosting = service_factory(personas.org_a)
    engineer = api_client(personas.engineer)
    start = timezone.now() + dt.timedelta(days=2)
    created = _post(engineer, "/api/v1/maintenance/windows", _body([hosting.pk], start))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "scheduled"
    assert [s["id"] for s in body["services"]] == [hosting.pk]
    assert Message.objects.filter(template_key="maintenance_scheduled").count() == 1

    listed = engineer.get("/api/v1/maintenance/windows", {"when": "upcoming"}).json()
    assert [w["id"] for w in listed["items"]] == [body["id"]]
    assert engineer.get("/api/v1/maintenance/windows", {"when": "past"}).json()["items"] == []
    assert engineer.get(f"/api/v1/maintenance/windows/{body['id']}").json()["title"] == "数据库升级"
    assert (
        api_client(personas.contact_a).get(f"/api/v1/maintenance/windows/{body['id']}").status_code
        == 200
    )

    cancelled = _post(
        engineer, f"/api/v1/maintenance/windows/{body['id']}/cancel", {"reason": "推迟"}
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert MaintenanceWindow.objects.get().status == WindowStatus.CANCELLED


def test_a_start_less_than_24_hours_ahead_is_a_422_with_the_projects_error(
    personas, service_factory, api_client
):
    hosting = service_factory(personas.org_a)
    start = timezone.now() + dt.timedelta(hours=5)
    response = _post(
        api_client(personas.engineer, language="en"),
        "/api/v1/maintenance/windows",
        _body([hosting.pk], start),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    (message,) = error["fields"]["__all__"]
    assert "at least 24 hours ahead" in message and "须至少提前" not in message  # English asked
    assert not MaintenanceWindow.objects.exists()

    emergency = _post(
        api_client(personas.engineer),
        "/api/v1/maintenance/windows",
        _body([hosting.pk], start, is_emergency=True, emergency_reason="安全漏洞 CVE 修补"),
    )
    assert emergency.status_code == 201, emergency.content


def test_a_customer_cannot_schedule_and_sees_nothing_of_others(
    personas, service_factory, api_client
):
    from baozhang.maintenance import services

    b_link = service_factory(personas.org_b)
    start = timezone.now() + dt.timedelta(days=2)
    window = services.schedule(
        personas.engineer,
        title="乙",
        services=[b_link],
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    contact_a = api_client(personas.contact_a)
    refused = _post(contact_a, "/api/v1/maintenance/windows", _body([b_link.pk], start))
    assert refused.status_code == 403
    assert contact_a.get("/api/v1/maintenance/windows").json()["items"] == []
    assert contact_a.get(f"/api/v1/maintenance/windows/{window.pk}").status_code == 404
    unknown = _post(
        api_client(personas.engineer, language="en"),
        "/api/v1/maintenance/windows",
        _body([987654], start),
    )
    assert unknown.status_code == 422 and "no such services" in unknown.text
