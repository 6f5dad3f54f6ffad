"""Reading events, with who may see what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q, QuerySet

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.events.models import Event, EventKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

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


def visible_events(user: User | AnonymousUser) -> QuerySet[Event]:
    """Auditors see every event; other staff every non-security event; a customer's
    people only their own organisation's non-security events."""
    qs = Event.objects.all()
    if can(user, Capability.VIEW_AUDIT):
        return qs
    if not user.is_authenticated:
        return qs.none()
    qs = qs.exclude(kind__in=SECURITY_KINDS)
    if is_operator_staff(user):
        return qs
    return qs.filter(organisation_id=user.organisation_id) if user.organisation_id else qs.none()


def timeline(user: User | AnonymousUser, obj: models.Model) -> QuerySet[Event]:
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
