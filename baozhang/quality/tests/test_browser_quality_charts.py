"""The quality report's charts in a real browser (Q3): a service director opens the seeded
September in Chinese and in English, on a laptop (1366 px) and a phone (390 px); the four
charts are drawn by the vendored Chart.js under the strict CSP (no error in the console),
each with its table, and nothing overflows the phone's width. Screenshots go to
test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("availability", "faults_by_class", "complaints_pareto", "recovery_times")


def test_the_charts_are_drawn_in_both_languages_on_a_laptop_and_a_phone(
    page: Any,
    live_server: Any,
    seeded_september: None,  # noqa: F811
) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "director")
    url = f"{base}/quality/report/?period={SEPTEMBER}"
    for language, title in (("zh-hans", "恢复时长与 30 分钟恢复时限"), ("en", "Recovery times")):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(url)
        page.click(f"button[data-language='{language}']")
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector("canvas[data-drawn=true]")
            assert page.locator("canvas[data-drawn=true]").count() == len(CHARTS)
            for key in CHARTS:
                figure = page.locator(f"[data-testid=chart-{key}]")
                assert figure.locator("canvas").bounding_box()["height"] > 100
                assert figure.locator("[data-testid=chart-table] tbody tr").count() > 0
            assert title in page.inner_text("[data-testid=chart-recovery_times]")
            # The page itself does not scroll sideways on a phone (wide tables scroll inside)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.locator("[data-testid=charts]").screenshot(
                path=str(ARTIFACTS / f"quality-charts-{language}-{width}.png")
            )
    assert problems == []


def test_an_inspector_records_a_submission_on_a_phone(
    page: Any,
    live_server: Any,
    personas: Any,
    seeded_september: None,  # noqa: F811
    user_factory: Any,
    tmp_path: Any,
) -> None:
    from baozhang.accounts.models import Role
    from baozhang.quality import services
    from baozhang.quality.models import Submission

    inspector = user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")
    report = services.prepare_frozen_report(personas.director, SEPTEMBER)
    services.approve(inspector, report)
    sent = tmp_path / "quality-2026-09.pdf"
    sent.write_bytes(b"%PDF-1.4 the file sent")
    base = live_server.url
    sign_in(page, base, "inspector")
    for language in ("en", "zh-hans"):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/quality/submissions/")
        page.click(f"button[data-language='{language}']")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/quality/submissions/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        page.screenshot(
            path=str(ARTIFACTS / f"quality-submissions-{language}-390.png"), full_page=True
        )
    page.click(f"[data-testid=record-{report.pk}]")
    page.set_input_files("input[name=file]", str(sent))
    page.select_option("select[name=method]", "email")
    page.screenshot(path=str(ARTIFACTS / "quality-submission-form-390.png"), full_page=True)
    page.click("form[data-testid=submission-form] button[type=submit]")
    page.wait_for_selector("[data-testid=submissions]")
    item = Submission.objects.get()
    assert (item.method, item.file_format, item.recipient) == ("email", "pdf", "省通信管理局")
    assert "省通信管理局" in page.inner_text("[data-testid=submissions]")
    page.screenshot(path=str(ARTIFACTS / "quality-submissions-recorded-390.png"), full_page=True)
