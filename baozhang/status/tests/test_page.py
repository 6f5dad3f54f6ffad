"""/status/ and /status/status.json: public, bilingual, nothing private, cheap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baozhang.maintenance import services as maintenance

from .conftest import SH, outage, update


@pytest.fixture
def anonymous() -> Client:
    return Client()


def _yesterday(hour: int) -> dt.datetime:
    day = timezone.now().astimezone(SH).date() - dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def test_anyone_sees_the_page_without_signing_in(personas, service_factory, anonymous):
    service_factory(name="云主机", name_en="Cloud hosting", up_since=_yesterday(0))

    response = anonymous.get("/status/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{personas.operator.name}</h1>" in html
    assert 'data-service="hosting-1"' in html
    assert html.count('role="listitem"') == 90  # 90 bars
    assert response["Cache-Control"] in {"public, max-age=30", "max-age=30, public"}
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies


@pytest.mark.parametrize(
    ("how", "lang", "name", "other"),
    [
        ({"QUERY_STRING": "lang=en"}, "en", "Cloud hosting", "云主机"),
        ({"QUERY_STRING": "lang=zh-hans"}, "zh-Hans", "云主机", "Cloud hosting"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "en", "Cloud hosting", "云主机"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "zh-Hans", "云主机", "Cloud hosting"),
    ],
)
def test_the_page_follows_the_browser_or_the_language_link(
    personas, service_factory, anonymous, how, lang, name, other
):
    service_factory(name="云主机", name_en="Cloud hosting", up_since=_yesterday(0))
    response = anonymous.get("/status/", **how)
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert f"<strong>{name}</strong>" in html and f"<strong>{other}</strong>" not in html
    assert response["Content-Language"] == lang.lower()
    assert 'href="?lang=en"' in html and 'href="?lang=zh-hans"' in html


def test_states_incidents_and_maintenance_are_shown(
    personas, service_factory, incident_factory, anonymous
):
    hosting = service_factory(name="云主机", name_en="Cloud hosting", up_since=_yesterday(0))
    link = service_factory(
        name="专线", name_en="Leased line", monitors=2, status="down", up_since=_yesterday(0)
    )
    outage(hosting.monitors.get(), _yesterday(10), _yesterday(11))
    incident = incident_factory(link, title="专线中断 Line cut")
    update(incident, "已定位光缆中断，正在抢修 / fibre cut found, repair under way")
    start = timezone.now() + dt.timedelta(days=2)
    maintenance.schedule(
        personas.engineer,
        title="核心交换机升级",
        title_en="Core switch upgrade",
        description="期间网络可能中断 5 分钟 / up to 5 minutes without network",
        services=[hosting],
        start=start,
        end=start + dt.timedelta(hours=2),
    )

    html = anonymous.get("/status/?lang=en").content.decode()

    assert 'class="st-banner st-major_outage"' in html
    assert 'st-state st-major_outage">Major outage' in html  # both monitors of the line down
    assert 'st-state st-operational">Operational' in html
    assert "专线中断 Line cut" in html and "fibre cut found" in html
    assert "Core switch upgrade" in html and "up to 5 minutes without network" in html
    # yesterday's bar of the hosting: 1 hour down of 24
    day = _yesterday(0).date().isoformat()
    assert f'title="{day} · 95.833 % available · down 1 hour"' in html


def test_maintenance_on_a_day_is_shown_as_excluded(personas, service_factory, anonymous):
    hosting = service_factory(up_since=_yesterday(0) - dt.timedelta(days=3))
    window = maintenance.schedule(
        personas.engineer,
        title="升级",
        services=[hosting],
        start=_yesterday(2),
        end=_yesterday(6),
        now=_yesterday(2) - dt.timedelta(days=2),
    )
    outage(hosting.monitors.get(), _yesterday(3), _yesterday(4))
    html = Client().get("/status/?lang=en").content.decode()
    day = window.start.astimezone(SH).date().isoformat()
    assert (
        f'title="{day} · 100.000 % available · no downtime · maintenance 4 hours '
        '(excluded)"' in html
    )
    assert "st-day-up st-day-mnt" in html


def test_nothing_private_reaches_the_page_or_the_json(
    personas, service_factory, incident_factory, anonymous
):
    public = service_factory(
        personas.org_a, name="云主机", name_en="Cloud hosting", up_since=_yesterday(0)
    )
    hidden = service_factory(
        personas.org_b, name="内部专线", name_en="Internal line", is_public=False
    )
    seen = incident_factory(public, title="访问缓慢 Slow access")
    update(seen, "正在排查 / investigating")
    update(seen, "root cause: admin password expired on 10.0.1.0", is_public=False)
    incident_factory(public, title="Private incident", is_public=False)
    incident_factory(hidden, title="Hidden service incident")
    start = timezone.now() + dt.timedelta(days=2)
    maintenance.schedule(
        personas.engineer,
        title="内部维护 Hidden maintenance",
        services=[hidden],
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    maintenance.schedule(
        personas.engineer,
        title="公开维护 Public maintenance",
        services=[public, hidden],
        start=start,
        end=start + dt.timedelta(hours=1),
        is_emergency=True,
        emergency_reason="客户甲的设备告警 secret reason",
    )
    monitor = public.monitors.get()
    bodies = {
        "page zh": anonymous.get("/status/?lang=zh-hans").content.decode(),
        "page en": anonymous.get("/status/?lang=en").content.decode(),
        "json": anonymous.get("/status/status.json").content.decode(),
    }
    private = [
        personas.org_a.name,
        personas.org_b.name,
        "内部专线",
        "Internal line",
        "admin password",
        "Private incident",
        "Hidden service incident",
        "Hidden maintenance",
        "secret reason",
        monitor.target,
        "10.0.",
        monitor.name,
    ]
    for where, body in bodies.items():
        assert "访问缓慢 Slow access" in body and "investigating" in body, where
        assert "Public maintenance" in body, where
        leaked = [p for p in private if p in body]
        assert not leaked, (where, leaked)


def test_status_json_has_the_same_public_facts(personas, service_factory, anonymous):
    hosting = service_factory(name="云主机", name_en="Cloud hosting", up_since=_yesterday(0))
    outage(hosting.monitors.get(), _yesterday(10), _yesterday(11))

    response = anonymous.get("/status/status.json")

    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=30" in response["Cache-Control"]
    body = response.json()
    assert body["operator"] == personas.operator.name
    assert body["state"] == "operational"
    (service,) = body["services"]
    assert (service["slug"], service["name"], service["name_en"]) == (
        "hosting-1",
        "云主机",
        "Cloud hosting",
    )
    assert len(service["days"]) == 90
    yesterday = next(d for d in service["days"] if d["date"] == _yesterday(0).date().isoformat())
    assert yesterday == {
        "date": _yesterday(0).date().isoformat(),
        "state": "down",
        "percent": "95.833",
        "downtime_s": 3600,
        "maintenance_s": 0,
    }


def test_the_page_is_cached_and_built_from_a_fixed_number_of_queries(
    personas, service_factory, incident_factory
):
    def build() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/status/").status_code == 200
        return len(queries)

    first = service_factory(up_since=_yesterday(0) - dt.timedelta(days=80))
    update(incident_factory(first), "first")
    soon = timezone.now() + dt.timedelta(days=2)
    maintenance.schedule(
        personas.engineer,
        title="维护",
        services=[first],
        start=soon,
        end=soon + dt.timedelta(hours=1),
    )
    few = build()

    for n in range(4):
        more = service_factory(monitors=3, up_since=_yesterday(0) - dt.timedelta(days=80))
        for monitor in more.monitors.all():
            for day in range(28, 0, -3):
                outage(
                    monitor,
                    _yesterday(1) - dt.timedelta(days=day),
                    _yesterday(2) - dt.timedelta(days=day),
                )
        for _ in range(3):
            incident = incident_factory(more)
            update(incident, f"update {n}")
            update(incident, "internal", is_public=False)
        start = timezone.now() + dt.timedelta(days=2 + n)
        maintenance.schedule(
            personas.engineer,
            title=f"维护 {n}",
            services=[more, first],
            start=start,
            end=start + dt.timedelta(hours=1),
        )
    many = build()

    assert many == few
    assert few <= 12
    # and while it is cached, a visit costs no query at all
    with CaptureQueriesContext(connection) as again:
        Client().get("/status/")
        Client().get("/status/status.json")
    assert len(again) == 0


def test_a_signed_in_person_sees_the_page_in_their_language_and_caches_vary_by_it(
    personas, service_factory, login
):
    service_factory(name="云主机", name_en="Cloud hosting", up_since=_yesterday(0))
    response = login(personas.contact_b).get("/status/")  # contact B reads English
    assert "<strong>Cloud hosting</strong>" in response.content.decode()
    assert "Accept-Language" in response["Vary"]


def test_only_open_and_recent_incidents_are_listed(
    personas, service_factory, incident_factory, anonymous
):
    hosting = service_factory(up_since=_yesterday(0) - dt.timedelta(days=30))
    now = timezone.now()
    incident_factory(hosting, title="仍在处理 still open", detected_at=now - dt.timedelta(days=20))
    incident_factory(
        hosting,
        title="上周已解决 resolved last week",
        status="resolved",
        detected_at=now - dt.timedelta(days=8),
        resolved_at=now - dt.timedelta(days=7),
    )
    incident_factory(
        hosting,
        title="很久以前 long ago",
        status="resolved",
        detected_at=now - dt.timedelta(days=20),
        resolved_at=now - dt.timedelta(days=19),
    )
    html = anonymous.get("/status/?lang=en").content.decode()
    assert "still open" in html and "resolved last week" in html
    assert "long ago" not in html


def test_a_service_in_maintenance_now_is_under_maintenance(personas, service_factory, anonymous):
    hosting = service_factory(up_since=_yesterday(0))
    now = timezone.now()
    maintenance.schedule(
        personas.engineer,
        title="紧急更换电源",
        title_en="Power supply replacement",
        services=[hosting],
        start=now - dt.timedelta(minutes=5),
        end=now + dt.timedelta(hours=1),
        is_emergency=True,
        emergency_reason="电源告警",
    )
    html = anonymous.get("/status/?lang=en").content.decode()
    assert 'class="st-banner st-maintenance"' in html
    assert 'st-state st-maintenance">Under maintenance' in html
    assert "Power supply replacement" in html and "In progress" in html
