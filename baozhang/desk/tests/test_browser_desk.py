"""In a real browser: a customer submits a ticket in the portal; an agent takes it from the
queue to resolved; the customer rates it. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from baozhang.conftest import ARTIFACTS, sign_in, sign_out
from baozhang.desk.models import Status, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_portal_submit_agent_resolves_customer_rates(page, live_server, personas):
    base = live_server.url
    sign_in(page, base, "contact_a")
    page.goto(f"{base}/desk/new/")
    page.select_option("select[name=kind]", "fault")
    page.fill("input[name=subject]", "网站 502 错误 Site returns 502")
    page.fill("textarea[name=description]", "从 10:05 开始，所有页面 502。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=ticket-status]")
    ticket = Ticket.objects.get(subject__startswith="网站 502")
    page.screenshot(path=str(ARTIFACTS / "desk-01-portal-submitted.png"), full_page=True)
    sign_out(page)

    sign_in(page, base, "agent")
    page.goto(f"{base}/desk/")
    page.wait_for_selector("[data-testid=queue]")
    assert page.locator(f"text={ticket.reference}").count() == 1
    assert page.locator("time.bz-due").first.inner_text() != ""
    page.screenshot(path=str(ARTIFACTS / "desk-02-queue.png"), full_page=True)
    page.click(f"text={ticket.reference}")
    page.click("button[data-action=take]")
    page.fill(
        "textarea[name=body]", "已定位为负载均衡故障，正在切换。We are switching the load balancer."
    )
    page.click("button[data-action=reply]")
    page.wait_for_selector(".bz-messages li.success")
    page.select_option("select[name=status]", "resolved")
    page.click("button[data-action=status]")
    page.wait_for_selector(".bz-messages li.success")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.assignee == personas.agent
    page.screenshot(path=str(ARTIFACTS / "desk-03-agent-resolved.png"), full_page=True)
    sign_out(page)

    # the customer answers the callback survey they were sent, and rates the ticket
    callback = ticket.callbacks.get()
    page.goto(f"{base}/desk/survey/{callback.survey_token}/")
    page.check("input[name=satisfaction][value='4']")
    page.fill("textarea[name=comment]", "处理及时 quick and clear")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=survey-done]")
    callback.refresh_from_db()
    assert callback.satisfaction == 4
    assert callback.answered_by_survey
    page.screenshot(path=str(ARTIFACTS / "desk-04-callback-survey.png"), full_page=True)

    sign_in(page, base, "contact_a")
    page.goto(f"{base}/desk/tickets/{ticket.pk}/")
    page.select_option("select[name=rating]", "4")
    page.click("button[data-action=rate]")
    page.wait_for_selector(".bz-messages li.success")
    ticket.refresh_from_db()
    assert ticket.rating == 4
    page.screenshot(path=str(ARTIFACTS / "desk-05-customer-rated.png"), full_page=True)
