"""Monitoring pages: lists with filters, a monitor of each kind, the forms that show only
the chosen kind's settings, services, probe regions with their one-time token; what a
customer's people see and what they do not."""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from baozhang.monitoring import catalog
from baozhang.monitoring.models import Monitor, MonitorStatus, ProbeRegion, ProbeResult, StateSpell

from .conftest import KIND_DEFAULTS


def html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def fieldset_of(page: str, kinds: str) -> str:
    """The opening tag of the fieldset for ``kinds``."""
    match = re.search(rf'<fieldset data-kinds="{kinds}"[^>]*>', page)
    assert match, kinds
    return match.group(0)


# -- monitors -------------------------------------------------------------------------------


def test_the_list_shows_status_since_kind_interval_and_services(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, service_factory
) -> None:
    web = service_factory(name="官网", name_en="Web site")
    down = monitor_factory("http", name="首页 Home page", services=[web], interval_s=30)
    Monitor.objects.filter(pk=down.pk).update(
        status=MonitorStatus.DOWN, status_since=timezone.now() - dt.timedelta(minutes=5)
    )
    monitor_factory("tcp", name="Database port")
    page = html(login(personas.engineer).get(reverse("monitoring:monitors")))
    assert "首页 Home page" in page and "Database port" in page
    assert "bz-mon-down" in page and "官网" in page
    assert "every 30 s" in page or "每 30 秒" in page
    assert "5\xa0minutes" in page or "5\xa0分钟" in page


def test_the_list_filters_by_status_kind_and_service(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, service_factory
) -> None:
    web = service_factory()
    a = monitor_factory("http", name="Alpha", services=[web])
    monitor_factory("tcp", name="Bravo")
    Monitor.objects.filter(pk=a.pk).update(status=MonitorStatus.UP)
    client = login(personas.engineer)
    url = reverse("monitoring:monitors")

    def names(**params) -> list[str]:  # type: ignore[no-untyped-def]
        page = html(client.get(url, params))
        return re.findall(r'<a href="/monitoring/monitors/\d+/">([^<]+)</a>', page)

    assert names() == ["Alpha", "Bravo"]
    assert names(kind="tcp") == ["Bravo"]
    assert names(status="up") == ["Alpha"]
    assert names(service=web.pk) == ["Alpha"]
    assert names(kind="nonsense") == ["Alpha", "Bravo"]


@pytest.mark.parametrize("kind", ["http", "tcp", "icmp", "dns", "snmp", "push"])
def test_the_detail_page_of_each_kind_shows_its_settings_to_staff(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, kind
) -> None:
    monitor = monitor_factory(kind, name=f"The {kind} one")
    page = html(login(personas.engineer).get(reverse("monitoring:monitor", args=[monitor.pk])))
    assert f"The {kind} one" in page
    assert 'data-testid="settings"' in page and 'data-testid="results"' in page
    if kind == "push":
        url = catalog.push_url(monitor)
        assert url in page
        assert f"curl -fsS -m 10 --retry 3 {url}" in page
    else:
        assert KIND_DEFAULTS[kind]["target"] in page
    if kind == "http":
        assert "Accept: text/html" in page


def test_the_detail_page_shows_recent_results_spells_and_exclusions(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    monitor = monitor_factory("http")
    now = timezone.now()
    ProbeResult.objects.create(
        monitor=monitor, region="local", at=now, ok=False, error="HTTP 503 from upstream"
    )
    StateSpell.objects.create(
        monitor=monitor,
        state=MonitorStatus.UNKNOWN,
        start=now - dt.timedelta(hours=3),
        end=now - dt.timedelta(hours=2),
        reason="probe host rebooted",
    )
    StateSpell.objects.create(
        monitor=monitor, state=MonitorStatus.UP, start=now - dt.timedelta(hours=2)
    )
    page = html(login(personas.engineer).get(reverse("monitoring:monitor", args=[monitor.pk])))
    assert "HTTP 503 from upstream" in page
    assert "probe host rebooted" in page
    assert 'data-testid="figures"' in page
    # time not observed is excluded from the figures, and shown as excluded
    exclusions = page[page.index('data-testid="exclusions"') :]
    assert "probe host rebooted" in exclusions


def test_the_detail_page_reads_the_probes_glued_texts_in_the_readers_language(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    monitor = monitor_factory("http")
    now = timezone.now()
    glued = "connection refused / 连接被拒绝"
    Monitor.objects.filter(pk=monitor.pk).update(
        status=MonitorStatus.DOWN, status_reason="1 of 1 regions down / 1 个区域中 1 个判定故障"
    )
    ProbeResult.objects.create(monitor=monitor, region="local", at=now, ok=False, error=glued)
    StateSpell.objects.create(
        monitor=monitor, state=MonitorStatus.DOWN, start=now - dt.timedelta(hours=1), reason=glued
    )
    engineer = personas.engineer
    url = reverse("monitoring:monitor", args=[monitor.pk])
    for language, shown, hidden in (
        ("en", "connection refused", "连接被拒绝"),
        ("zh-hans", "连接被拒绝", "connection refused"),
    ):
        engineer.language = language
        engineer.save(update_fields=["language"])
        page = html(login(engineer).get(url))
        assert shown in page and hidden not in page, language
    assert "1 个区域中" in page and "regions down" not in page


def test_the_detail_page_renders_without_the_figures_module(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, monkeypatch
) -> None:
    monitor = monitor_factory("icmp")
    monkeypatch.setitem(sys.modules, "baozhang.monitoring.figures", None)
    page = html(login(personas.engineer).get(reverse("monitoring:monitor", args=[monitor.pk])))
    assert 'data-testid="figures"' not in page and "—" in page


def test_a_customer_sees_name_status_and_figures_but_no_target_headers_or_token(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    web = monitor_factory(
        "http",
        name="客户甲官网",
        customers=[personas.org_a],
        target="https://secret-origin.example.com/health",
        http_headers={"Authorization": "Bearer hush"},
    )
    push = monitor_factory("push", name="Nightly backup", customers=[personas.org_a])
    client = login(personas.contact_a)
    listing = html(client.get(reverse("monitoring:monitors")))
    assert "客户甲官网" in listing and "Nightly backup" in listing
    assert "New monitor" not in listing and "新建监控" not in listing
    page = html(client.get(reverse("monitoring:monitor", args=[web.pk])))
    assert "客户甲官网" in page and 'data-testid="monitor-status"' in page
    assert 'data-testid="figures"' in page
    assert "secret-origin" not in page and "hush" not in page
    assert 'data-testid="settings"' not in page
    page = html(client.get(reverse("monitoring:monitor", args=[push.pk])))
    assert push.push_token not in page and "/ping/" not in page
    assert client.get(reverse("monitoring:monitor_edit", args=[web.pk])).status_code == 403
    assert client.get(reverse("monitoring:monitor_create")).status_code == 403


def test_a_customer_gets_404_for_another_organisations_monitor(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    theirs = monitor_factory("http", customers=[personas.org_b])
    client = login(personas.contact_a)
    assert client.get(reverse("monitoring:monitor", args=[theirs.pk])).status_code == 404
    action = reverse("monitoring:monitor_action", args=[theirs.pk])
    assert client.post(action, {"action": "disable"}).status_code == 404
    assert Monitor.objects.get(pk=theirs.pk).enabled
    listing = html(client.get(reverse("monitoring:monitors")))
    assert theirs.name not in listing


def test_the_create_form_shows_only_the_chosen_kinds_settings(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.engineer)
    page = html(client.get(reverse("monitoring:monitor_create"), {"kind": "dns"}))
    assert "hidden" not in fieldset_of(page, "dns")
    assert "hidden disabled" in fieldset_of(page, "http")
    assert "hidden disabled" in fieldset_of(page, "push")
    assert 'data-monitor-kind="1"' in page and "monitoring/monitor_form.js" in page
    page = html(client.get(reverse("monitoring:monitor_create")))
    assert "hidden" not in fieldset_of(page, "http")  # HTTP by default


def test_creating_a_tcp_monitor_through_the_form(login, personas, service_factory) -> None:  # type: ignore[no-untyped-def]
    service = service_factory()
    client = login(personas.engineer)
    response = client.post(
        reverse("monitoring:monitor_create"),
        {
            "name": "MySQL",
            "kind": "tcp",
            "enabled": "on",
            "target": "db.example.com:3306",
            "interval_s": "30",
            "timeout_s": "5",
            "retries": "3",
            "regions": ["local"],
            "quorum": "1",
            "services": [service.pk],
            "customers": [personas.org_a.pk],
        },
    )
    monitor = Monitor.objects.get(name="MySQL")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:monitor", args=[monitor.pk])
    assert (monitor.kind, monitor.target, monitor.interval_s, monitor.retries) == (
        "tcp",
        "db.example.com:3306",
        30,
        3,
    )
    assert monitor.regions == ["local"]
    assert list(monitor.services.all()) == [service]
    assert list(monitor.customers.all()) == [personas.org_a]


def test_a_refused_form_says_why_beside_the_field(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.engineer)
    page = html(
        client.post(
            reverse("monitoring:monitor_create"),
            {
                "name": "Broken",
                "kind": "tcp",
                "target": "db.example.com",
                "interval_s": "60",
                "timeout_s": "10",
                "retries": "2",
                "quorum": "1",
            },
        )
    )
    assert "主机:端口" in page and "is not host:port" not in page  # the reader's language
    assert "hidden" not in fieldset_of(page, "http tcp icmp dns snmp")  # the target's fieldset
    assert not Monitor.objects.exists()


def test_creating_a_push_monitor_needs_no_target(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.engineer)
    response = client.post(
        reverse("monitoring:monitor_create") + "?kind=push",
        {"name": "Backup", "kind": "push", "push_period_s": "86400", "push_grace_s": "600"},
    )
    assert response.status_code == 302
    monitor = Monitor.objects.get()
    assert (monitor.push_period_s, monitor.push_grace_s) == (86400, 600)
    page = html(client.get(response["Location"]))
    assert catalog.push_url(monitor) in page


def test_editing_changes_only_what_was_changed(login, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("http", keyword="Welcome")
    client = login(personas.engineer)
    url = reverse("monitoring:monitor_edit", args=[monitor.pk])
    page = html(client.get(url))
    assert 'name="kind"' not in page  # a monitor's kind cannot change
    assert "Accept: text/html" in page
    response = client.post(
        url,
        {
            "name": monitor.name,
            "enabled": "on",
            "target": "https://www.example.com/ready",
            "http_method": "HEAD",
            "expected_status": "200-299",
            "keyword": "Welcome",
            "http_headers": "Accept: text/html\nX-Probe: baozhang",
            "verify_tls": "on",
            "interval_s": "60",
            "timeout_s": "10",
            "retries": "2",
            "quorum": "1",
        },
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert monitor.target == "https://www.example.com/ready"
    assert monitor.http_method == "HEAD" and monitor.expected_status == "200-299"
    assert monitor.http_headers == {"Accept": "text/html", "X-Probe": "baozhang"}


def test_enable_disable_rotate_and_delete_from_the_detail_page(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    monitor = monitor_factory("push")
    old = monitor.push_token
    client = login(personas.engineer)
    action = reverse("monitoring:monitor_action", args=[monitor.pk])
    client.post(action, {"action": "disable"})
    assert not Monitor.objects.get(pk=monitor.pk).enabled
    page = html(client.get(reverse("monitoring:monitor", args=[monitor.pk])))
    assert 'data-testid="monitor-disabled"' in page
    client.post(action, {"action": "enable"})
    assert Monitor.objects.get(pk=monitor.pk).enabled
    client.post(action, {"action": "rotate_token"})
    assert Monitor.objects.get(pk=monitor.pk).push_token != old
    response = client.post(action, {"action": "delete"})
    assert response["Location"] == reverse("monitoring:monitors")
    assert not Monitor.objects.exists()


def test_an_agent_sees_monitors_but_cannot_change_them(login, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("icmp")
    client = login(personas.agent)
    page = html(client.get(reverse("monitoring:monitor", args=[monitor.pk])))
    assert "10.0.0.1" in page and "/action/" not in page
    client.post(reverse("monitoring:monitor_action", args=[monitor.pk]), {"action": "disable"})
    assert Monitor.objects.get(pk=monitor.pk).enabled
    assert client.get(reverse("monitoring:monitor_create")).status_code == 403


def test_the_menu_has_monitoring_for_staff_only(login, personas) -> None:  # type: ignore[no-untyped-def]
    url = reverse("monitoring:monitors")
    assert f'href="{url}"' in html(login(personas.engineer).get(reverse("web:dashboard")))
    assert f'href="{url}"' not in html(login(personas.contact_a).get(reverse("web:dashboard")))


# -- services -------------------------------------------------------------------------------


def test_services_are_listed_created_edited_and_deleted(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.director)
    listing = html(client.get(reverse("monitoring:services")))
    assert f'href="{reverse("monitoring:service_create")}"' in listing
    html(client.get(reverse("monitoring:service_create")))
    response = client.post(
        reverse("monitoring:service_create"),
        {
            "name": "互联网专线",
            "name_en": "Internet line",
            "description": "100M",
            "is_public": "on",
            "customers": [personas.org_a.pk],
            "position": "1",
        },
    )
    assert response.status_code == 302
    from baozhang.catalog.models import Service

    service = Service.objects.get()
    assert service.slug == "internet-line"
    assert "互联网专线" in html(client.get(reverse("monitoring:services")))
    edit = reverse("monitoring:service_edit", args=[service.pk])
    html(client.get(edit))
    client.post(
        edit,
        {"name": "互联网专线", "name_en": "Internet line", "slug": "line", "position": "1"},
    )
    service.refresh_from_db()
    assert service.slug == "line" and not service.is_public
    client.post(reverse("monitoring:service_delete", args=[service.pk]))
    assert not Service.objects.exists()


def test_a_refused_service_deletion_says_why(  # type: ignore[no-untyped-def]
    login, personas, service_factory, monitor_factory
) -> None:
    service = service_factory()
    monitor_factory("icmp", name="edge router", services=[service])
    client = login(personas.director)
    response = client.post(reverse("monitoring:service_delete", args=[service.pk]), follow=True)
    assert "edge router" in response.content.decode()
    assert service.__class__.objects.filter(pk=service.pk).exists()


def test_a_customer_sees_the_services_they_use_without_other_customers(  # type: ignore[no-untyped-def]
    login, personas, service_factory
) -> None:
    service_factory(name="共享主机", customers=[personas.org_a, personas.org_b])
    service_factory(name="乙的专线", customers=[personas.org_b])
    page = html(login(personas.contact_a).get(reverse("monitoring:services")))
    assert "共享主机" in page and "乙的专线" not in page
    assert "Customer B" not in page


# -- probe regions --------------------------------------------------------------------------


def test_a_new_regions_token_is_shown_once(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.engineer)
    url = reverse("monitoring:regions")
    page = html(client.post(url, {"action": "create", "name": "beijing-1", "description": "IDC"}))
    token = re.search(r"bzp_[A-Za-z0-9_-]+", page).group(0)  # type: ignore[union-attr]
    assert catalog.region_for_token(token) == ProbeRegion.objects.get(name="beijing-1")
    again = html(client.get(url))
    assert "beijing-1" in again and token not in again and "bzp_" not in again


def test_rotating_and_deactivating_a_region(
    login, personas, region_factory, monitor_factory
) -> None:  # type: ignore[no-untyped-def]
    region, old = region_factory("gz")
    monitor_factory("icmp", name="uses gz", regions=["gz"])
    client = login(personas.engineer)
    url = reverse("monitoring:regions")
    page = html(client.post(url, {"action": "rotate", "region": region.pk}))
    new = re.search(r"bzp_[A-Za-z0-9_-]+", page).group(0)  # type: ignore[union-attr]
    assert new != old and catalog.region_for_token(new) == region
    page = html(client.post(url, {"action": "deactivate", "region": region.pk}, follow=True))
    assert "uses gz" in page  # told which monitors still name it
    assert not ProbeRegion.objects.get(pk=region.pk).is_active


def test_a_bad_region_name_is_refused_on_the_page(login, personas) -> None:  # type: ignore[no-untyped-def]
    page = html(
        login(personas.engineer).post(
            reverse("monitoring:regions"), {"action": "create", "name": "local"}
        )
    )
    assert "保留名称" in page and "is reserved" not in page  # the reader's language
    assert not ProbeRegion.objects.exists()


def test_regions_are_none_of_a_customers_business(login, personas, region_factory) -> None:  # type: ignore[no-untyped-def]
    region, _token = region_factory()
    client = login(personas.contact_a)
    assert client.get(reverse("monitoring:regions")).status_code == 404
    response = client.post(
        reverse("monitoring:regions"), {"action": "deactivate", "region": region.pk}
    )
    assert response.status_code == 404
    assert ProbeRegion.objects.get(pk=region.pk).is_active


def test_an_agent_sees_regions_but_may_not_change_them(login, personas, region_factory) -> None:  # type: ignore[no-untyped-def]
    region, _token = region_factory()
    client = login(personas.agent)
    page = html(client.get(reverse("monitoring:regions")))
    assert "beijing-1" in page and 'data-testid="region-form"' not in page
    response = client.post(reverse("monitoring:regions"), {"action": "rotate", "region": region.pk})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("kind", "fieldset"),
    [
        ("http", "http"),
        ("tcp", "http tcp icmp dns snmp"),
        ("icmp", "http tcp icmp dns snmp"),
        ("dns", "dns"),
        ("snmp", "snmp"),
        ("push", "push"),
    ],
)
def test_the_edit_form_of_each_kind_shows_its_settings(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, kind, fieldset
) -> None:
    monitor = monitor_factory(kind)
    page = html(login(personas.engineer).get(reverse("monitoring:monitor_edit", args=[monitor.pk])))
    assert "hidden" not in fieldset_of(page, fieldset)
    hidden = {"http", "dns", "snmp", "push"} - {kind}
    assert all("hidden disabled" in fieldset_of(page, k) for k in hidden)


def test_a_push_monitors_period_is_edited_alone(login, personas, monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("push", customers=[personas.org_a])
    client = login(personas.engineer)
    response = client.post(
        reverse("monitoring:monitor_edit", args=[monitor.pk]),
        {
            "name": monitor.name,
            "enabled": "on",
            "push_period_s": "7200",
            "push_grace_s": "300",
            "customers": [personas.org_a.pk],
        },
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert monitor.push_period_s == 7200 and list(monitor.customers.all()) == [personas.org_a]


def test_the_lists_show_the_last_check_without_a_query_per_monitor(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baozhang.monitoring import ingest
    from baozhang.monitoring.probe.specs import Outcome

    at = dt.datetime(2026, 11, 2, 2, 0, 5, tzinfo=dt.UTC)
    first = monitor_factory("http", name="Alpha")
    ingest.ingest([Outcome(first.id, "local", at, True, 3.0, "", at)])
    shown = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")

    def lists(client) -> tuple[str, str, int]:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            page = html(client.get(reverse("monitoring:monitors")))
            admin = html(client.get("/admin/monitoring/monitor/"))
        return page, admin, len(queries)

    page, admin, one = lists(login(personas.admin))
    assert shown in page
    assert "最近检测" in admin or "Last check" in admin
    assert timezone.localtime(at).strftime("%H:%M") in admin
    for name in ("Bravo", "Charlie", "Delta"):
        other = monitor_factory("tcp", name=name)
        ingest.ingest([Outcome(other.id, "local", at, True, 1.0, "", at)])
    assert lists(login(personas.admin))[2] == one  # four monitors, the same queries
