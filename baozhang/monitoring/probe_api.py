"""The API remote probes use (N1): ``GET /api/v1/probe/assignments`` and
``POST /api/v1/probe/results``, authenticated by their region's token (not a person's)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from baozhang.api.types import AwareDateTime, Float, Id
from baozhang.monitoring import ingest
from baozhang.monitoring.models import Monitor, MonitorKind, ProbeRegion, ReceivedBatch

router = Router(tags=["probe"])


class RegionAuth(HttpBearer):
    """``Authorization: Bearer <region token>``: the active probe region it belongs to."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from baozhang.monitoring.catalog import region_for_token

        region = region_for_token(token)
        if region is not None:
            ProbeRegion.objects.filter(pk=region.pk).update(
                last_seen_at=timezone.now(),
                last_seen_from=(request.META.get("REMOTE_ADDR") or "")[:100],
            )
        return region


def assigned_monitors(region: str) -> list[Monitor]:
    """The enabled monitors checked from ``region`` (``local``: those naming no region or
    naming it). Push monitors are never assigned: they are pinged."""
    out = []
    for monitor in Monitor.objects.filter(enabled=True).exclude(kind=MonitorKind.PUSH):
        if region in monitor.region_names:
            out.append(monitor)
    return out


class AssignmentsOut(Schema):
    region: str
    poll_seconds: float
    monitors: list[dict[str, Any]]


@router.get("/probe/assignments", response=AssignmentsOut, auth=RegionAuth())
def assignments(request: HttpRequest) -> dict[str, Any]:
    """The monitors this region checks, as the probe engine takes them."""
    from baozhang.monitoring.catalog import monitor_spec_dict

    region: ProbeRegion = request.auth  # type: ignore[attr-defined]
    return {
        "region": region.name,
        "poll_seconds": settings.PROBE_RELOAD_SECONDS,
        "monitors": [monitor_spec_dict(m) for m in assigned_monitors(region.name)],
    }


class ResultIn(Schema):
    monitor_id: Id
    at: AwareDateTime
    ok: bool
    latency_ms: Float | None = Field(None, ge=0, lt=1e9)
    error: str = Field("", max_length=2000)
    region: str | None = None
    due: AwareDateTime | None = None


class ResultsIn(Schema):
    batch_id: str = Field(..., min_length=1, max_length=64)
    region: str = Field(..., min_length=1, max_length=40)
    results: list[ResultIn] = Field(..., max_length=20_000)


class ResultsOut(Schema):
    accepted: int
    duplicate: bool
    ignored: int


@router.post("/probe/results", response=ResultsOut, auth=RegionAuth())
def results(request: HttpRequest, payload: ResultsIn) -> dict[str, Any]:
    """Store a batch of results from this region. A batch id seen before is answered as a
    duplicate and stored nothing (the probe's earlier send got through, its answer did
    not). Results of monitors not assigned to the region are ignored and counted."""
    from ninja.errors import HttpError

    region: ProbeRegion = request.auth  # type: ignore[attr-defined]
    if payload.region != region.name:
        raise HttpError(
            403,
            f"this token belongs to region “{region.name}”, not “{payload.region}” / "
            f"此令牌属于区域“{region.name}”，不是“{payload.region}”",
        )
    allowed = {m.id for m in assigned_monitors(region.name)}
    items = [
        ingest.Result(r.monitor_id, region.name, r.at, r.ok, r.latency_ms, r.error[:300])
        for r in payload.results
        if r.monitor_id in allowed
    ]
    try:
        with transaction.atomic():
            ReceivedBatch.objects.create(
                region=region.name, batch_id=payload.batch_id, count=len(items)
            )
            ingest.ingest(items)
    except IntegrityError:
        return {"accepted": 0, "duplicate": True, "ignored": 0}
    return {
        "accepted": len(items),
        "duplicate": False,
        "ignored": len(payload.results) - len(items),
    }
