"""An agreement taken through its whole lifecycle in a real browser, by the service
director and the customer's contact, with screenshots in test-artifacts/. Ending it before
the final review is signed is refused with a clear message."""

from __future__ import annotations

import pytest

from baozhang.conftest import ARTIFACTS, sign_in, sign_out
from baozhang.sla.models import Agreement, AgreementStatus, ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add_part(  # type: ignore[no-untyped-def]
    page,
    part: str,
    fields: dict[str, str],
    selects: dict[str, str] | None = None,
    checks: tuple[str, ...] = (),
):
    form = f"form:has(input[name=part][value={part}])"
    page.click(f"details:has({form}) > summary")
    for name, value in fields.items():
        page.fill(f"{form} [name={part}-{name}]", value)
    for name, value in (selects or {}).items():
        page.select_option(f"{form} select[name={part}-{name}]", value)
    for name in checks:
        page.check(f"{form} input[name={part}-{name}]")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def _act(page, action: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state()


def test_an_agreement_through_its_whole_lifecycle(page, live_server, personas):
    base = live_server.url
    shot = 0

    def screenshot(name: str) -> None:
        nonlocal shot
        shot += 1
        page.screenshot(path=str(ARTIFACTS / f"sla-{shot:02d}-{name}.png"), full_page=True)

    # the service director drafts the agreement (S2)
    sign_in(page, base, "director")
    page.goto(f"{base}/agreements/new/")
    page.select_option("select[name=customer]", str(personas.org_a.pk))
    page.fill("input[name=reference]", "SLA-2026-001")
    page.fill("input[name=title]", "云主机托管服务 Cloud hosting")
    page.fill("input[name=monthly_fee]", "10000.00")
    page.fill("input[name=starts_on]", "2026-10-01")
    page.fill("textarea[name=quality_needs]", "7x24 可用，网络中断每年不超过 1 小时")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=agreement-status]")
    agreement = Agreement.objects.get(reference="SLA-2026-001")
    assert agreement.status == AgreementStatus.DRAFT

    _add_part(
        page,
        "target",
        {
            "name": "网络可用率 Network availability",
            "objective": "99.9",
            "calendar_key": "24x7",
            "estimated_monthly_cost": "3000",
            "tiers": "99.9 10\n99 25",
        },
        {"kind": "availability", "period": "month"},
    )
    _add_part(
        page,
        "clause",
        {"text": "提前 24 小时公告的维护 / maintenance announced 24 h ahead"},
        {"kind": "announced_maintenance"},
    )
    _add_part(
        page,
        "risk",
        {
            "description": "单路市电 single power feed",
            "coverage": "UPS 与柴油发电机 UPS and a diesel generator",
        },
        {"likelihood": "low", "impact": "high"},
    )
    screenshot("draft")

    # negotiation, then both sides agree (S3)
    _act(page, "negotiate")
    _act(page, "activate")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

    # in service: a 45-minute outage is recorded (S4)
    _add_part(
        page,
        "downtime",
        {
            "start": "2026-10-03T02:10",
            "end": "2026-10-03T02:55",
            "description": "机房断电 power cut",
        },
    )
    screenshot("active")

    # the final review (S5)
    _act(page, "begin_review")
    _add_part(
        page,
        "review",
        {"period_start": "2026-10-01T00:00", "period_end": "2026-11-01T00:00"},
        checks=("is_final",),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.UNDER_REVIEW

    # ending before the review is signed is refused, with a message that says why
    _act(page, "end")
    error = page.locator(".bz-messages li.error")
    assert error.count() == 1
    message = error.inner_text()
    assert "签字" in message or "signed" in message
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.UNDER_REVIEW
    screenshot("end-refused")

    review = agreement.reviews.get()
    assert review.verdicts[0]["met"] is False
    page.goto(f"{base}/agreements/reviews/{review.pk}/")
    page.fill("textarea[name=process_audit]", "故障 5 分钟内发现，30 分钟内派单 / found in 5 min")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    _act(page, "sign")
    screenshot("review-operator-signed")
    sign_out(page)

    # the customer's contact gives satisfaction and signs their side
    sign_in(page, base, "contact_a")
    page.goto(f"{base}/agreements/reviews/{review.pk}/")
    page.fill("input[name=satisfaction]", "4")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    _act(page, "sign")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED
    screenshot("review-signed")
    sign_out(page)

    # now the service can end
    sign_in(page, base, "director")
    page.goto(f"{base}/agreements/{agreement.pk}/")
    _act(page, "end")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED
    screenshot("ended")
