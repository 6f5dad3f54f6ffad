"""A customer contact's home page on the demo data, in a real browser (issue 18 §3): signed
in as East China Cloud Commerce's contact, in Chinese and in English, on a phone (390×844)
and a laptop (1366×900). The page shows their tickets (the one waiting for them first),
their services, the announced kernel upgrade of their cloud hosts, their agreement with
last month's review, the incident report and the hotline; it holds nothing of the staff
dashboard or the event log, nothing of Northwind's, never scrolls sideways and the content
policy refuses nothing. Screenshots go to test-artifacts/customer-home/."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps

from baozhang.accounts.models import User
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((390, 844), (1366, 900))
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI].join(" "));
});
"""

SEES = {
    "en": [
        "Waiting for your answer",
        "The VPN keeps dropping",
        "Cloud hosts",
        "Customer portal",
        "Cloud host kernel upgrade",
        "SLA-DEMO-001",
        "Last review",
        "Portal slow to answer",
        "400-800-1234",
        "400-800-5678",
    ],
    "zh-hans": [
        "等待您的答复",
        "VPN 连接频繁断开",
        "云主机",
        "客户门户",
        "云主机内核升级",
        "SLA-DEMO-001",
        "最近一次评审",
        "门户访问缓慢",
        "400-800-1234",
        "400-800-5678",
    ],
}
NEVER = [
    "SLA-DEMO-002",
    "Restore test of last night's backup",
    "Northwind",
    "Recent events",
    "最近事件",
    "Sign-ins",
    "登录次数",
]


@pytest.fixture
def demo(db: Any) -> str:
    built_in = importlib.import_module("baozhang.analysis.migrations.0002_built_in_categories")
    built_in.create(django_apps, None)
    password = load_demo()
    assert password
    return password


def test_a_customer_contacts_home_on_a_phone_and_a_laptop_in_both_languages(
    page, live_server, demo
) -> None:  # type: ignore[no-untyped-def]
    out = ARTIFACTS / "customer-home"
    out.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page.add_init_script(CSP_WATCH)
    problems: list[str] = []
    for language in ("zh-hans", "en"):
        User.objects.filter(username="contact1").update(language=language)
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, base, "contact1", demo)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(base + "/")
            assert response is not None and response.status == 200
            page.wait_for_selector("[data-testid=home-summary]")
            tag = f"{language}-{width}"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{tag}: {scroll} px wide in a {width} px screen")
            text = page.evaluate("document.body.innerText")
            problems += [f"{tag}: missing {s!r}" for s in SEES[language] if s not in text]
            problems += [f"{tag}: shows {s!r}" for s in NEVER if s in text]
            if page.locator("td.bz-change").count():
                problems.append(f"{tag}: an event table")
            problems += [f"{tag}: CSP {v}" for v in page.evaluate("window.__csp")]
            page.screenshot(path=str(out / f"{tag}.png"), full_page=True)
        page.context.clear_cookies()
    assert not problems, "\n".join(problems)
