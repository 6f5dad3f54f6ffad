"""The change-request form in a real browser, on a phone (390×844) and a laptop (1366×900),
in Chinese and in English: work planned in the afternoon is refused without a reason for
leaving the low-usage period (said in the reader's language only), accepted with one; the
requester then submits it and is told another person approves it. No page scrolls sideways
and the strict CSP refuses nothing. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.changes.models import ChangeRequest, ChangeState
from baozhang.changes.tests.conftest import night
from baozhang.conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL = "%Y-%m-%dT%H:%M"
SAID = {
    "zh-hans": ("不在服务的低峰时段内", "您是此变更的申请人"),
    "en": ("outside the low-usage period of the service", "You requested this change"),
}


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
def test_the_change_form_on_a_phone_and_a_laptop_in_both_languages(
    page: Any,
    live_server: Any,
    personas: Any,
    internal: Any,
    width: int,
    height: int,
    language: str,
) -> None:
    base = live_server.url
    shot = f"{language}-{width}x{height}"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    personas.engineer.language = language
    personas.engineer.save(update_fields=["language"])
    start, end = night(3, 14, 1)  # 14:00 local: outside 00:00–06:00

    sign_in(page, base, "engineer")  # the menu folds away on a phone: sign in wide
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/changes/new/")
    form = page.locator("[data-testid=change-form]")
    form.locator("input[name=title]").fill("升级网管软件 NMS upgrade")
    form.locator("select[name=kind]").select_option("upgrade")
    form.locator("textarea[name=reason]").fill("厂家补丁 vendor patch")
    form.locator("select[name=risk]").select_option("medium")
    form.locator(f"input[name=services][value='{internal.pk}']").check()
    form.locator("textarea[name=rollback_plan]").fill("恢复快照 restore the snapshot")
    form.locator("input[name=planned_start]").fill(start.strftime(LOCAL))
    form.locator("input[name=planned_end]").fill(end.strftime(LOCAL))
    page.screenshot(path=str(ARTIFACTS / f"changes-01-form-{shot}.png"), full_page=True)
    _no_sideways_scroll(page, width)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()

    error = page.locator("[data-testid=error-outside_low_usage_reason]").inner_text()
    mine, other = SAID[language][0], SAID["en" if language == "zh-hans" else "zh-hans"][0]
    assert mine in error and other not in error
    assert not ChangeRequest.objects.exists()
    page.screenshot(path=str(ARTIFACTS / f"changes-02-refused-{shot}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    page.locator("textarea[name=outside_low_usage_reason]").fill("厂家白天到场 vendor by day")
    page.locator("[data-testid=change-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=change-state]")
    change = ChangeRequest.objects.get()
    assert change.state == ChangeState.DRAFT
    page.locator(
        "form button", has_text={"zh-hans": "提交审批", "en": "Submit for approval"}[language]
    ).click()
    page.wait_for_selector("[data-testid=decide]")
    assert SAID[language][1] in page.inner_text("[data-testid=decide]")
    page.screenshot(path=str(ARTIFACTS / f"changes-03-submitted-{shot}.png"), full_page=True)
    _no_sideways_scroll(page, width)
    assert refused == []
