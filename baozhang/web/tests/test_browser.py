"""A person in a real browser (Playwright driving Debian's chromium): sign in, switch to
English and back. Screenshots go to test-artifacts/ for a human to look at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baozhang.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("BAOZHANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("BAOZHANG_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def page() -> Iterator[Any]:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        message = f"no chromium at {CHROMIUM} (apt-get install chromium) or no playwright"
        if ci:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are ordinary blocking calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        yield context.new_page()
        context.close()
        browser.close()


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
