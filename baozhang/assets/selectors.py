"""Reading the asset register: who sees which assets, the filters of the list, and the
scopes the figures are computed over (an asset, a kind, a room, a customer's).

The operator's staff see every asset; a customer's people see the assets their
organisation owns or depends on; anyone else none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.assets.models import PLACES, Asset, AssetDocument, AssetKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_assets(user: User | AnonymousUser) -> QuerySet[Asset]:
    qs = Asset.objects.select_related("owner", "location")
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    if not user.organisation.is_active:
        return qs.none()
    org = user.organisation_id
    mine = Asset.customers.through.objects.filter(organisation_id=org).values("asset_id")
    return qs.filter(Q(owner_id=org) | Q(pk__in=mine))


def get_asset(user: User | AnonymousUser, pk: int) -> Asset:
    try:
        return visible_assets(user).get(pk=pk)
    except Asset.DoesNotExist:
        raise Http404 from None


def filter_assets(
    qs: QuerySet[Asset],
    *,
    kind: str = "",
    status: str = "",
    owner: int | None = None,
    q: str = "",
) -> QuerySet[Asset]:
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if owner is not None:
        qs = qs.filter(owner_id=owner)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(serial__icontains=q)
            | Q(model__icontains=q)
            | Q(vendor__icontains=q)
            | Q(location_text__icontains=q)
        )
    return qs


def places() -> QuerySet[Asset]:
    """The machine rooms and racks, for a location to be chosen from."""
    return Asset.objects.filter(kind__in=sorted(PLACES)).order_by("kind", "name")


def rooms() -> QuerySet[Asset]:
    return Asset.objects.filter(kind=AssetKind.ROOM).order_by("name")


def scoped_assets(
    *,
    kind: str | None = None,
    kinds: frozenset[str] | None = None,
    room_id: int | None = None,
    customer_id: int | None = None,
    service_id: int | None = None,
    asset_id: int | None = None,
) -> QuerySet[Asset]:
    """The assets a figure is computed over, with what the computation reads (their
    monitors' ids are read by the caller through monitoring). ``room_id``: the assets in
    the room or in a rack in it; ``customer_id``: owned by the customer or depended on by
    it or by one of its services; ``service_id``: depended on by the service."""
    qs = Asset.objects.select_related("location", "owner").order_by("kind", "name", "pk")
    if asset_id is not None:
        qs = qs.filter(pk=asset_id)
    if kind:
        qs = qs.filter(kind=kind)
    if kinds is not None:
        qs = qs.filter(kind__in=sorted(kinds))
    if room_id is not None:
        qs = qs.filter(Q(location_id=room_id) | Q(location__location_id=room_id))
    if customer_id is not None:
        depends = Asset.customers.through.objects.filter(organisation_id=customer_id).values(
            "asset_id"
        )
        via_service = Asset.services.through.objects.filter(service__customers=customer_id).values(
            "asset_id"
        )
        qs = qs.filter(Q(owner_id=customer_id) | Q(pk__in=depends) | Q(pk__in=via_service))
    if service_id is not None:
        qs = qs.filter(services=service_id)
    return qs


def documents_of(asset: Asset) -> list[AssetDocument]:
    """The asset's documents, newest version of each title first."""
    return list(asset.documents.select_related("uploaded_by").order_by("title", "-version"))
