"""API of patches (/api/v1/advisories, /api/v1/patch-statuses, /api/v1/assets/{id}/software).
Thin: every step is a service or selector.

The operator's staff read them; a customer's people get 404 (empty lists). Entering
advisories, reporting inventories and changing statuses need the capability of keeping
equipment. A refusal (not applicable without its reason, a spec the scheme cannot read)
is a 422 with the project's JSON error naming the field, in both languages.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.api.pagination import Pages
from baozhang.api.types import AwareDateTime, Date, Id
from baozhang.assets.selectors import get_asset
from baozhang.patches import selectors, services
from baozhang.patches.models import (
    Advisory,
    InstalledSoftware,
    PatchState,
    PatchStatus,
    SeverityLevel,
    VersionScheme,
)
from baozhang.ui.search import search_text

router = Router(tags=["patches"])


class AdvisoryOut(Schema):
    id: int
    reference: str
    title: str
    product: str
    affected: str
    fixed_version: str
    scheme: VersionScheme
    severity: SeverityLevel
    cve_ids: list[str]
    released_on: dt.date | None
    source: str
    source_text: str
    description: str
    created_at: dt.datetime
    matched: int
    settled: int
    open_count: int


class AdvisoryIn(Schema):
    reference: str = Field(..., min_length=1, max_length=120)
    title: str = Field(..., min_length=1, max_length=300)
    product: str = Field(..., min_length=1, max_length=200)
    affected: str = Field("", max_length=300)
    fixed_version: str = Field("", max_length=120)
    scheme: VersionScheme = VersionScheme.DEBIAN
    severity: SeverityLevel
    cve_ids: list[str] = Field(default_factory=list, max_length=200)
    released_on: Date | None = None
    source_text: str = Field("", max_length=300)
    description: str = Field("", max_length=20_000)


class StatusOut(Schema):
    id: int
    advisory_id: int
    advisory_reference: str
    asset_id: int
    asset_name: str
    state: PatchState
    installed_version: str
    matched_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    change_reference: str
    scheduled_for: dt.datetime | None
    settled_at: dt.datetime | None
    settled_by_id: int | None
    reason: str


class PatchStatusIn(Schema):
    state: PatchState
    change_reference: str = Field("", max_length=120)
    scheduled_for: AwareDateTime | None = None
    installed_at: AwareDateTime | None = None
    reason: str = Field("", max_length=5_000)


class PackageIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    version: str = Field(..., min_length=1, max_length=120)


class InventoryIn(Schema):
    packages: list[PackageIn] = Field(..., max_length=services.MAX_PACKAGES)


class InventoryOut(Schema):
    asset_id: int
    packages: int
    open_patches: int


class PackageOut(Schema):
    name: str
    version: str
    source: str
    reported_at: dt.datetime


class ComplianceOut(Schema):
    start: dt.datetime
    end: dt.datetime
    due: int
    on_time: int
    rate: float | None


def _status_out(status: PatchStatus, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": status.pk,
        "advisory_id": status.advisory_id,
        "advisory_reference": status.advisory.reference,
        "asset_id": status.asset_id,
        "asset_name": status.asset.name,
        "state": status.state,
        "installed_version": status.installed_version,
        "matched_at": status.matched_at,
        "due_at": status.due_at,
        "overdue": status.is_open and status.due_at <= now,
        "change_reference": status.change_reference,
        "scheduled_for": status.scheduled_for,
        "settled_at": status.settled_at,
        "settled_by_id": status.settled_by_id,
        "reason": status.reason,
    }


@router.get("/advisories", response=list[AdvisoryOut])
@paginate(Pages, page_size=100)
def list_advisories(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    severity: SeverityLevel | None = None,
    q: str = "",
    open_only: bool = False,
):
    """Advisories, newest first, with how many assets each matched and settled."""
    return selectors.filter_advisories(
        selectors.visible_advisories(request.auth),
        severity=severity or "",
        q=search_text(q),
        open_only=open_only,
    )


@router.post("/advisories", response={201: AdvisoryOut})
def create_advisory(request: HttpRequest, payload: AdvisoryIn):  # type: ignore[no-untyped-def]
    """Enter an advisory; it is matched at once against the inventories."""
    services.require_staff(request.auth)
    advisory = services.create_advisory(request.auth, **payload.dict())
    return Status(201, selectors.get_advisory(request.auth, advisory.pk))


@router.get("/advisories/{advisory_id}", response=AdvisoryOut)
def get_advisory(request: HttpRequest, advisory_id: Id):  # type: ignore[no-untyped-def]
    return selectors.get_advisory(request.auth, advisory_id)


@router.get("/advisories/{advisory_id}/statuses", response=list[StatusOut])
def advisory_statuses(request: HttpRequest, advisory_id: Id):  # type: ignore[no-untyped-def]
    """The assets the advisory matched, each with its patch status."""
    advisory: Advisory = selectors.get_advisory(request.auth, advisory_id)
    now = timezone.now()
    return [_status_out(s, now) for s in selectors.statuses_of(advisory)]


@router.get("/patch-statuses", response=list[StatusOut])
@paginate(Pages, page_size=100)
def list_statuses(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    state: PatchState | None = None,
    asset_id: Id | None = None,
    overdue: bool = False,
):
    """Patch statuses by deadline; ``overdue``: open ones past their deadline."""
    now = timezone.now()
    qs = selectors.visible_statuses(request.auth).order_by("due_at", "pk")
    if state:
        qs = qs.filter(state=state)
    if asset_id is not None:
        qs = qs.filter(asset_id=asset_id)
    if overdue:
        qs = selectors.overdue(qs, now)
    return [_status_out(s, now) for s in qs]


class BulkStatusIn(PatchStatusIn):
    ids: list[Id] = Field(..., min_length=1, max_length=services.MAX_BULK)


class BulkStatusOut(Schema):
    updated: int
    state: PatchState


@router.post("/patch-statuses/bulk", response=BulkStatusOut)
def set_statuses(request: HttpRequest, payload: BulkStatusIn):  # type: ignore[no-untyped-def]
    """Many statuses to one state at once (at most 5,000 ids; every id must name a
    status, or nothing moves): the same checks and one event per status as one at a time,
    written in a few statements."""
    services.require_staff(request.auth)
    fields = payload.dict()
    ids = fields.pop("ids")
    moved = services.set_states(request.auth, ids, **fields)
    return {"updated": len(moved), "state": payload.state}


@router.post("/patch-statuses/{status_id}", response=StatusOut)
def set_status(request: HttpRequest, status_id: Id, payload: PatchStatusIn):  # type: ignore[no-untyped-def]
    """Pending, scheduled (with its change), installed (when; by the caller) or not
    applicable (with its reason)."""
    status = selectors.get_status(request.auth, status_id)
    services.set_state(request.auth, status, **payload.dict())
    return _status_out(selectors.get_status(request.auth, status_id), timezone.now())


@router.get("/patches/compliance", response=ComplianceOut)
def compliance(request: HttpRequest, start: AwareDateTime, end: AwareDateTime):  # type: ignore[no-untyped-def]
    """The patch compliance rate of [start, end): due in it and settled by the deadline."""
    services.require_staff(request.auth)
    if end <= start:
        raise ValidationError({"end": "结束须晚于开始 / the end must come after the start"})
    result = selectors.compliance(start, end)
    return {
        "start": start,
        "end": end,
        "due": result.due,
        "on_time": result.on_time,
        "rate": result.rate,
    }


@router.get("/assets/{asset_id}/software", response=list[PackageOut])
def asset_software(request: HttpRequest, asset_id: Id):  # type: ignore[no-untyped-def]
    """The software last reported for the asset (to whoever may see the asset)."""
    asset = get_asset(request.auth, asset_id)
    return list(InstalledSoftware.objects.filter(asset=asset).order_by("name"))


@router.post("/assets/{asset_id}/software", response=InventoryOut)
def report_software(request: HttpRequest, asset_id: Id, payload: InventoryIn):  # type: ignore[no-untyped-def]
    """The inventory agent's report: it replaces the asset's installed software and is
    matched at once against the advisories."""
    asset = get_asset(request.auth, asset_id)
    count = services.report_inventory(
        request.auth, asset, [(p.name, p.version) for p in payload.packages]
    )
    return {
        "asset_id": asset.pk,
        "packages": count,
        "open_patches": selectors.open_for_asset(asset.pk).count(),
    }
