"""The maintenance pages: schedule, see the 24-hour refusal on the form, reschedule,
cancel."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.notify.models import Message


def _local(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%dT%H:%M")


def test_an_engineer_schedules_maintenance_and_customers_are_told(
    personas, service_factory, channels, login
):
    hosting = service_factory(personas.org_a, name="云主机")
    client = login(personas.engineer)
    start = timezone.now() + dt.timedelta(days=2)
    response = client.post(
        "/maintenance/new/",
        {
            "title": "存储扩容",
            "title_en": "Storage expansion",
            "services": [hosting.pk],
            "start": _local(start),
            "end": _local(start + dt.timedelta(hours=2)),
        },
    )
    window = MaintenanceWindow.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/maintenance/{window.pk}/"
    assert Message.objects.filter(
        template_key="maintenance_scheduled", organisation=personas.org_a
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "存储扩容" in page and personas.org_a.name in page  # staff see who is affected
    assert "存储扩容" in client.get("/maintenance/").content.decode()


def test_the_24_hour_refusal_is_shown_on_the_form(personas, service_factory, login):
    hosting = service_factory(personas.org_a)
    client = login(personas.engineer)
    start = timezone.now() + dt.timedelta(hours=3)
    response = client.post(
        "/maintenance/new/",
        {
            "title": "今晚升级",
            "services": [hosting.pk],
            "start": _local(start),
            "end": _local(start + dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    said = " ".join(form.errors["start"])  # in the reader's language (Chinese) only
    assert "须至少提前 24 小时通知客户" in said and "24 hours ahead" not in said
    assert "须至少提前 24 小时通知客户" in response.content.decode()
    assert not MaintenanceWindow.objects.exists()


def test_reschedule_and_cancel_from_the_pages(personas, service_factory, channels, login):
    from baozhang.maintenance import services

    hosting = service_factory(personas.org_b)
    start = timezone.now() + dt.timedelta(days=3)
    window = services.schedule(
        personas.engineer,
        title="换电源",
        services=[hosting],
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    client = login(personas.director)
    assert client.get(f"/maintenance/{window.pk}/reschedule/").status_code == 200
    later = start + dt.timedelta(days=1)
    response = client.post(
        f"/maintenance/{window.pk}/reschedule/",
        {"start": _local(later), "end": _local(later + dt.timedelta(hours=2))},
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert _local(window.start) == _local(later)
    assert Message.objects.filter(template_key="maintenance_rescheduled").count() == 1

    # no reason: the form says so, nothing changes
    response = client.post(f"/maintenance/{window.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200
    window.refresh_from_db()
    assert window.status == WindowStatus.SCHEDULED
    response = client.post(f"/maintenance/{window.pk}/cancel/", {"reason": "不需要了"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.status == WindowStatus.CANCELLED
    assert "不需要了" in client.get(f"/maintenance/{window.pk}/").content.decode()
