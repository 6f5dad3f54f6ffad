"""An incident opened by monitoring is shown to the public by its service and the kind of
fault; the probe's words (an internal address, an error text) stay on the staff pages
(issue 18 §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from baozhang.incidents.models import Incident, Source
from baozhang.monitoring import ingest
from baozhang.monitoring.models import Monitor
from baozhang.notify.models import Channel, Message

MIN = dt.timedelta(minutes=1)
PROBE_SAYS = "connection refused (127.0.0.1)"


@dataclass(frozen=True)
class R:
    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None = 12.0
    error: str = ""


@pytest.fixture
def anonymous() -> Client:
    return Client()


def _down_on_loopback(service) -> Incident:
    monitor = Monitor.objects.create(
        name="web 127.0.0.1", kind="http", target="http://127.0.0.1:9/health", retries=0
    )
    monitor.services.add(service)
    t0 = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    Monitor.objects.filter(pk=monitor.pk).update(created_at=t0 - dt.timedelta(hours=1))
    ingest.ingest([R(monitor.id, "local", t0, True)])
    ingest.ingest([R(monitor.id, "local", t0 + MIN, False, None, PROBE_SAYS)])
    return Incident.objects.get(source=Source.MONITOR)


def test_the_status_page_with_a_monitor_down_on_loopback_shows_no_address_or_error(
    personas, service_factory, anonymous, login, api_client
):
    Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    hosting = service_factory(personas.org_a, name="云主机", name_en="Cloud hosts", monitors=0)
    incident = _down_on_loopback(hosting)
    assert PROBE_SAYS in incident.title  # the staff title keeps the probe's words

    zh = anonymous.get("/status/?lang=zh-hans").content.decode()
    en = anonymous.get("/status/?lang=en").content.decode()
    json = anonymous.get("/status/status.json").content.decode()
    for body in (zh, en, json):
        assert "127.0.0.1" not in body
        assert "connection refused" not in body
    assert "云主机：服务中断" in zh
    assert "Cloud hosts: outage" in en
    assert "云主机：服务中断" in json and "Cloud hosts: outage" in json

    # The customer's notice and the customer's incident page say the same.
    notice = Message.objects.get(organisation=personas.org_a, template_key="incident_opened")
    assert PROBE_SAYS not in notice.subject + notice.body
    assert "connection refused" not in notice.body
    assert "云主机：服务中断" in notice.body
    page = login(personas.contact_a).get(reverse("incidents:detail", args=[incident.pk]))
    assert PROBE_SAYS not in page.content.decode()
    assert "云主机：服务中断" in page.content.decode()
    listing = login(personas.contact_a).get(reverse("incidents:list")).content.decode()
    assert PROBE_SAYS not in listing

    # Nor does the API to the customer's people, in their language.
    customer_api = api_client(personas.contact_a)
    listed = customer_api.get("/api/v1/incidents").json()
    assert [i["title"] for i in listed["items"]] == ["云主机：服务中断"]
    english = customer_api.get(f"/api/v1/incidents/{incident.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["title"] == "Cloud hosts: outage"

    # Staff still read what the probe said.
    staff = login(personas.engineer).get(reverse("incidents:detail", args=[incident.pk]))
    assert PROBE_SAYS in staff.content.decode()
    staff_api = api_client(personas.engineer)
    assert PROBE_SAYS in staff_api.get(f"/api/v1/incidents/{incident.pk}").json()["title"]
    assert PROBE_SAYS in staff_api.get("/api/v1/incidents").json()["items"][0]["title"]
