"""Read queries that enforce who may see what. Every list and detail goes through here."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

from baozhang.accounts.models import ApiToken, Organisation, User
from baozhang.accounts.permissions import Capability, can, is_operator_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=Model)


def scope_to_organisation(
    qs: QuerySet[M], user: User | AnonymousUser, field: str = "organisation"
) -> QuerySet[M]:
    """Rows of `qs` the user may see: all for the operator's staff, only rows whose
    `field` is the user's own organisation for a customer's people, none for anyone else.
    Every area scopes its customer data through this one rule."""
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    if not user.organisation.is_active:
        return qs.none()
    return qs.filter(**{f"{field}_id": user.organisation_id})


def visible_organisations(user: User | AnonymousUser) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if can(user, Capability.VIEW_ALL_CUSTOMERS):
        return qs
    if not user.is_authenticated or not user.organisation_id:
        return qs.none()
    return qs.filter(pk=user.organisation_id)


def visible_users(user: User | AnonymousUser) -> QuerySet[User]:
    """Staff see everyone; a customer's person sees the people of their own organisation."""
    qs = User.objects.select_related("organisation")
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.organisation_id:
        return qs.none()
    return qs.filter(organisation_id=user.organisation_id)


def visible_tokens(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """Administrators see every token; others only their own."""
    qs = ApiToken.objects.select_related("user")
    if can(user, Capability.MANAGE_USERS):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(user=user)


def staff_filter() -> Q:
    return Q(organisation__kind="operator") | Q(is_superuser=True)
