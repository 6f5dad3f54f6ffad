"""The staff dashboard in a real browser (issue 18 §6), on the demo's data, in Chinese
and English, on a phone (390×844) and a laptop (1366×900): what needs someone now comes
first, nothing is wider than the screen, the three charts are drawn by the vendored
Chart.js (pixels on each canvas) under the Content-Security-Policy with nothing refused
and no script error, and each chart has its table. Screenshots in
test-artifacts/dashboard/ for a human to look at."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps

from baozhang.accounts.models import User
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)
LAPTOP = (1366, 900)
CHARTS = ("tickets", "availability", "compliance")

# Registered before any page script runs (Playwright adds it outside the page's policy).
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" "));
});
"""

# How many pixels of a canvas are painted (not fully transparent).
PAINTED = """(canvas) => {
  const ctx = canvas.getContext("2d");
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
  return n;
}"""


@pytest.fixture
def demo_password(db: Any) -> str:
    # A transactional test's database is flushed between tests, which takes the rows
    # migrations put there (the built-in cause categories the demo's review names).
    built_in = importlib.import_module("baozhang.analysis.migrations.0002_built_in_categories")
    built_in.create(django_apps, None)
    password = load_demo()
    assert password
    return password


def test_the_dashboard_draws_its_charts_on_a_phone_and_a_laptop(
    page: Any, live_server: Any, demo_password: str
) -> None:
    shots = ARTIFACTS / "dashboard"
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    problems: list[str] = []
    page.context.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    for language, heading in (("zh-hans", "现在需要处理"), ("en", "Needs someone now")):
        User.objects.filter(username="director").update(language=language)
        page.context.clear_cookies()
        page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
        sign_in(page, base, "director", demo_password)
        for width, height in (PHONE, LAPTOP):
            tag = f"{language}-{width}"
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(f"{base}/")
            assert response is not None and response.status == 200
            page.wait_for_selector("canvas[data-drawn=true]")
            page.wait_for_function(
                f"document.querySelectorAll('canvas[data-drawn=true]').length === {len(CHARTS)}"
            )
            assert page.evaluate("window.__csp") == [], (tag, page.evaluate("window.__csp"))
            assert problems == [], (tag, problems)
            assert heading in page.locator("#bz-now").inner_text()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{tag}: the page is {scroll} px wide in {width} px"
            # What needs someone now comes first, above the charts.
            now_box = page.locator("[data-testid=needs-attention]").bounding_box()
            trends_box = page.locator("[data-testid=trends]").bounding_box()
            assert now_box["y"] < trends_box["y"]
            assert page.locator("[data-attention]").count() == 10
            for key in CHARTS:
                figure = page.locator(f"[data-testid=chart-{key}]")
                canvas = figure.locator("canvas")
                box = canvas.bounding_box()
                assert box["height"] > 100 and box["x"] + box["width"] <= width, (tag, key, box)
                assert canvas.evaluate(PAINTED) > 500, (tag, key)
                # The same numbers as a table, for screen readers and paper.
                assert figure.locator("table[data-testid=chart-table] tbody tr").count() > 0
            page.screenshot(path=str(shots / f"dashboard-{tag}.png"), full_page=True)
        # On paper the tables show.
        page.emulate_media(media="print")
        table = page.locator("[data-testid=chart-tickets] table")
        assert table.bounding_box()["height"] > 100
        page.emulate_media(media="screen")
