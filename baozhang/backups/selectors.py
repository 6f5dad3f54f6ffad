"""Reading the backup register: the operator's staff read it, nobody else; each entry's
state (its monitor), its last report and the share of its intervals that had a successful
backup over a period (core/frequency.py, the same rule as the agreements' frequency
target)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from baozhang.accounts.permissions import is_operator_staff
from baozhang.backups.models import BackupJob, BackupReport, ReportKind
from baozhang.core.frequency import IntervalShare, interval_share
from baozhang.upkeep.models import Outcome, WorkOrder, WorkRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.assets.models import Asset


def visible_jobs(user: User | AnonymousUser) -> QuerySet[BackupJob]:
    qs = BackupJob.objects.select_related("asset", "responsible", "monitor")
    return qs if is_operator_staff(user) else qs.none()


def get_job(user: User | AnonymousUser, pk: int) -> BackupJob:
    try:
        return visible_jobs(user).get(pk=pk)
    except BackupJob.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class JobFigures:
    last: BackupReport | None
    last_success: BackupReport | None
    share: IntervalShare


def figures_of(job: BackupJob, start: dt.datetime, now: dt.datetime) -> JobFigures:
    """The entry's last report and last success, and the share of its intervals from
    ``start`` (or its creation, if later) to ``now`` that had a successful backup."""
    begin = max(start, job.created_at)
    successes = list(
        job.reports.filter(kind=ReportKind.SUCCEEDED, at__gte=begin, at__lt=now).values_list(
            "at", flat=True
        )
    )
    share = (
        interval_share(begin, now, job.interval, successes, now)
        if now > begin
        else IntervalShare(0, 0, ())
    )
    return JobFigures(
        last=job.reports.order_by("-at", "-id").first(),
        last_success=job.reports.filter(kind=ReportKind.SUCCEEDED).order_by("-at", "-id").first(),
        share=share,
    )


def asset_backups(request: HttpRequest, asset: Asset) -> dict[str, object]:
    """The backups of an asset, for its page (assets/asset_page.py; staff only)."""
    if not is_operator_staff(request.user):
        return {}
    return {
        "sections": ["backups/_asset_section.html"],
        "asset_backup_jobs": list(visible_jobs(request.user).filter(asset=asset)),
    }


@dataclass(frozen=True)
class Rehearsal:
    """One restore rehearsal (a work order of a rehearsal plan) with its result, read from
    the latest version of its original record: restored (yes/no), minutes taken, data
    verified, and whether every step passed. None where nothing is recorded yet."""

    order: WorkOrder
    version: int | None
    restored: bool | None
    minutes: Decimal | None
    verified: bool | None
    passed: bool | None


def rehearsals_of(job: BackupJob, limit: int = 50) -> list[Rehearsal]:
    """The backup's restore rehearsals, latest period first, with their results: three
    queries whatever their number."""
    orders = list(
        WorkOrder.objects.filter(plan__in=job.rehearsal_plans.all())
        .select_related("plan", "asset", "performed_by", "accepted_by")
        .order_by("-period_start", "-pk")[:limit]
    )
    latest: dict[int, WorkRecord] = {}
    for record in (
        WorkRecord.objects.filter(work_order__in=orders)
        .prefetch_related("readings")
        .order_by("work_order_id", "version")
    ):
        latest[record.work_order_id] = record
    out = []
    for order in orders:
        record = latest.get(order.pk)
        readings = {r.position: r for r in record.readings.all()} if record else {}
        out.append(
            Rehearsal(
                order=order,
                version=record.version if record else None,
                restored=readings[1].answer if 1 in readings else None,
                minutes=readings[2].number if 2 in readings else None,
                verified=readings[3].answer if 3 in readings else None,
                passed=all(r.outcome == Outcome.PASS for r in readings.values())
                if readings
                else None,
            )
        )
    return out


def rehearsed_backups(request: HttpRequest, order: WorkOrder) -> dict[str, object]:
    """The backup a restore rehearsal rehearses, for the work order's page
    (upkeep/order_page.py; staff only)."""
    if not is_operator_staff(request.user):
        return {}
    jobs = list(visible_jobs(request.user).filter(rehearsal_plans=order.plan_id))
    if not jobs:
        return {}
    return {"sections": ["backups/_rehearsal_section.html"], "rehearsed_backups": jobs}
