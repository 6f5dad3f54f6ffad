"""Who may change changes and emergency plans: the operator's staff with the capability of
keeping equipment (the engineers and directors who keep the asset register and schedule
maintenance windows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from baozhang.accounts.permissions import Capability, can, is_operator_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

MANAGE = Capability.MANAGE_MAINTENANCE


def require_manager(actor: Actor) -> None:
    if actor is not None and not can(actor, MANAGE):
        raise PermissionDenied("无权管理变更 / you may not manage changes")


def require_staff(actor: Actor) -> None:
    if actor is not None and not is_operator_staff(actor):
        raise PermissionDenied("仅限运营方员工 / the operator's staff only")


def person_of(actor: Actor) -> User | None:
    """The person acting, or None for the system."""
    return actor if actor is not None and actor.is_authenticated else None  # type: ignore[return-value]
