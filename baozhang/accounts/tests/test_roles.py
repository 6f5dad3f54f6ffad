from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from baozhang.accounts import services
from baozhang.accounts.models import Role
from baozhang.accounts.permissions import Capability, can, capabilities_of
from baozhang.events.models import Event, EventKind


def test_a_customers_person_cannot_be_given_a_staff_role(personas):
    with pytest.raises(ValidationError) as exc:
        services.create_user(
            None, username="x", password=None, organisation=personas.org_a, roles=[Role.AGENT]
        )
    assert "roles" in exc.value.message_dict


def test_every_role_group_exists_after_migrate(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_capabilities_follow_roles(personas):
    assert can(personas.admin, Capability.MANAGE_USERS)
    assert can(personas.director, Capability.MANAGE_ORGANISATIONS)
    assert not can(personas.agent, Capability.MANAGE_ORGANISATIONS)
    assert can(personas.security, Capability.VIEW_AUDIT)
    assert not can(personas.agent, Capability.VIEW_AUDIT)
    assert capabilities_of(personas.contact_a) == {
        Capability.MANAGE_OWN_ORGANISATION_CHANNELS,
        Capability.SIGN_REVIEWS,
    }
    assert can(personas.director, Capability.MANAGE_AGREEMENTS)
    assert not can(personas.agent, Capability.MANAGE_CALENDARS)


def test_changing_roles_is_an_event_with_before_and_after(personas):
    services.set_roles(personas.admin, personas.agent, [Role.AGENT, Role.ENGINEER])
    event = Event.objects.filter(kind=EventKind.UPDATED, object_id=str(personas.agent.pk)).latest(
        "id"
    )
    assert event.before == {"roles": ["agent"]}
    assert event.after == {"roles": ["agent", "engineer"]}
    assert event.actor == personas.admin


def test_weak_passwords_are_refused(personas):
    with pytest.raises(ValidationError):
        services.create_user(
            None, username="weak", password="12345678", organisation=personas.operator
        )


def test_only_administrators_manage_people(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_user(
            personas.agent, username="y", password=None, organisation=personas.operator
        )


def test_a_deactivated_organisations_people_lose_access(personas, api_client, login):
    from baozhang.conftest import PASSWORD

    token_client = api_client(personas.contact_a)
    session = login(personas.contact_a)
    services.update_organisation(None, personas.org_a, is_active=False)

    assert token_client.get("/api/v1/me").status_code == 401
    assert session.get("/").status_code == 302  # signed out
    from django.test import Client

    fresh = Client()
    response = fresh.post("/accounts/login/", {"username": "contact_a", "password": PASSWORD})
    assert "_auth_user_id" not in fresh.session
    assert response.status_code == 200
