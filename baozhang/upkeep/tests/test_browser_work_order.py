"""The work-order form in a real browser, on a phone (390×844: engineers stand in the
machine room) and a laptop (1366×900): the engineer records a UPS battery below its range
with a photo and signs (the step shows as failed, a fault is opened on the UPS), cannot
accept it, corrects it with a reason (both versions shown); a second engineer accepts it.
No page scrolls sideways and the strict CSP refuses nothing. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from baozhang.conftest import ARTIFACTS, sign_in, sign_out
from baozhang.incidents.models import Incident
from baozhang.upkeep import services
from baozhang.upkeep.models import OrderStatus, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_the_work_order_form_on_a_phone_and_a_laptop(
    page: Any,
    live_server: Any,
    personas: Any,
    ups: Any,
    ups_plan: Any,
    engineer2: Any,
    tmp_path: Any,
    width: int,
    height: int,
) -> None:
    base = live_server.url
    size = f"{width}x{height}"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    ups_plan(starts_on=timezone.localdate().replace(day=1))
    services.generate(timezone.now())
    order = WorkOrder.objects.order_by("period_start").first()
    photo = tmp_path / "ups.png"
    photo.write_bytes(PNG)

    sign_in(page, base, "engineer")  # the menu folds away on a phone: sign in wide
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/upkeep/orders/{order.pk}/")
    form = page.locator("[data-testid=record-form]")
    assert "13.2–13.8 V" in form.inner_text()
    page.screenshot(path=str(ARTIFACTS / f"upkeep-01-form-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)
    form.locator("input[name=step_1]").fill("12.9")
    form.locator("input[name=step_2]").fill("22.5")
    form.locator("input[name=step_3][value=yes]").check()
    form.locator("textarea[name=remarks]").fill("3 号电池鼓包 / battery 3 swollen")
    form.locator("input[name=photos]").set_input_files(str(photo))
    form.locator("input[name=sign]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    version = page.locator("[data-testid=record-version]").first
    assert "不合格" in version.inner_text() and "合格" in version.inner_text()
    assert "12.9" in version.inner_text()
    assert page.locator(".uk-photos img").count() == 1
    assert "验收须由他人签字" in page.inner_text("[data-testid=accept-refused]")
    assert page.locator("[data-testid=accept-form]").count() == 0
    assert Incident.objects.filter(assets=ups).count() == 1
    page.screenshot(path=str(ARTIFACTS / f"upkeep-02-recorded-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    form = page.locator("[data-testid=record-form]")
    assert form.locator("input[name=step_1]").input_value() == "12.9"  # the last version
    form.locator("input[name=step_1]").fill("13.4")
    form.locator("textarea[name=reason]").fill("读错了表 / misread the meter")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=record-version]").count() == 2
    assert "已被后续版本更正" in page.inner_text("[data-testid=record-version][data-version='1']")
    assert "misread the meter" in page.inner_text("[data-testid=record-version][data-version='2']")
    page.screenshot(path=str(ARTIFACTS / f"upkeep-03-corrected-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_out(page)
    sign_in(page, base, engineer2.username)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/upkeep/orders/{order.pk}/")
    page.locator("[data-testid=accept-form] textarea").fill("抽查无误 / spot-checked")
    page.locator("[data-testid=accept-form] button").click()
    page.wait_for_load_state()
    assert "已验收" in page.inner_text("[data-testid=order-status]")
    order.refresh_from_db()
    assert (order.status, order.accepted_by, order.accepted_version) == (
        OrderStatus.ACCEPTED,
        engineer2,
        2,
    )
    page.screenshot(path=str(ARTIFACTS / f"upkeep-04-accepted-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    for path, name in (
        ("/upkeep/orders/", "orders"),
        ("/upkeep/", "plans"),
        (f"/upkeep/plans/{order.plan_id}/", "plan"),
        (f"/upkeep/plans/{order.plan_id}/edit/", "plan-form"),
        ("/upkeep/completeness/", "completeness"),
    ):
        page.goto(f"{base}{path}")
        page.screenshot(path=str(ARTIFACTS / f"upkeep-05-{name}-{size}.png"), full_page=True)
        _no_sideways_scroll(page, width)
    assert refused == []
