"""API of the backup register (/api/v1/backups…). Thin: every step is a service or
selector. The operator's staff read it, anyone else gets 404; changes need the capability
of keeping equipment; a refusal is a 422 with the project's JSON error, in both languages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import User
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Date, DateTime, Id
from baozhang.assets.models import Asset
from baozhang.backups import services
from baozhang.backups.models import BackupJob, EveryUnit, ReportKind
from baozhang.backups.selectors import figures_of, get_job, visible_jobs
from baozhang.monitoring.catalog import push_url
from baozhang.upkeep.models import Period

router = Router(tags=["backups"])

MAX_INT = 2**31 - 1


class BackupOut(Schema):
    id: int
    name: str
    asset_id: int | None
    system: str
    what: str
    every: int
    every_unit: EveryUnit
    grace_minutes: int
    retention_days: int
    location: str
    responsible_id: int
    active: bool
    monitor_id: int
    state: str
    ping_url: str
    rehearsal_plan_ids: list[int]

    @staticmethod
    def resolve_state(obj: BackupJob) -> str:
        return str(obj.monitor.status)

    @staticmethod
    def resolve_ping_url(obj: BackupJob) -> str:
        return push_url(obj.monitor)

    @staticmethod
    def resolve_rehearsal_plan_ids(obj: BackupJob) -> list[int]:
        return sorted(p.pk for p in obj.rehearsal_plans.all())


class BackupIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    asset_id: Id | None = None
    system: str = Field("", max_length=200)
    what: str = Field(..., min_length=1, max_length=300)
    every: int = Field(..., ge=1, le=MAX_INT)
    every_unit: EveryUnit
    grace_minutes: int = Field(60, ge=0, le=10080)
    retention_days: int = Field(..., ge=1, le=MAX_INT)
    location: str = Field(..., min_length=1, max_length=300)
    responsible_id: Id
    active: bool = True


class BackupPatch(PatchIn):
    nullable = frozenset({"asset_id"})

    name: str | None = Field(None, min_length=1, max_length=200)
    asset_id: Id | None = None
    system: str | None = Field(None, max_length=200)
    what: str | None = Field(None, min_length=1, max_length=300)
    every: int | None = Field(None, ge=1, le=MAX_INT)
    every_unit: EveryUnit | None = None
    grace_minutes: int | None = Field(None, ge=0, le=10080)
    retention_days: int | None = Field(None, ge=1, le=MAX_INT)
    location: str | None = Field(None, min_length=1, max_length=300)
    responsible_id: Id | None = None
    active: bool | None = None


class ReportOut(Schema):
    at: dt.datetime
    kind: ReportKind
    size: int | None
    checksum: str
    message: str


class ReportsOut(Schema):
    since: dt.datetime
    covered: int
    judged: int
    share_percent: Decimal | None
    reports: list[ReportOut]


class RehearsalIn(Schema):
    period: Period
    every_days: int | None = Field(None, ge=1, le=3660)
    starts_on: Date
    limit_minutes: int = Field(..., ge=1, le=100_000)
    team_ids: list[Id] = Field(..., min_length=1, max_length=100)


class RehearsalOut(Schema):
    plan_id: int


def _one(model: Any, pk: int, field: str, **extra: Any) -> Any:
    found = model.objects.filter(pk=pk, **extra).first()
    if found is None:
        raise ValidationError({field: f"没有编号 {pk} / no such id: {pk}"})
    return found


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "asset_id" in out:
        pk = out.pop("asset_id")
        out["asset"] = None if pk is None else _one(Asset, pk, "asset_id")
    if "responsible_id" in out:
        out["responsible"] = _one(User, out.pop("responsible_id"), "responsible_id", is_active=True)
    return out


def _full(pk: int) -> BackupJob:
    return (
        BackupJob.objects.select_related("monitor").prefetch_related("rehearsal_plans").get(pk=pk)
    )


@router.get("/backups", response=list[BackupOut])
@paginate(Pages, page_size=100)
def list_backups(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The backup register, by name (operator staff only; others see none)."""
    return visible_jobs(request.auth).prefetch_related("rehearsal_plans")  # type: ignore[attr-defined]


@router.get("/backups/{backup_id}", response=BackupOut)
def get_backup(request: HttpRequest, backup_id: Id):  # type: ignore[no-untyped-def]
    return _full(get_job(request.auth, backup_id).pk)  # type: ignore[attr-defined]


@router.post("/backups", response={201: BackupOut})
def create_backup(request: HttpRequest, payload: BackupIn):  # type: ignore[no-untyped-def]
    """Register a backup; its heartbeat URL is ``ping_url`` in the answer."""
    services.require_manager(request.auth)  # type: ignore[attr-defined]
    job = services.create_job(request.auth, **_resolve(payload.dict()))  # type: ignore[attr-defined]
    return Status(201, _full(job.pk))


@router.patch("/backups/{backup_id}", response=BackupOut)
def update_backup(request: HttpRequest, backup_id: Id, payload: BackupPatch):  # type: ignore[no-untyped-def]
    job = get_job(request.auth, backup_id)  # type: ignore[attr-defined]
    services.require_manager(request.auth)  # type: ignore[attr-defined]
    services.update_job(request.auth, job, **_resolve(payload.dict(exclude_unset=True)))  # type: ignore[attr-defined]
    return _full(job.pk)


@router.get("/backups/{backup_id}/reports", response=ReportsOut)
def backup_reports(request: HttpRequest, backup_id: Id, since: DateTime | None = None):  # type: ignore[no-untyped-def]
    """The latest 500 reports and the share of intervals since ``since`` (default: the
    start of this month) that had a successful backup."""
    job = get_job(request.auth, backup_id)  # type: ignore[attr-defined]
    now = timezone.now()
    start = since or timezone.localtime(now).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    figures = figures_of(job, start, now)
    return {
        "since": start,
        "covered": figures.share.covered,
        "judged": figures.share.judged,
        "share_percent": figures.share.share,
        "reports": list(job.reports.order_by("-at", "-id")[:500]),
    }


@router.post("/backups/{backup_id}/restore-rehearsals", response={201: RehearsalOut})
def plan_rehearsal(request: HttpRequest, backup_id: Id, payload: RehearsalIn):  # type: ignore[no-untyped-def]
    """Plan restore rehearsals: an upkeep plan on the backup's asset whose work orders
    record restored or not, the time taken and the data verified."""
    job = get_job(request.auth, backup_id)  # type: ignore[attr-defined]
    team = [_one(User, pk, "team_ids", is_active=True) for pk in payload.team_ids]
    plan = services.plan_restore_rehearsal(
        request.auth,  # type: ignore[attr-defined]
        job,
        period=payload.period,
        every_days=payload.every_days,
        starts_on=payload.starts_on,
        team=team,
        limit_minutes=payload.limit_minutes,
    )
    return Status(201, {"plan_id": plan.pk})
