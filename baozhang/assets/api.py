"""API of the asset register (/api/v1/assets…). Thin: every step is a service or selector.

Staff see every asset; a customer's people the assets their organisation owns or depends
on. Creating and changing needs the capability of keeping equipment; a refusal of the
register's rules (two responsible people for a critical asset, X5, above all) is a 422
with the project's JSON error naming the field, in both languages.
"""

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import Organisation, User
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Date, Id
from baozhang.assets import services
from baozhang.assets.models import Asset, AssetKind, AssetRole, AssetStatus
from baozhang.assets.selectors import filter_assets, get_asset, visible_assets
from baozhang.ui.search import search_text

router = Router(tags=["assets"])

# The catalogue's Service, reached through the relation: the register, beside the
# catalogue, imports nothing of it (docs/architecture.md).
Service = Asset._meta.get_field("services").related_model

MAX_BANDWIDTH = 2**31 - 1


class AssetOut(Schema):
    id: int
    name: str
    kind: AssetKind
    status: AssetStatus
    owner_id: int
    location_id: int | None
    location_text: str
    vendor: str
    model: str
    serial: str
    address: str
    role: AssetRole
    is_critical: bool
    responsible_ids: list[int]
    required_time: str
    warranty_end: dt.date | None
    service_ids: list[int]
    customer_ids: list[int]
    monitor_ids: list[int]
    carrier: str
    bandwidth_mbps: int | None
    end_a: str
    end_b: str
    external_id: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_responsible_ids(obj: Asset) -> list[int]:
        return sorted(u.pk for u in obj.responsible.all())

    @staticmethod
    def resolve_service_ids(obj: Asset) -> list[int]:
        return sorted(s.pk for s in obj.services.all())

    @staticmethod
    def resolve_customer_ids(obj: Asset) -> list[int]:
        return sorted(o.pk for o in obj.customers.all())

    @staticmethod
    def resolve_monitor_ids(obj: Asset) -> list[int]:
        return sorted(m.pk for m in obj.monitors.all())  # type: ignore[attr-defined]


_Name = Field(..., min_length=1, max_length=200)


class AssetIn(Schema):
    name: str = _Name
    kind: AssetKind
    status: AssetStatus = AssetStatus.IN_SERVICE
    owner_id: Id
    location_id: Id | None = None
    location_text: str = Field("", max_length=200)
    vendor: str = Field("", max_length=100)
    model: str = Field("", max_length=100)
    serial: str = Field("", max_length=100)
    address: str = Field("", max_length=100)
    role: AssetRole = AssetRole.NONE
    is_critical: bool = False
    responsible_ids: list[Id] = Field(default_factory=list, max_length=100)
    required_time: str = Field("24x7", min_length=1, max_length=60)
    warranty_end: Date | None = None
    service_ids: list[Id] = Field(default_factory=list, max_length=1000)
    customer_ids: list[Id] = Field(default_factory=list, max_length=1000)
    carrier: str = Field("", max_length=100)
    bandwidth_mbps: int | None = Field(None, ge=1, le=MAX_BANDWIDTH)
    end_a: str = Field("", max_length=200)
    end_b: str = Field("", max_length=200)
    external_id: str = Field("", max_length=60)
    notes: str = Field("", max_length=10_000)


class AssetPatch(PatchIn):
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"location_id", "warranty_end", "bandwidth_mbps"}
    )

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: AssetKind | None = None
    status: AssetStatus | None = None
    owner_id: Id | None = None
    location_id: Id | None = None
    location_text: str | None = Field(None, max_length=200)
    vendor: str | None = Field(None, max_length=100)
    model: str | None = Field(None, max_length=100)
    serial: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=100)
    role: AssetRole | None = None
    is_critical: bool | None = None
    responsible_ids: list[Id] | None = Field(None, max_length=100)
    required_time: str | None = Field(None, min_length=1, max_length=60)
    warranty_end: Date | None = None
    service_ids: list[Id] | None = Field(None, max_length=1000)
    customer_ids: list[Id] | None = Field(None, max_length=1000)
    carrier: str | None = Field(None, max_length=100)
    bandwidth_mbps: int | None = Field(None, ge=1, le=MAX_BANDWIDTH)
    end_a: str | None = Field(None, max_length=200)
    end_b: str | None = Field(None, max_length=200)
    external_id: str | None = Field(None, max_length=60)
    notes: str | None = Field(None, max_length=10_000)


def _rows(model: Any, ids: list[int], field: str, **extra: Any) -> list[Any]:
    wanted = set(ids)
    found = list(model.objects.filter(pk__in=wanted, **extra))
    if len(found) != len(wanted):
        missing = sorted(wanted - {r.pk for r in found})
        raise ValidationError({field: f"没有这些编号：{missing} / no such ids: {missing}"})
    return found


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Ids of the payload as rows (a missing one is a 422 naming its field)."""
    out = dict(data)
    if "owner_id" in out:
        out["owner"] = _rows(Organisation, [out.pop("owner_id")], "owner_id")[0]
    if "location_id" in out:
        pk = out.pop("location_id")
        out["location"] = None if pk is None else _rows(Asset, [pk], "location_id")[0]
    if "responsible_ids" in out:
        out["responsible"] = _rows(
            User, out.pop("responsible_ids"), "responsible_ids", is_active=True
        )
    if "service_ids" in out:
        out["services"] = _rows(Service, out.pop("service_ids"), "service_ids")
    if "customer_ids" in out:
        out["customers"] = _rows(Organisation, out.pop("customer_ids"), "customer_ids")
    return out


def _prefetched(qs: Any) -> Any:
    return qs.prefetch_related("responsible", "services", "customers", "monitors")


@router.get("/assets", response=list[AssetOut])
@paginate(Pages, page_size=100)
def list_assets(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    kind: AssetKind | None = None,
    status: AssetStatus | None = None,
    owner_id: Id | None = None,
    q: str = "",
):
    """Assets the caller may see, by name; filtered by kind, status, owner or text."""
    qs = filter_assets(
        visible_assets(request.auth),
        kind=kind or "",
        status=status or "",
        owner=owner_id,
        q=search_text(q),
    )
    return _prefetched(qs)


@router.get("/assets/{asset_id}", response=AssetOut)
def get_one(request: HttpRequest, asset_id: Id):  # type: ignore[no-untyped-def]
    return _prefetched(Asset.objects).get(pk=get_asset(request.auth, asset_id).pk)


@router.post("/assets", response={201: AssetOut})
def create_one(request: HttpRequest, payload: AssetIn):  # type: ignore[no-untyped-def]
    """Register an asset. A critical asset needs two responsible people (X5)."""
    services.require_manager(request.auth)
    asset = services.create_asset(request.auth, **_resolve(payload.dict()))
    return Status(201, _prefetched(Asset.objects).get(pk=asset.pk))


@router.patch("/assets/{asset_id}", response=AssetOut)
def update_one(request: HttpRequest, asset_id: Id, payload: AssetPatch):  # type: ignore[no-untyped-def]
    """Change some of an asset's values; those left out stay."""
    asset = get_asset(request.auth, asset_id)
    services.require_manager(request.auth)
    services.update_asset(request.auth, asset, **_resolve(payload.dict(exclude_unset=True)))
    return _prefetched(Asset.objects).get(pk=asset.pk)
