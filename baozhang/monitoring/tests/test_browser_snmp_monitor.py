"""An SNMP monitor of a UPS added in a real browser, on a phone (390 px) and a laptop: the
form shows the SNMP settings once SNMP is chosen (a static script; strict CSP), the
community is typed into a password field and never shown again, and the detail page
states the expectation as an engineer writes it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.monitoring.models import Monitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_engineer_adds_an_snmp_monitor_of_a_ups_on_a_phone_and_a_laptop(
    page, live_server, personas
) -> None:
    base = live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base, "engineer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/monitoring/monitors/new/")
    assert not page.is_visible("input[name=snmp_oid]")
    page.select_option("select[name=kind]", "snmp")
    assert page.is_visible("input[name=snmp_oid]")
    assert page.is_visible("input[name=snmp_user]")  # the v3 settings, beside
    assert not page.is_visible("input[name=keyword]")
    page.fill("input[name=name]", "UPS-1 电池电压")
    page.fill("input[name=target]", "10.0.0.5")
    page.fill("input[name=snmp_community]", "ups-ro-secret")
    page.fill("input[name=snmp_oid]", "1.3.6.1.2.1.33.1.2.5.0")
    page.fill("input[name=snmp_min]", "13.2")
    page.fill("input[name=snmp_max]", "13.8")
    page.fill("input[name=snmp_scale]", "0.1")
    page.fill("input[name=snmp_unit]", "V")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "monitoring-snmp-01-form-phone.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    monitor = Monitor.objects.get(name="UPS-1 电池电压")
    assert (monitor.kind, monitor.snmp_community, monitor.snmp_scale) == (
        "snmp",
        "ups-ro-secret",
        0.1,
    )
    main = page.inner_text("main")
    assert "13.2–13.8 V" in main and "ups-ro-secret" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "monitoring-snmp-02-detail-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/monitoring/monitors/{monitor.pk}/edit/")
    assert page.input_value("input[name=snmp_community]") == ""
    assert page.is_visible("input[name=snmp_oid]")
    page.screenshot(path=str(ARTIFACTS / "monitoring-snmp-03-edit-laptop.png"), full_page=True)
