"""Maintenance scheduled for a customer with no channel says that customer was not told,
on the page, in the event and on the window (issue 18 §5); "told" counts only those
who got a message."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from baozhang.events.models import Event
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.notify.models import Channel, Message, Unreached, UnreachedReason


def _local(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%dT%H:%M")


def _schedule(client, service, language):
    start = timezone.now() + dt.timedelta(days=2)
    return client.post(
        "/maintenance/new/",
        {
            "title": "存储扩容",
            "title_en": "Storage expansion",
            "services": [service.pk],
            "start": _local(start),
            "end": _local(start + dt.timedelta(hours=2)),
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_a_customer_without_a_channel_is_said_not_told(personas, service_factory, login):
    Channel.objects.create(
        organisation=personas.org_b,
        kind="webhook",
        name="B hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    hosting = service_factory(personas.org_a, personas.org_b, name="云主机")
    client = login(personas.engineer)

    page = _schedule(client, hosting, "zh-hans").content.decode()

    assert "维护已安排。 已通知 1 个客户。" in page
    assert f"客户 {personas.org_a.name} 没有可用的通知渠道，未通知" in page
    window = MaintenanceWindow.objects.get()
    assert Message.objects.filter(organisation=personas.org_b).count() == 1
    assert not Message.objects.filter(organisation=personas.org_a).exists()
    row = Unreached.objects.get()
    assert (row.organisation, row.reason) == (personas.org_a, UnreachedReason.NO_CHANNEL)
    assert (row.object_type, row.object_id) == ("maintenance.maintenancewindow", str(window.pk))
    event = Event.objects.get(object_type="maintenance.maintenancewindow", kind="created")
    with translation.override("zh-hans"):
        assert (
            event.summary_text
            == f"已通知 1 个客户；没有可用的通知渠道，未通知：{personas.org_a.name}"
        )
    with translation.override("en"):
        assert event.summary_text == (
            f"1 customers told; not notified, no channel can reach them: {personas.org_a.name}"
        )
    # The window's page keeps saying it.
    detail = client.get(f"/maintenance/{window.pk}/").content.decode()
    assert 'data-testid="not-notified"' in detail
    assert f"客户 {personas.org_a.name} 没有可用的通知渠道，未通知。" in detail


def test_in_english_and_with_nobody_told(personas, service_factory, login):
    hosting = service_factory(personas.org_a, name="云主机")
    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["language"])

    page = _schedule(login(personas.engineer), hosting, "en").content.decode()

    assert "Maintenance scheduled. 0 customers told." in page
    assert f"Customer {personas.org_a.name} has no channel that can reach them; not notified." in (
        page
    )
    assert "have been told" not in page


def test_the_api_says_who_was_not_notified_to_staff_only(personas, service_factory, api_client):
    hosting = service_factory(personas.org_a, name="云主机")
    engineer = api_client(personas.engineer)
    start = timezone.now() + dt.timedelta(days=2)
    created = engineer.post(
        "/api/v1/maintenance/windows",
        {
            "title": "存储扩容",
            "service_ids": [hosting.pk],
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(),
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert created.status_code == 201, created.content
    assert created.json()["not_notified"] == [
        f"Customer {personas.org_a.name} has no channel that can reach them; not notified."
    ]
    window_id = created.json()["id"]
    seen = api_client(personas.contact_a).get(f"/api/v1/maintenance/windows/{window_id}")
    assert seen.json()["not_notified"] == []
