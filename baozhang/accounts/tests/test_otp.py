"""Optional TOTP for staff: once on, a password alone does not sign in."""

from __future__ import annotations

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from baozhang.accounts import otp
from baozhang.conftest import PASSWORD
from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or one time step later: django-otp refuses
    a code whose step was already used, and accepts one step of clock drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def test_staff_turns_on_totp_and_then_needs_the_code(client, personas):
    device = otp.start_enrolment(personas.engineer)
    assert otp.confirm_enrolment(personas.engineer, _code(device))
    assert Event.objects.filter(kind=EventKind.OTP_ENABLED, actor=personas.engineer).exists()

    response = client.post(
        reverse("accounts:login"), {"username": "engineer", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:otp")
    assert "_auth_user_id" not in client.session

    device.refresh_from_db()
    good = client.post(reverse("accounts:otp"), {"token": _code(device, steps_ahead=1)})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.engineer.pk)


def test_a_wrong_code_does_not_sign_in(client, personas):
    device = otp.start_enrolment(personas.engineer)
    assert otp.confirm_enrolment(personas.engineer, _code(device))
    client.post(reverse("accounts:login"), {"username": "engineer", "password": PASSWORD})

    wrong = "000000" if _code(device) != "000000" else "111111"
    response = client.post(reverse("accounts:otp"), {"token": wrong})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_does_not_confirm_enrolment(personas):
    otp.start_enrolment(personas.engineer)
    assert not otp.confirm_enrolment(personas.engineer, "123")
    assert not otp.has_confirmed_device(personas.engineer)


def test_security_page_shows_a_qr_code_for_enrolment(login, personas):
    client = login(personas.engineer)
    response = client.post(reverse("accounts:security"), {"action": "otp-start"})
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_the_admin_login_cannot_skip_the_second_factor(client, personas):
    device = otp.start_enrolment(personas.admin)
    assert otp.confirm_enrolment(personas.admin, _code(device))

    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session

    # and a session made without the code (e.g. by another path) is refused everywhere
    client.force_login(
        personas.admin, backend="baozhang.accounts.backends.ActiveOrganisationBackend"
    )
    assert client.get(reverse("web:dashboard")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_recorded_as_a_failed_sign_in(client, personas):
    device = otp.start_enrolment(personas.engineer)
    assert otp.confirm_enrolment(personas.engineer, _code(device))
    client.post(reverse("accounts:login"), {"username": "engineer", "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"token": "000000" if _code(device) != "000000" else "1"})
    event = Event.objects.get(
        kind=EventKind.SIGN_IN_FAILED,
        object_id=str(personas.engineer.pk),
        summary__contains="two-factor",
    )
    assert reads(event) == ("双因素验证码错误", "wrong two-factor code")
