"""The menu in a real browser (Playwright driving Debian's chromium), on a laptop (1366×900)
and a phone (390×844), in Chinese and in English: on a laptop it is one row; on a phone it
is a Menu button whose panel stays on screen; every link of the person's menu is reached by
opening its group and leads to a page that answers 200; a customer's contact sees no staff
link. Screenshots go to test-artifacts/ for a human to look at."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from baozhang.accounts.models import User
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.web.navigation import MENU, menu_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _expected(person: User) -> dict[str, str]:
    """url name -> address of every link the menu's definition gives this person."""
    request = RequestFactory().get("/")
    request.user = person
    return {link.url_name: link.url for group in menu_for(request) for link in group.links}


def _open_link(page: Any, base: str, url_name: str, phone: bool) -> Any:
    """Make the link visible the way a person would: the Menu button on a phone, then its
    group's button (a group of one link shows as the link itself)."""
    if page.locator(".bz-menu").count() == 0:  # a page without the menu (none today)
        page.goto(f"{base}/")
    if phone and page.locator(".bz-menu[open]").count() == 0:
        page.click(".bz-menu > summary")
    link = page.locator(f'.bz-areas a[data-url-name="{url_name}"]')
    group = page.locator(f'.bz-areas > li:has(a[data-url-name="{url_name}"]) details.dropdown')
    if group.count() and group.get_attribute("open") is None:
        group.locator("> summary").click()
    assert link.is_visible(), url_name
    return link


def _walk_the_menu(page: Any, base: str, person: User, phone: bool, shot: str) -> None:
    expected = _expected(person)
    page.goto(f"{base}/")
    shown = page.eval_on_selector_all(
        ".bz-areas a[data-url-name]", "els => els.map(e => e.dataset.urlName)"
    )
    assert set(shown) == set(expected)
    width = page.viewport_size["width"]
    if phone:
        page.click(".bz-menu > summary")
        page.screenshot(path=str(ARTIFACTS / f"menu-{shot}-phone.png"), full_page=True)
        box = page.locator(".bz-menu").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        page.click(".bz-menu > summary")
    else:
        tops = page.eval_on_selector_all(
            ".bz-top nav > ul > li, .bz-areas > li, .bz-lang > li",
            "els => els.map(e => e.getBoundingClientRect().top)",
        )
        heights = page.eval_on_selector_all(
            ".bz-areas > li", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        # one row: every item of the bar starts within one item's height of the others
        assert max(tops) - min(tops) < min(heights), tops
        page.screenshot(path=str(ARTIFACTS / f"menu-{shot}-laptop.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for url_name, url in expected.items():
        link = _open_link(page, base, url_name, phone)
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, url_name
        with page.expect_navigation() as navigation:
            link.click()
        assert navigation.value.status == 200, url_name
        assert page.url == f"{base}{url}", url_name
        if page.locator(".bz-areas").count():
            current = page.locator(f'.bz-areas a[data-url-name="{url_name}"]')
            assert current.get_attribute("aria-current") == "page", url_name


@pytest.mark.parametrize(
    ("who", "language"),
    [("admin", "en"), ("agent", "zh-hans"), ("engineer", "en"), ("contact_a", "zh-hans")],
)
def test_the_menu_on_a_laptop_and_a_phone(page, live_server, personas, who, language):
    # given a person reading in one of the two languages
    person = getattr(personas, who)
    User.objects.filter(pk=person.pk).update(language=language)
    sign_in(page, live_server.url, person.username)
    assert page.locator("html").get_attribute("lang") == (
        "zh-Hans" if language == "zh-hans" else "en"
    )
    for viewport, phone in [(LAPTOP, False), (PHONE, True)]:
        # when they open every link of their menu at this width
        page.set_viewport_size(viewport)
        # then the bar fits, every link is reached and answers 200
        _walk_the_menu(page, live_server.url, person, phone, f"{who}-{language}")
    if who.startswith("contact"):
        # and a customer's contact sees no staff link
        page.goto(f"{live_server.url}/")
        hrefs = page.eval_on_selector_all("header a", "els => els.map(e => e.pathname)")
        staff_only = {link.url_name for group in MENU for link in group.links}
        staff_only -= {link.url_name for group in MENU for link in group.links if link.portal_label}
        assert not {reverse(name) for name in staff_only} & set(hrefs)


def test_the_menu_answers_the_keyboard(page, live_server, personas):
    # given the administrator on a laptop
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server.url, "admin")
    summary = page.locator('.bz-areas > li[data-group="desk"] summary')
    group = page.locator('.bz-areas > li[data-group="desk"] details')
    # when they tab to the service desk's button and press Enter
    summary.focus()
    page.keyboard.press("Enter")
    # then the group opens; Tab reaches its first link; Escape closes it and returns focus
    assert group.get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.urlName") == "desk:tickets"
    page.keyboard.press("Escape")
    assert group.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # and opening another group closes this one
    summary.click()
    page.locator('.bz-areas > li[data-group="admin"] summary').click()
    assert group.get_attribute("open") is None
    assert page.locator('.bz-areas > li[data-group="admin"] details').get_attribute("open") == ""
    # and a click elsewhere on the page closes it
    page.click("main h1")
    assert page.locator(".bz-areas details[open]").count() == 0
