"""Frozen quality reports and the report's drill-downs in a real browser (Q1, Q4): the
director prepares September on the frozen reports' page, is told that a second person
must approve it, the quality inspector approves it; an incident of September is edited
and the report page flags it; the drill-downs and the original beside its amendment are
read in Chinese and English on a laptop (1366 px) and a phone (390 px), with nothing
overflowing the phone's width. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.conftest import ARTIFACTS, sign_in, sign_out
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1366, 900), (390, 844))


def _fits(page: Any, width: int) -> None:
    """The page itself does not scroll sideways (wide tables scroll inside)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_freezing_flagging_and_drilling_down_in_both_languages(
    page: Any,
    live_server: Any,
    personas: Any,
    seeded_september: None,  # noqa: F811
    user_factory: Any,
) -> None:
    from baozhang.accounts.models import Role
    from baozhang.incidents import services as incidents
    from baozhang.incidents.models import Incident
    from baozhang.quality import services
    from baozhang.quality.models import FrozenReport

    user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    base = live_server.url

    # The director prepares September on the frozen reports' page (in Chinese)
    sign_in(page, base, "director")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/quality/report/frozen/")
    page.click("button[data-language='zh-hans']")
    page.goto(f"{base}/quality/report/frozen/")
    form = page.locator("form[data-testid=freeze]")
    form.locator("select[name=kind]").select_option("month")
    form.locator("input[name=year]").fill("2026")
    form.locator("select[name=month]").select_option("9")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=frozen-state]")
    assert "现须由另一人审批" in page.inner_text(".bz-messages")
    report = FrozenReport.objects.get()
    # Approving it himself is refused, and the page says why
    page.click("form[data-testid=approve] button[type=submit]")
    page.wait_for_selector(".bz-messages")
    assert "须由另一人审批" in page.inner_text(".bz-messages")
    page.screenshot(path=str(ARTIFACTS / "quality-frozen-preparer-refused-zh.png"), full_page=True)
    sign_out(page)

    # The quality inspector approves it
    sign_in(page, base, "inspector")
    page.goto(f"{base}/quality/report/frozen/{report.pk}/")
    page.click("form[data-testid=approve] button[type=submit]")
    page.wait_for_selector(".bz-messages")
    assert page.inner_text("[data-testid=frozen-state]") == "已冻结"

    # An incident of September is edited afterwards, and the report is amended
    incident = Incident.objects.get(classification="equipment_fault")
    incidents.update_fields(personas.agent, incident, classification="software")
    report = FrozenReport.objects.get(pk=report.pk)
    amendment = services.amend(personas.director, report, "故障分类更正 Class corrected")

    for language, flag in (("zh-hans", "冻结后有变动"), ("en", "Changed since frozen")):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/quality/report/?period={SEPTEMBER}")
        page.click(f"button[data-language='{language}']")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            # The report page flags the period and links the edited incident
            page.goto(f"{base}/quality/report/?period={SEPTEMBER}")
            flagged = page.locator("[data-testid=changed-since-frozen]")
            assert flag in flagged.inner_text()
            assert page.locator("[data-testid=changed-records] a").count() == 1
            _fits(page, width)
            page.screenshot(
                path=str(ARTIFACTS / f"quality-report-flag-{language}-{width}.png"),
                full_page=True,
            )
            # A figure drills down to its records: the faults of September
            page.locator(
                "[data-testid=statistic-server_faults] [data-testid=figure] a"
            ).first.click()
            page.wait_for_selector("[data-testid=records]")
            assert page.get_attribute("[data-testid=records-count]", "data-count") == "4"
            _fits(page, width)
            page.screenshot(
                path=str(ARTIFACTS / f"quality-drilldown-faults-{language}-{width}.png"),
                full_page=True,
            )
            # The complaints behind their figure
            page.goto(
                f"{base}/quality/report/records/?period={SEPTEMBER}&what=complaints&answer=late"
            )
            assert page.get_attribute("[data-testid=records-count]", "data-count") == "1"
            _fits(page, width)
            page.screenshot(
                path=str(ARTIFACTS / f"quality-drilldown-complaints-{language}-{width}.png"),
                full_page=True,
            )
            # The original beside its amendment
            page.goto(f"{base}/quality/report/frozen/{amendment.pk}/")
            versions = page.locator("[data-testid=versions]")
            assert "故障分类更正 Class corrected" in versions.inner_text()
            assert versions.locator("[data-testid=differs]").count() >= 1
            _fits(page, width)
            page.screenshot(
                path=str(ARTIFACTS / f"quality-frozen-amendment-{language}-{width}.png"),
                full_page=True,
            )
            page.goto(f"{base}/quality/report/frozen/")
            _fits(page, width)
            page.screenshot(
                path=str(ARTIFACTS / f"quality-frozen-list-{language}-{width}.png"),
                full_page=True,
            )
    assert problems == []
