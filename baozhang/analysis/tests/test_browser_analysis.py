"""Cause analysis in a real browser, on a phone (390 px) and a laptop: an agent analyses a
complaint on its ticket page (upheld, category, root cause), adds an action, and the
actions page lists it; the page does not scroll sideways and the strict CSP refuses
nothing. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.analysis.models import Analysis
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.desk import services as desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_complaint_is_analysed_on_a_phone(page: Any, live_server: Any, personas: Any) -> None:
    base = live_server.url
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    ticket = desk.open_ticket(
        None,
        customer=personas.org_a,
        kind="complaint",
        subject="客服态度差 Rude answer",
        contact=personas.contact_a,
    )
    sign_in(page, base, "agent")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/desk/tickets/{ticket.pk}/")
    panel = page.locator("[data-testid=complaint-analysis]")
    panel.locator("summary").first.click()
    panel.locator("input[name=analyse-upheld][value=yes]").check()
    panel.locator("select[name=analyse-category]").select_option(label="人为")
    panel.locator("textarea[name=analyse-root_cause]").fill("坐席未按话术答复")
    panel.locator("[data-action=analyse-complaint]").click()
    page.wait_for_load_state()
    assert Analysis.objects.get(subject_id=ticket.pk).upheld is True
    panel = page.locator("[data-testid=complaint-analysis]")
    panel.locator("summary", has_text="添加措施").click()
    panel.locator("input[name=action-description]").fill("坐席话术培训")
    panel.locator("select[name=action-owner]").select_option(label="agent")
    panel.locator("input[name=action-within_working_days]").fill("5")
    panel.locator("[data-action=add-complaint-action]").click()
    page.wait_for_load_state()
    assert "坐席话术培训" in page.inner_text("[data-testid=complaint-analysis]")
    page.screenshot(path=str(ARTIFACTS / "analysis-01-complaint-phone.png"), full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390

    page.goto(f"{base}/analysis/actions/?show=mine")
    assert "坐席话术培训" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "analysis-02-actions-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/analysis/categories/")
    page.screenshot(path=str(ARTIFACTS / "analysis-03-categories-laptop.png"), full_page=True)
    assert refused == []
