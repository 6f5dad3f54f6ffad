"""What people see on the demo (issue 18 §1 first bullet, §2, §4), in a real browser at a
phone's size (390×844) and a laptop's (1366×900): staff pages, a customer contact's pages
and the public status page.

On every page: nothing wider than the screen (document.documentElement.scrollWidth), no
ISO duration (PT2H), no working days as ``10wd``, no "every 86400 s", no UTC ISO time in the
visible text. On English pages: no service that has an English name shown by its Chinese
name (the event log's recorded labels aside: they are the record, issue 18 §1 second
bullet). Screenshots go to test-artifacts/phones/ for a human to look at."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from baozhang.accounts.models import Organisation, User
from baozhang.catalog.models import Service
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.demo import DEMO_CUSTOMERS, load_demo
from baozhang.desk import services as desk
from baozhang.incidents.models import Incident
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring.models import Monitor, MonitorStatus, StateSpell

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)
LAPTOP = (1366, 900)
RAW = re.compile(
    r"\bPT\d+(?:\.\d+)?[HMS]\b|\bP\d+DT|\b\d+wd\b|\bevery \d+ s\b|每 ?\d+ ?秒检"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|\+00:00)"
)

# The visible text, without the event log's tables (recorded labels) when asked.
VISIBLE_TEXT = """(withoutLog) => {
  const hidden = [];
  if (withoutLog) {
    document.querySelectorAll("td.bz-change").forEach((td) => {
      const table = td.closest("table");
      if (table && !hidden.includes(table)) { hidden.push(table); table.hidden = true; }
    });
  }
  const text = document.body.innerText;
  hidden.forEach((table) => { table.hidden = false; });
  return text;
}"""


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    # A transactional test's database is flushed between tests, which takes the rows
    # migrations put there (the built-in cause categories the demo's review names).
    built_in = importlib.import_module("baozhang.analysis.migrations.0002_built_in_categories")
    built_in.create(django_apps, None)
    password = load_demo()
    assert password
    ecc, northwind = (Organisation.objects.get(name=name) for name, _, _ in DEMO_CUSTOMERS)
    agent = User.objects.get(username="agent")
    tickets = [
        desk.open_ticket(
            agent,
            customer=northwind,
            kind="fault",
            subject="Portal blank after sign-in on the reports page",
            description="Since this morning the reports page stays blank.",
        ),
        desk.open_ticket(
            agent,
            customer=ecc,
            kind="fault",
            subject="vm-12 重启后无法连接 / vm-12 unreachable after a reboot",
        ),
    ]
    # A monitor a minute old: its figures are provisional, not "29 days … excluded".
    fresh = Monitor.objects.get(name__startswith="门户登录页")
    StateSpell.objects.create(
        monitor=fresh,
        state=MonitorStatus.UP,
        start=timezone.now() - dt.timedelta(seconds=40),
    )
    return {
        "password": password,
        "ticket": {"Northwind Hosting": tickets[0].pk, "华东": tickets[1].pk},
        "monitor": fresh.pk,
        "incident": Incident.objects.order_by("pk").first().pk,
        "window": MaintenanceWindow.objects.order_by("pk").first().pk,
        "services_zh": [s.name for s in Service.objects.exclude(name_en="")],
    }


def _set_language(username: str, language: str) -> None:
    User.objects.filter(username=username).update(language=language)


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    sign_in(page, base, username, password)


def _sign_out(page: Any) -> None:
    page.context.clear_cookies()


def _check(
    page: Any,
    base: str,
    path: str,
    size: tuple[int, int],
    tag: str,
    demo: dict[str, Any],
    english: bool,
) -> list[str]:
    """Load ``path`` at ``size`` and return what is wrong with it (empty when right)."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    response = page.goto(base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > size[0]:
        problems.append(f"{tag} {path}: {width} px wide in a {size[0]} px screen")
    text = page.evaluate(VISIBLE_TEXT, False)
    for raw in RAW.findall(text):
        problems.append(f"{tag} {path}: shows {raw!r}")
    if english:
        outside_log = page.evaluate(VISIBLE_TEXT, True)
        for name in demo["services_zh"]:
            if re.search(rf"(?<![\u3400-\u9fff]){re.escape(name)}(?![\u3400-\u9fff])", outside_log):
                problems.append(f"{tag} {path}: service {name!r} in Chinese on an English page")
    name = re.sub(r"\W+", "_", path).strip("_") or "home"
    page.screenshot(
        path=str(ARTIFACTS / "phones" / f"{tag}-{size[0]}-{name}.png"), full_page=size == PHONE
    )
    return problems


def test_staff_pages_fit_a_phone_and_speak_plainly(page, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    (ARTIFACTS / "phones").mkdir(parents=True, exist_ok=True)
    base = live_server.url
    paths = [
        "/",
        "/desk/",
        f"/desk/tickets/{demo['ticket']['Northwind Hosting']}/",
        "/monitoring/",
        f"/monitoring/monitors/{demo['monitor']}/",
        "/monitoring/services/",
        "/incidents/",
        f"/incidents/{demo['incident']}/",
        "/maintenance/",
        f"/maintenance/{demo['window']}/",
        "/events/",
        "/calendars/",
        "/calendars/cn-5x8/",
        "/agreements/",
        "/staffing/",
    ]
    problems: list[str] = []
    for language, sizes in (("zh-hans", (PHONE,)), ("en", (PHONE, LAPTOP))):
        _set_language("director", language)
        _sign_in(page, base, "director", demo["password"])
        for size in sizes:
            for path in paths:
                problems += _check(
                    page, base, path, size, f"staff-{language}", demo, language == "en"
                )
        _sign_out(page)
    assert not problems, "\n".join(problems)

    # The monitor a minute old says how long it has been watched.
    _set_language("director", "en")
    _sign_in(page, base, "director", demo["password"])
    page.goto(f"{base}/monitoring/monitors/{demo['monitor']}/")
    figures = page.locator("[data-testid=figures]")
    assert figures.get_attribute("data-provisional") == "1"
    assert "Watched so far" in figures.inner_text()
    assert "29 days" not in figures.inner_text()


def test_a_customer_contacts_pages_fit_a_phone_and_speak_plainly(page, live_server, demo) -> None:  # type: ignore[no-untyped-def]
    (ARTIFACTS / "phones").mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems: list[str] = []
    for username, ticket, english in (
        ("contact2", demo["ticket"]["Northwind Hosting"], True),
        ("contact1", demo["ticket"]["华东"], False),
    ):
        _sign_in(page, base, username, demo["password"])
        paths = [
            "/",
            "/desk/",
            f"/desk/tickets/{ticket}/",
            "/incidents/",
            f"/incidents/{demo['incident']}/",
        ]
        for size in (PHONE, LAPTOP) if english else (PHONE,):
            for path in paths:
                problems += _check(page, base, path, size, username, demo, english)
        _sign_out(page)
    assert not problems, "\n".join(problems)


def test_the_public_status_page_fits_a_phone_and_its_language_switch_one_line(
    page, live_server, demo
) -> None:  # type: ignore[no-untyped-def]
    (ARTIFACTS / "phones").mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems: list[str] = []
    for language in ("zh-hans", "en"):
        for size in (PHONE, LAPTOP):
            problems += _check(
                page,
                base,
                f"/status/?lang={language}",
                size,
                f"status-{language}",
                demo,
                language == "en",
            )
            heights = page.eval_on_selector_all(
                ".st-lang a", "els => els.map(e => e.getBoundingClientRect().height)"
            )
            line = page.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.st-lang a')).lineHeight)"
            )
            assert max(heights) < 1.6 * line, (language, size, heights, line)
    assert not problems, "\n".join(problems)


def test_the_language_button_and_the_menu_stay_on_one_line_on_a_phone(
    page, live_server, demo
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    _sign_in(page, base, "agent", demo["password"])
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.goto(f"{base}/desk/")
    page.click("summary.bz-menu-button")
    for button in page.locator(".bz-lang button").all():
        box = button.bounding_box()
        assert box is not None
        line = float(button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)"))
        assert box["height"] < 2.5 * line, (button.inner_text(), box)
    page.screenshot(path=str(ARTIFACTS / "phones" / "menu-open-390.png"))
