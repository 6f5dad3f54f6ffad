"""A person in a real browser (Playwright driving Debian's chromium): sign in, switch to
English and back. Screenshots go to test-artifacts/ for a human to look at."""

from __future__ import annotations

import pytest

from baozhang.conftest import ARTIFACTS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_switch_to_english_and_back(page, live_server, personas):
    page.goto(f"{live_server.url}/")
    assert "登录" in page.title()
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:near(input[name=password])")

    page.wait_for_selector("[data-testid=dashboard-figures]")
    assert "仪表盘" in page.title()
    assert page.locator('[data-figure="customers"]').inner_text() == "2"
    page.screenshot(path=str(ARTIFACTS / "dashboard-zh.png"), full_page=True)

    page.click('button[data-language="en"]')
    page.wait_for_selector("text=Dashboard")
    assert page.title().startswith("Dashboard")
    assert page.locator("nav").get_by_text("Customers").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

    personas.director.refresh_from_db()
    assert personas.director.language == "en"

    page.click('button[data-language="zh-hans"]')
    page.wait_for_selector("text=仪表盘")
    assert "仪表盘" in page.title()
    page.screenshot(path=str(ARTIFACTS / "dashboard-zh-again.png"), full_page=True)
    personas.director.refresh_from_db()
    assert personas.director.language == "zh-hans"


def test_six_wrong_passwords_show_the_lockout_page(page, live_server, personas):
    for _ in range(6):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "agent")
        page.fill("input[name=password]", "wrong-password")
        page.click("button[type=submit]:near(input[name=password])")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:near(input[name=password])")
    page.wait_for_selector("text=账户已锁定")
    page.screenshot(path=str(ARTIFACTS / "locked-out.png"))
