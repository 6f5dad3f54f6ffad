"""Every sign-in, sign-out, failed attempt and lockout becomes an event (X4, Q1)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _user_named(username: str | None) -> Any:
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in)
def _on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    record(EventKind.SIGNED_IN, user, actor=user, ip_address=client_ip(request))


@receiver(user_logged_out)
def _on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(EventKind.SIGNED_OUT, user, actor=user, ip_address=client_ip(request))


@receiver(user_login_failed)
def _on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    user = _user_named(username)
    record(
        EventKind.SIGN_IN_FAILED,
        user,
        actor_label=username or "?",
        object_type="" if user else "accounts.user",
        object_id="" if user else username,
        object_label="" if user else username,
        summary=said("wrong password or unknown user"),
        ip_address=client_ip(request),
    )


@receiver(user_locked_out)
def _on_locked_out(
    sender: Any,
    request: HttpRequest | None,
    username: str | None,
    ip_address: str | None,
    **kwargs: Any,
) -> None:
    user = _user_named(username)
    record(
        EventKind.LOCKED_OUT,
        user,
        actor_label=username or "?",
        object_type="" if user else "accounts.user",
        object_id="" if user else (username or ""),
        object_label="" if user else (username or ""),
        summary=said("too many failed sign-ins, account locked"),
        ip_address=ip_address,
    )
