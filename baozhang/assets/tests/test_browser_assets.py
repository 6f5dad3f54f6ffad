"""The asset register in a real browser, on a phone (390 px) and a laptop: an engineer
registers a critical UPS (refused with one person, saved with two), opens its page with
its availability, filters the list, and reads the equipment figures; no page scrolls
sideways and the strict CSP refuses nothing. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.assets import services as assets
from baozhang.assets.models import Asset
from baozhang.conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_asset_is_registered_on_a_phone(page: Any, live_server: Any, personas: Any) -> None:
    base = live_server.url
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    room = assets.create_asset(
        personas.engineer, name="一号机房", kind="room", owner=personas.operator
    )
    assets.create_asset(
        personas.engineer,
        name="电信出口",
        kind="line",
        owner=personas.operator,
        carrier="中国电信",
        bandwidth_mbps=1000,
        location=room,
    )
    sign_in(page, base, "engineer")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/assets/new/")
    form = page.locator("[data-testid=asset-form]")
    form.locator("input[name=name]").fill("UPS-1")
    form.locator("select[name=kind]").select_option("ups")
    form.locator("select[name=owner]").select_option(str(personas.operator.pk))
    form.locator("select[name=location]").select_option(str(room.pk))
    form.locator("input[name=is_critical]").check()
    form.locator("select[name=responsible]").select_option([str(personas.engineer.pk)])
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "至少需要两名负责人" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "assets-01-x5-refused-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form = page.locator("[data-testid=asset-form]")
    form.locator("select[name=responsible]").select_option(
        [str(personas.engineer.pk), str(personas.director.pk)]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    ups = Asset.objects.get(name="UPS-1")
    assert page.url.endswith(f"/assets/{ups.pk}/")
    assert "本月可用率" in page.inner_text("[data-testid=asset-availability]")
    page.screenshot(path=str(ARTIFACTS / "assets-02-detail-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/assets/?kind=line")
    assert "电信出口" in page.inner_text("[data-testid=asset-rows]")
    assert "UPS-1" not in page.inner_text("[data-testid=asset-rows]")
    page.screenshot(path=str(ARTIFACTS / "assets-03-list-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/quality/equipment/?group=all")
    assert "UPS-1" in page.inner_text("[data-testid=equipment-rows]")
    page.screenshot(path=str(ARTIFACTS / "assets-04-equipment-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/assets/")
    page.screenshot(path=str(ARTIFACTS / "assets-05-list-laptop.png"), full_page=True)
    assert refused == []
