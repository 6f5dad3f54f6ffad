"""X4: six wrong passwords lock the account; every attempt and the lockout are events."""

from __future__ import annotations

from django.urls import reverse

from baozhang.conftest import PASSWORD
from baozhang.events.models import Event, EventKind


def _try(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_six_wrong_passwords_lock_the_account_and_are_recorded(client, personas):
    for _ in range(6):
        _try(client, "agent", "wrong-password")

    response = _try(client, "agent", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    failed = Event.objects.filter(kind=EventKind.SIGN_IN_FAILED, object_id=str(personas.agent.pk))
    assert failed.count() >= 6
    locked = Event.objects.filter(kind=EventKind.LOCKED_OUT, object_id=str(personas.agent.pk))
    assert locked.count() >= 1
    assert all(e.ip_address == "127.0.0.1" for e in failed)


def test_five_wrong_passwords_do_not_lock_and_a_right_one_signs_in(client, personas):
    for _ in range(5):
        assert _try(client, "agent", "wrong-password").status_code == 200

    response = _try(client, "agent", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.agent.pk)
    signed_in = Event.objects.get(kind=EventKind.SIGNED_IN)
    assert signed_in.actor == personas.agent
    assert not Event.objects.filter(kind=EventKind.LOCKED_OUT).exists()


def test_lockout_of_one_account_leaves_another_alone(client, personas):
    for _ in range(6):
        _try(client, "agent", "wrong-password")

    response = _try(client, "engineer", PASSWORD)

    assert response.status_code == 302


def test_failed_sign_in_for_an_unknown_name_is_recorded_with_that_name(client, personas):
    _try(client, "nobody-here", "whatever")

    event = Event.objects.get(kind=EventKind.SIGN_IN_FAILED)
    assert event.object_label == "nobody-here"
    assert event.actor is None


def test_wrong_password_shows_a_message_in_the_page_language(client, personas):
    client.cookies["django_language"] = "en"
    response = _try(client, "agent", "wrong-password")
    assert "Please enter a correct" in response.content.decode()

    client.cookies["django_language"] = "zh-hans"
    response = _try(client, "agent", "wrong-password")
    assert "请输入一个正确的" in response.content.decode()


def test_changing_my_password_checks_the_rules_and_is_recorded(login, personas):
    client = login(personas.agent)
    weak = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200
    personas.agent.refresh_from_db()
    assert personas.agent.check_password(PASSWORD)

    new = "a-much-better-passphrase-42"
    ok = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert ok.status_code == 302
    personas.agent.refresh_from_db()
    assert personas.agent.check_password(new)
    assert Event.objects.filter(kind=EventKind.PASSWORD_CHANGED, actor=personas.agent).exists()
