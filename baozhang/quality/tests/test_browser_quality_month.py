"""The report page of a seeded month in a real browser (issue 16, "how it will be checked"):
the September of test_report_end_to_end (incidents, a monitor with known missed cycles,
complaints across the National Day holiday) read by a quality inspector in Chinese and in
English on a laptop and a phone. The 完好率 line has the days the monitor missed or failed
cycles, each day's figure equal to the independent count (periods of the day less its
abnormal ones); the figures beside it are those of the end-to-end test; the charts are drawn
under the strict CSP and nothing scrolls sideways. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.accounts.models import Role
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.quality.tests.test_report_end_to_end import (  # noqa: F401
    CYCLES,
    FAILING,
    SKIPPED,
    expected,
    seeded_month,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PER_DAY = CYCLES // 30


def integrity_by_day() -> dict[str, str]:
    """Each September day's 完好率 as the page writes it ("97.92 %"), counted here."""
    shown = {}
    for day in range(30):
        cycles = range(day * PER_DAY, (day + 1) * PER_DAY)
        abnormal = sum(1 for c in cycles if c in FAILING or c in SKIPPED)
        shown[f"09-{day + 1:02d}"] = f"{(PER_DAY - abnormal) / PER_DAY * 100:.2f} %"
    return shown


def test_the_seeded_month_reads_right_in_both_languages(
    page: Any,
    live_server: Any,
    personas: Any,
    user_factory: Any,
    seeded_month: None,  # noqa: F811
) -> None:
    user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")
    e = expected()
    days = integrity_by_day()
    # The days the seed made imperfect: 1 (3 cycles missed), 4 (an hour down), 18, 25
    assert {d for d, v in days.items() if v != "100.00 %"} == {"09-01", "09-04", "09-18", "09-25"}
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "inspector")
    url = f"{base}/quality/report/?period=2026-09"
    for language, words in (
        ("zh-hans", ("完好率", "未配置数据来源", "12 小时 50 分钟")),
        ("en", ("Integrity rate", "no source configured", "12 h 50 min")),
    ):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(url)
        page.click(f"button[data-language='{language}']")
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector("canvas[data-drawn=true]")
            text = page.inner_text("main")
            for word in words:
                assert word in text, (language, word)
            # The availability and 完好率 chart's table: the day, its availability, its 完好率
            rows = page.locator(
                "[data-testid=chart-availability] [data-testid=chart-table] tbody tr"
            )
            shown = {}
            for i in range(rows.count()):
                cells = rows.nth(i).locator("th, td").all_inner_texts()
                if len(cells) == 3:
                    shown[cells[0].strip()] = cells[2].strip()
            assert shown == days
            # The month's figure beside it, as the independent count gives it
            assert f"{e['integrity'] * 100:.2f} %" in text
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.screenshot(
                path=str(ARTIFACTS / f"quality-month-{language}-{width}.png"), full_page=True
            )
    assert problems == []
