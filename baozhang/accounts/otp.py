"""Optional TOTP for staff (X4), through django-otp's TOTP device."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from baozhang.accounts.models import User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.events.models import EventKind
from baozhang.events.services import record


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start_enrolment(user: User) -> TOTPDevice:
    """A fresh unconfirmed device (any earlier unconfirmed one is replaced)."""
    if not is_operator_staff(user):
        raise PermissionError("two-factor sign-in is for staff / 双因素登录仅用于运营方员工")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def pending_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of the device as an inline SVG QR code."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


@transaction.atomic
def confirm_enrolment(user: User, token: str) -> bool:
    device = pending_device(user)
    if device is None or not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(EventKind.OTP_ENABLED, user, actor=user)
    return True


@transaction.atomic
def disable(user: User) -> None:
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        record(EventKind.OTP_DISABLED, user, actor=user)


def verify(user: User, token: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token.strip()):
            return device
    return None
