"""The advisory page in a real browser, on a phone (390×844) and a laptop (1366×900), in
Chinese and English: an advisory matched to three servers, one installed, shows 1/3 and
the two overdue; an engineer marks one not applicable with its reason from the page. No
page scrolls sideways and the strict CSP refuses nothing. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.patches import services
from baozhang.patches.models import PatchState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_advisory_page_on_a_phone_and_a_laptop_in_both_languages(
    page: Any, live_server: Any, personas: Any, servers: Any, width: int, height: int, language: str
) -> None:
    personas.engineer.language = language
    personas.engineer.save(update_fields=["language"])
    then = timezone.now() - dt.timedelta(days=14)
    for server in servers:
        services.report_inventory(
            personas.engineer, server, [("openssl", "3.0.11-1~deb12u2")], now=then
        )
    advisory = services.create_advisory(
        personas.engineer,
        now=then,
        reference="DSA-5764-1",
        title="openssl security update: SSL_select_next_proto buffer overread",
        product="openssl",
        fixed_version="3.0.14-1~deb12u1",
        severity="critical",
        cve_ids="CVE-2024-5535",
    )
    services.set_state(
        personas.engineer, advisory.statuses.get(asset=servers[1]), PatchState.INSTALLED
    )
    base = live_server.url
    size = f"{width}x{height}-{language}"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    sign_in(page, base, "engineer")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/patches/")
    assert page.inner_text("[data-testid=advisory-rows]").count("1/3") == 1
    page.screenshot(path=str(ARTIFACTS / f"patches-01-list-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    page.goto(f"{base}/patches/{advisory.pk}/")
    assert page.inner_text("[data-testid=advisory-progress]") == "1/3"
    assert page.locator("[data-testid=overdue]").count() == 2
    page.screenshot(path=str(ARTIFACTS / f"patches-02-advisory-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)

    row = page.locator(f"#s{advisory.statuses.get(asset=servers[0]).pk}")
    row.locator("summary").click()
    row.locator("select[name=state]").select_option("not_applicable")
    row.locator("textarea[name=reason]").fill("TLS 由前端代理终结 / TLS ends at the proxy")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text("[data-testid=advisory-progress]") == "2/3"
    assert page.locator("[data-testid=overdue]").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"patches-03-judged-{size}.png"), full_page=True)
    _no_sideways_scroll(page, width)
    assert refused == []
