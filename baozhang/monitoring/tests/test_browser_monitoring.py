"""Monitoring as people use it, in a real browser: an engineer adds a monitor (the form
shows only the chosen kind's settings), schedules maintenance (too short a notice is
refused on the form, an emergency with a reason is accepted), and a visitor reads the
public status page in both languages. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baozhang.catalog.models import Service
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring.models import Monitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%dT%H:%M")


def test_an_engineer_adds_a_monitor_and_maintenance_and_the_public_sees_it(
    page, live_server, personas
) -> None:
    base = live_server.url
    service = Service.objects.create(name="云主机", name_en="Cloud hosts", slug="hosts")
    service.customers.add(personas.org_a)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, base, "engineer")
    page.goto(f"{base}/monitoring/monitors/new/")
    page.select_option("select[name=kind]", "tcp")
    # Only the TCP settings are shown once TCP is chosen.
    assert not page.is_visible("input[name=keyword]")
    page.fill("input[name=name]", "数据库端口 DB port")
    page.fill("input[name=target]", "127.0.0.1:5432")
    page.select_option("select[name=services]", str(service.pk))
    page.screenshot(path=str(ARTIFACTS / "monitoring-01-new-tcp-monitor.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    monitor = Monitor.objects.get(name="数据库端口 DB port")
    assert monitor.kind == "tcp" and list(monitor.services.all()) == [service]
    assert "127.0.0.1:5432" in page.content()

    soon = timezone.now() + dt.timedelta(hours=3)
    page.goto(f"{base}/maintenance/new/")
    page.fill("input[name=title]", "数据库升级")
    page.fill("input[name=title_en]", "Database upgrade")
    page.check(f"input[name=services][value='{service.pk}']")
    page.fill("input[name=start]", _local(soon))
    page.fill("input[name=end]", _local(soon + dt.timedelta(hours=1)))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "24" in text and not MaintenanceWindow.objects.exists()  # refused, on the form
    page.screenshot(path=str(ARTIFACTS / "monitoring-02-notice-refused.png"), full_page=True)
    page.check("input[name=is_emergency]")
    page.fill("textarea[name=emergency_reason]", "数据库漏洞紧急补丁 Emergency security patch")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    window = MaintenanceWindow.objects.get()
    assert window.is_emergency

    visitor = page.context.browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{base}/status/")
    assert "云主机" in visitor.inner_text("body")
    assert "数据库升级" in visitor.inner_text("body")
    visitor.screenshot(path=str(ARTIFACTS / "monitoring-03-status-zh.png"), full_page=True)
    visitor.goto(f"{base}/status/?lang=en")
    body = visitor.inner_text("body")
    assert "Cloud hosts" in body and "Database upgrade" in body
    assert "127.0.0.1" not in body and "客户甲" not in body  # no private data
    visitor.screenshot(path=str(ARTIFACTS / "monitoring-04-status-en.png"), full_page=True)
