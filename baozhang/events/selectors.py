"""Reading events, with who may see what.

Which people read every event, and which read every organisation's, is a matter of roles:
the app that knows people's roles (accounts) tells it with :func:`set_readers` in its
ready(). The event log sits below it and does not import it (docs/architecture.md); until
it is told, nobody reads anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet

from baozhang.events.models import Event, EventKind

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Readers:
    """Who reads which events. ``read_audit(user)``: every event, security ones included;
    ``operator_staff(user)``: every organisation's non-security events."""

    read_audit: Callable[[Any], bool]
    operator_staff: Callable[[Any], bool]


_readers = Readers(read_audit=lambda user: False, operator_staff=lambda user: False)


def set_readers(readers: Readers) -> None:
    """Say who reads which events (called once, by accounts' ready())."""
    global _readers
    _readers = readers


# Security events (sign-ins, lockouts, tokens) are for auditors, not for customers' people.
SECURITY_KINDS = frozenset(
    {
        EventKind.SIGNED_IN,
        EventKind.SIGNED_OUT,
        EventKind.SIGN_IN_FAILED,
        EventKind.LOCKED_OUT,
        EventKind.TOKEN_CREATED,
        EventKind.TOKEN_REVOKED,
        EventKind.OTP_ENABLED,
        EventKind.OTP_DISABLED,
        EventKind.PASSWORD_CHANGED,
    }
)


def visible_events(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Event]:
    """Auditors see every event; other staff every non-security event; a customer's
    people only their own organisation's non-security events."""
    qs = Event.objects.all()
    if _readers.read_audit(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    qs = qs.exclude(kind__in=SECURITY_KINDS)
    if _readers.operator_staff(user):
        return qs
    return qs.filter(organisation_id=user.organisation_id) if user.organisation_id else qs.none()


def timeline(user: AbstractBaseUser | AnonymousUser, obj: models.Model) -> QuerySet[Event]:
    """Events of one object and of its parts, oldest first, as the user may see them.
    Events written while the model lived in another app name it as it was then (a model
    lists those names in ``former_object_types``; events are never rewritten)."""
    kinds = [obj._meta.label_lower, *getattr(type(obj), "former_object_types", ())]
    pk = str(obj.pk)
    return (
        visible_events(user)
        .filter(Q(object_type__in=kinds, object_id=pk) | Q(parent_type__in=kinds, parent_id=pk))
        .order_by("at", "id")
    )
