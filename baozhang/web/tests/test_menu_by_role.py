"""The menu shows each person what their role uses and may open, and nothing they may not.

For every role, every link of the menu's one definition (baozhang.web.navigation.MENU) is
followed: a link the person is shown answers 200; a link hidden from them is refused by its
page (403, 404, or the sign-in page) — or is one their roles do not use (the menu is
shorter; the page is the judge of who may open it), or, for a customer's people, is a staff
link that the portal leaves out. A customer contact never sees a staff link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from baozhang.accounts.models import Role, User
from baozhang.accounts.permissions import is_operator_staff, roles_of
from baozhang.web.navigation import MENU, STAFF_ROLES, Link, operator_staff, signed_in

pytestmark = pytest.mark.django_db

ALL_LINKS: list[Link] = [link for group in MENU for link in group.links]


def _people(personas: Any, user_factory: Callable[..., User]) -> dict[str, User]:
    return {
        "administrator": personas.admin,
        "agent": personas.agent,
        "engineer": personas.engineer,
        "service director": personas.director,
        "security officer": personas.security,
        "complaint administrator": user_factory(personas.operator, [Role.COMPLAINT_ADMIN]),
        "quality inspector": user_factory(personas.operator, [Role.QUALITY_INSPECTOR]),
        "staff without a role": user_factory(personas.operator, []),
        "customer contact": personas.contact_a,
    }


def _shown(client: Client) -> dict[str, str]:
    """url name -> label of every link the menu shows on the dashboard."""
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return {
        link.url_name: link.label
        for group in response.context["nav_groups"]
        for link in group.links
    }


def _refused(response: Any) -> bool:
    if response.status_code in {403, 404}:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith(("/accounts/login/", "/admin/login/"))


def test_every_shown_link_opens_and_every_hidden_link_is_refused(
    personas: Any, user_factory: Callable[..., User], login: Callable[[User], Client]
) -> None:
    # given every role of the project
    for role, person in _people(personas, user_factory).items():
        client = login(person)
        staff = is_operator_staff(person)
        roles = roles_of(person) & STAFF_ROLES
        # when the person's menu is read
        shown = _shown(client)
        # then each link opens for them when shown and is refused when hidden, unless
        # their roles do not use it
        for link in ALL_LINKS:
            response = client.get(reverse(link.url_name))
            if link.url_name in shown:
                assert response.status_code == 200, (role, link.url_name, response.status_code)
            elif staff and roles and not roles & link.roles:
                continue
            elif staff or link.portal_label is not None:
                assert _refused(response), (role, link.url_name, response.status_code)
        client.logout()


def test_a_customer_contact_sees_the_portal_only(
    personas: Any, login: Callable[[User], Client]
) -> None:
    # given a customer's contact
    client = login(personas.contact_a)
    # when their menu is read
    shown = _shown(client)
    # then it holds only the portal's links, under the portal's labels
    portal = {link.url_name: str(link.portal_label) for link in ALL_LINKS if link.portal_label}
    assert shown == portal
    assert "desk:callbacks" not in shown and "admin:index" not in shown
    html = client.get(reverse("web:dashboard")).content.decode()
    for link in ALL_LINKS:
        if link.portal_label is None:
            assert f'href="{reverse(link.url_name)}"' not in html, link.url_name


def test_every_link_of_the_menu_reaches_someone_and_empty_groups_are_not_shown(
    personas: Any, login: Callable[[User], Client]
) -> None:
    # given the administrator, who may open everything
    client = login(personas.admin)
    # when their menu is read
    response = client.get(reverse("web:dashboard"))
    groups = response.context["nav_groups"]
    # then every link of the definition is there, and no group is empty
    assert {link.url_name for g in groups for link in g.links} == {
        link.url_name for link in ALL_LINKS
    }
    assert all(g.links for g in groups)
    empty = [g.key for g in MENU if not g.links]
    assert not any(g.key in empty for g in groups)
    for key in empty:
        assert f'data-group="{key}"' not in response.content.decode()


def test_the_page_being_read_is_marked_in_its_group(
    personas: Any, login: Callable[[User], Client]
) -> None:
    # given an agent on the callbacks page (under /desk/, like the ticket queue)
    client = login(personas.agent)
    # when the page is shown
    response = client.get(reverse("desk:callbacks"))
    # then only the callbacks link is current, and its group is the current group
    groups = response.context["nav_groups"]
    current = [link.url_name for g in groups for link in g.links if link.active]
    assert current == ["desk:callbacks"]
    assert [g.key for g in groups if g.active] == ["desk"]
    html = response.content.decode()
    assert (
        f'href="{reverse("desk:callbacks")}" data-url-name="desk:callbacks" aria-current="page"'
        in html
    )
    assert '<summary aria-current="true">' in html


def test_each_staff_role_is_shown_what_its_work_uses(
    personas: Any, user_factory: Callable[..., User], login: Callable[[User], Client]
) -> None:
    # given an engineer, a quality inspector, an agent and staff with no role yet
    inspector = user_factory(personas.operator, [Role.QUALITY_INSPECTOR])
    no_role = user_factory(personas.operator, [])
    menus = {
        who: _shown(login(person))
        for who, person in {
            "engineer": personas.engineer,
            "inspector": inspector,
            "agent": personas.agent,
            "no role": no_role,
        }.items()
    }
    # then the engineer works faults and monitors, not callbacks or inbound SMS
    assert {"monitoring:monitors", "incidents:list", "incidents:statistics"} <= set(
        menus["engineer"]
    )
    assert not {"desk:callbacks", "desk:sms", "calls:list"} & set(menus["engineer"])
    # and the inspector reads callbacks, calls and figures, not the roster
    assert {"desk:callbacks", "calls:list", "incidents:statistics"} <= set(menus["inspector"])
    assert "staffing:roster" not in menus["inspector"]
    # and the agent works the desk, not the fault statistics
    assert {"desk:callbacks", "desk:sms", "staffing:roster"} <= set(menus["agent"])
    assert "incidents:statistics" not in menus["agent"]
    # and staff whose work nobody has named yet see every staff link (but those a
    # capability guards: the Django admin, the quality report)
    staff_links = {link.url_name for link in ALL_LINKS if link.who in (operator_staff, signed_in)}
    assert "quality:report" in set(menus["inspector"]) - set(menus["no role"])
    assert staff_links <= set(menus["no role"])
    # while a page left out of a menu still opens to that person: the menu is not the guard
    assert login(personas.engineer).get(reverse("desk:callbacks")).status_code == 200
