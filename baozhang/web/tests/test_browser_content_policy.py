"""In a real browser, under the Content-Security-Policy and with Secure cookies over plain
HTTP on 127.0.0.1 (as `baozhang up` serves): a person signs in, the main pages show no
policy violation and no script error, and the behaviour moved out of inline handlers
(filters that submit themselves, confirmations, select-all, the monitor form's kind
switch) still works. Screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.catalog import services as service_catalog
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.desk import services as desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs (Playwright adds it outside the page's policy).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" "));
});
"""


def test_main_pages_show_no_policy_violation_and_their_behaviour_works(
    page: Any, live_server: Any, personas: Any
) -> None:
    # 127.0.0.1, as `baozhang up` serves: Chromium keeps Secure cookies over plain HTTP
    # from loopback addresses as from localhost.
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    assert base.startswith("http://127.0.0.1:")
    problems: list[str] = []
    page.context.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    ticket = desk.open_ticket(
        None,
        customer=personas.org_a,
        kind="fault",
        subject="网站无法访问 Site down",
        contact=personas.contact_a,
        description="从 10:05 开始 502",
    )
    service_catalog.create_service(personas.director, name="云主机", name_en="Cloud hosting")

    def visit(path: str, ready: str, shot: str | None = None, full: bool = True) -> None:
        page.goto(f"{base}{path}")
        page.wait_for_selector(ready)
        violations = page.evaluate("window.__csp")
        assert violations == [], (path, violations)
        assert problems == [], (path, problems)
        if shot:
            page.screenshot(path=str(ARTIFACTS / shot), full_page=full)

    # Signed out: the sign-in page and the public status page.
    visit("/accounts/login/", "input[name=username]", "csp-sign-in.png")
    visit("/status/", "body")
    # Signed in (the Secure session cookie is kept over http://127.0.0.1).
    sign_in(page, base, "admin")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    visit("/", "[data-testid=dashboard-figures]", "csp-dashboard.png")
    visit("/desk/", "[data-testid=queue]")
    visit(f"/desk/tickets/{ticket.pk}/", "[data-testid=ticket-status]", "csp-ticket.png")
    visit("/monitoring/", "main")
    visit("/monitoring/monitors/new/", "[data-testid=monitor-form]")
    visit("/notify/messages/", "main")
    visit("/api/v1/docs", "#swagger-ui .opblock", "csp-api-docs.png", full=False)

    # Select-all on the queue ticks every ticket's box.
    page.goto(f"{base}/desk/")
    page.check("input[data-select-all]")
    boxes = page.locator("input[name=ticket]")
    assert boxes.count() >= 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    # A filter submits itself when an option is chosen.
    page.goto(f"{base}/notify/messages/")
    with page.expect_navigation():
        page.select_option("select[name=status]", "dead")
    assert page.url.endswith("?status=dead")
    # The monitor form shows only the chosen kind's settings.
    page.goto(f"{base}/monitoring/monitors/new/")
    kind = page.locator("[data-monitor-kind]")
    if kind.count():
        for value in ("tcp", "http"):
            kind.select_option(value)
            shown = page.locator("fieldset[data-kinds]:not([hidden])")
            assert all(
                value in shown.nth(i).get_attribute("data-kinds").split()
                for i in range(shown.count())
            )
    # A confirmation that is declined sends nothing.
    service = service_catalog.create_service(personas.director, name="待删除", name_en="To delete")
    page.goto(f"{base}/monitoring/services/{service.pk}/edit/")
    asked: list[str] = []

    def decline(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", decline)
    page.click("form[data-confirm] button[type=submit]")
    page.wait_for_timeout(300)
    assert asked and type(service).objects.filter(pk=service.pk).exists()
    assert page.evaluate("window.__csp") == [] and problems == []
