"""Who may see which services: the operator's staff see every service; a customer's
people the services their organisation uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.catalog.models import Service

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def customer_organisation_id(user: User | AnonymousUser) -> int | None:
    """The active organisation of a customer's person; None for anyone who sees nothing."""
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return None
    if not user.organisation.is_active:
        return None
    return int(user.organisation_id)


def visible_services(user: User | AnonymousUser) -> QuerySet[Service]:
    qs = Service.objects.all()
    if is_operator_staff(user):
        return qs
    org = customer_organisation_id(user)
    # (service, organisation) pairs are unique, so filtering on one organisation
    # gives each service once.
    return qs.filter(customers=org) if org is not None else qs.none()


def get_service(user: User | AnonymousUser, pk: int) -> Service:
    """The service ``pk`` if the user may see it; Http404 otherwise."""
    try:
        return visible_services(user).get(pk=pk)
    except Service.DoesNotExist:
        raise Http404 from None


def regions() -> list[str]:
    """The regions services are delivered from (Service.region), each once, in order."""
    names = Service.objects.exclude(region="").values_list("region", flat=True)
    return sorted(set(names))


def region_services(name: str) -> QuerySet[Service]:
    """The services delivered from region ``name`` (none for an empty name)."""
    return Service.objects.filter(region=name) if name else Service.objects.none()
