"""API tokens: printed once, stored hashed, revocable, carrying the user's permissions."""

from __future__ import annotations

import hashlib
import io

from django.core.management import call_command
from django.test import Client

from baozhang.accounts import services
from baozhang.accounts.models import ApiToken
from baozhang.events.models import Event, EventKind


def test_createtoken_prints_a_token_once_and_stores_only_its_hash(personas):
    out = io.StringIO()
    call_command("createtoken", "agent", stdout=out)
    secret = out.getvalue().strip()

    token = ApiToken.objects.get(user=personas.agent)
    assert secret.startswith("bz_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.digest, token.name}
    assert Event.objects.filter(kind=EventKind.TOKEN_CREATED, object_id=str(token.pk)).exists()

    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "agent"


def test_createtoken_for_an_unknown_user_fails_clearly(db):
    from django.core.management.base import CommandError

    try:
        call_command("createtoken", "ghost", stdout=io.StringIO())
    except CommandError as exc:
        assert "ghost" in str(exc)
    else:
        raise AssertionError("expected CommandError")


def test_a_revoked_token_is_refused(personas, api_client):
    client = api_client(personas.agent)
    assert client.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(user=personas.agent)

    call_command("revoketoken", token.prefix, stdout=io.StringIO())

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorised"


def test_a_token_of_an_inactive_user_is_refused(personas, api_client):
    client = api_client(personas.agent)
    personas.agent.is_active = False
    personas.agent.save()
    assert client.get("/api/v1/me").status_code == 401


def test_a_token_carries_its_users_permissions(personas, api_client):
    contact = api_client(personas.contact_a)
    response = contact.post(
        "/api/v1/organisations", {"name": "Sneaky"}, content_type="application/json"
    )
    assert response.status_code == 403

    director = api_client(personas.director)
    response = director.post(
        "/api/v1/organisations", {"name": "New customer"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_a_token_costs_one_statement_for_its_person_organisation_and_roles(
    personas, django_assert_num_queries
):
    from baozhang.accounts.permissions import Role, roles_of
    from baozhang.accounts.services import user_for_token

    _token, secret = services.create_token(None, personas.contact_a, name="one statement")
    user_for_token(secret)  # the first use marks the token used
    # When the token is read again within the minute
    with django_assert_num_queries(1):
        user = user_for_token(secret)
        # Then its person, organisation and roles came with that one statement
        assert user.pk == personas.contact_a.pk
        assert user.organisation.name == personas.org_a.name
        assert user.organisation.is_active is True
        assert roles_of(user) == frozenset({Role.CUSTOMER_CONTACT})
    assert user.last_login == personas.contact_a.last_login
    assert user.date_joined == personas.contact_a.date_joined


def test_a_token_of_a_deactivated_organisation_is_refused(personas):
    from baozhang.accounts.services import user_for_token

    _token, secret = services.create_token(None, personas.contact_a, name="org off")
    personas.org_a.is_active = False
    personas.org_a.save(update_fields=["is_active"])
    assert user_for_token(secret) is None


def test_a_token_marks_its_use_at_most_once_a_minute(personas):
    from datetime import timedelta

    from django.utils import timezone

    from baozhang.accounts.models import ApiToken
    from baozhang.accounts.services import user_for_token

    token, secret = services.create_token(None, personas.agent, name="used")
    user_for_token(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    user_for_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    user_for_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()
