"""Changing the backup register: the only code that writes a backup entry or its reports.

An entry gets its own push monitor (monitoring.catalog.create_monitor): its period is the
backup's interval, its grace the entry's; the job calls the monitor's heartbeat URL with
``?size=<bytes>&checksum=<algorithm:hex>`` after each backup (``/fail`` when it failed).
A missed deadline or a failed backup turns the monitor down, which opens an incident like
any monitor (the alarm). Judged pings come back through monitoring's PUSH_RESULTS and are
kept as reports. A restore rehearsal is an upkeep plan made from the rehearsal template
(:func:`plan_restore_rehearsal`): its work orders record whether the data was restored, the
time it took and whether it was verified.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_noop

from baozhang.accounts.models import User
from baozhang.accounts.permissions import Capability, can
from baozhang.backups.models import BackupJob, BackupReport, EveryUnit, ReportKind
from baozhang.events.announce import Announcement
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said
from baozhang.monitoring import catalog
from baozhang.monitoring.models import MonitorKind
from baozhang.monitoring.push import ping_details
from baozhang.upkeep import services as upkeep

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.assets.models import Asset
    from baozhang.upkeep.models import Plan

    Actor = User | AnonymousUser | None

# Keeping backups is keeping equipment: the engineers' and directors' capability.
MANAGE = Capability.MANAGE_MAINTENANCE

FIELDS = (
    "name",
    "asset",
    "system",
    "what",
    "every",
    "every_unit",
    "grace_minutes",
    "retention_days",
    "location",
    "responsible",
    "active",
)
MAX_EVERY_HOURS = 24 * 366


def require_manager(actor: Actor) -> None:
    if actor is not None and not can(actor, MANAGE):
        raise PermissionDenied("无权管理备份登记 / you may not change the backup register")


def _check(values: dict[str, Any], pk: int | None) -> None:
    errors: dict[str, list[str]] = {}

    def bad(field: str, text: str) -> None:
        errors.setdefault(field, []).append(text)

    name = str(values.get("name") or "").strip()
    if not name:
        bad("name", "名称不能为空 / the name is required")
    elif BackupJob.objects.filter(name=name).exclude(pk=pk).exists():
        bad("name", f"已有同名备份 {name!r} / a backup named {name!r} exists already")
    if values.get("asset") is None and not str(values.get("system") or "").strip():
        bad("asset", "请选择资产或填写系统 / name the asset or the system backed up")
    for field, label in (
        ("what", "备份内容 / what is backed up"),
        ("location", "存放位置 / where"),
    ):
        if not str(values.get(field) or "").strip():
            bad(field, f"{label}：不能为空 / is required")
    unit = values.get("every_unit")
    every = values.get("every")
    if unit not in EveryUnit.values:
        bad(
            "every_unit",
            f"未知的单位 {unit!r}：hours 或 days / unknown unit {unit!r}: hours or days",
        )
    elif not isinstance(every, int) or every < 1:
        bad("every", f"频率应为正整数，而不是 {every!r} / every must be a whole number above 0")
    elif every * (24 if unit == EveryUnit.DAYS else 1) > MAX_EVERY_HOURS:
        bad("every", "频率不能超过一年 / at most once a year")
    retention = values.get("retention_days")
    if not isinstance(retention, int) or retention < 1:
        bad(
            "retention_days", "保留天数应为正整数 / the retention is a whole number of days above 0"
        )
    grace = values.get("grace_minutes")
    if not isinstance(grace, int) or grace < 0 or grace > 7 * 24 * 60:
        bad("grace_minutes", "宽限应为 0 到 10080 分钟 / the grace is 0 to 10080 minutes")
    person = values.get("responsible")
    if not isinstance(person, User) or not person.is_active:
        bad("responsible", "请指定负责人 / name the responsible person")
    if errors:
        raise ValidationError(errors)


def _monitor_fields(job: BackupJob) -> dict[str, Any]:
    return {
        # The backup's own name, typed by the operator: a prefix of ours in both languages
        # would be read as part of it wherever the monitor is named (incident titles).
        "name": job.name[:200],
        "push_period_s": int(job.interval.total_seconds()),
        "push_grace_s": job.grace_minutes * 60,
        "enabled": job.active,
    }


def _audit(job: BackupJob) -> dict[str, Any]:
    return snapshot(job, FIELDS)


@transaction.atomic
def create_job(actor: Actor, **fields: Any) -> BackupJob:
    """A new entry of the register with its heartbeat monitor."""
    require_manager(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({k: "未知字段 / unknown field" for k in sorted(unknown)})
    values = {"grace_minutes": 60, "active": True, "system": "", **fields}
    for key in ("name", "system", "what", "location"):
        values[key] = str(values.get(key) or "").strip()
    _check(values, None)
    job = BackupJob(**values)
    monitor = catalog.create_monitor(
        actor,
        kind=MonitorKind.PUSH,
        registered_assets=[job.asset] if job.asset is not None else [],
        **_monitor_fields(job),
    )
    job.monitor = monitor
    job.save()
    record(
        EventKind.CREATED,
        job,
        actor=actor,
        organisation=None,
        after=_audit(job),
        summary=said("backup registered: %(name)s", name=job.name[:300]),
    )
    return job


@transaction.atomic
def update_job(actor: Actor, job: BackupJob, **fields: Any) -> BackupJob:
    """Change some of an entry's values (those not given stay); its monitor follows."""
    require_manager(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({k: "未知字段 / unknown field" for k in sorted(unknown)})
    job = BackupJob.objects.select_for_update().get(pk=job.pk)
    before = _audit(job)
    values = {k: getattr(job, k) for k in FIELDS}
    values.update(fields)
    for key in ("name", "system", "what", "location"):
        values[key] = str(values.get(key) or "").strip()
    _check(values, job.pk)
    for key, value in values.items():
        setattr(job, key, value)
    job.save()
    catalog.update_monitor(actor, job.monitor, **_monitor_fields(job))
    old, new = changed(before, _audit(job))
    if new:
        record(
            EventKind.UPDATED,
            job,
            actor=actor,
            organisation=None,
            before=old,
            after=new,
            summary=said("backup changed: %(name)s", name=job.name[:300]),
        )
    return job


def on_push_results(announcement: Announcement) -> None:
    """Subscriber of monitoring's PUSH_RESULTS (BackupsConfig.ready): the judged pings and
    missed deadlines of a backup's monitor become its reports."""
    facts = announcement.payload
    job = BackupJob.objects.filter(monitor_id=facts["monitor_id"]).first()
    if job is None:
        return
    reports = []
    for result in facts["results"]:
        details = ping_details(result["message"])
        if result["missed"]:
            kind = ReportKind.MISSED
        elif result["ok"]:
            kind = ReportKind.SUCCEEDED
        else:
            kind = ReportKind.FAILED
        reports.append(
            BackupReport(
                job=job,
                at=result["at"],
                kind=kind,
                size=details.size,
                checksum=details.checksum,
                message=(details.text if not result["missed"] else result["message"])[:300],
            )
        )
    BackupReport.objects.bulk_create(reports)


# The restore rehearsal's checklist (恢复演练): restored or not, the time it took against the
# limit, the data verified. Each step is judged by upkeep's own rules (core/upkeep.py). The
# titles are messages of the catalogue (``title_said``), read in each reader's language.
def rehearsal_steps(limit_minutes: int) -> list[dict[str, Any]]:
    return [
        {
            "title": gettext_noop("Data restored"),
            "title_said": True,
            "requirement": "yes_no",
            "expected_yes": True,
        },
        {
            "title": gettext_noop("Time taken to restore"),
            "title_said": True,
            "requirement": "range",
            "low": Decimal(0),
            "high": Decimal(limit_minutes),
            "unit": "min",
        },
        {
            "title": gettext_noop("Data verified (checksum matches)"),
            "title_said": True,
            "requirement": "yes_no",
            "expected_yes": True,
        },
    ]


@transaction.atomic
def plan_restore_rehearsal(
    actor: Actor,
    job: BackupJob,
    *,
    period: str,
    starts_on: Any,
    team: list[User],
    limit_minutes: int,
    time_limit_days: int = 7,
    team_name: str = "",
    every_days: int | None = None,
) -> Plan:
    """An upkeep plan that rehearses restoring this backup on its asset: its work orders
    record the result (restored or not, time taken against ``limit_minutes``, data
    verified), signed and accepted like any work order."""
    require_manager(actor)
    if job.asset is None:
        raise ValidationError(
            {"asset": "恢复演练需要备份所属的资产 / a restore rehearsal needs the backup's asset"}
        )
    if limit_minutes < 1:
        raise ValidationError(
            {"limit_minutes": "时限应为正整数分钟 / the limit is a whole number of minutes above 0"}
        )
    asset: Asset = job.asset
    plan = upkeep.create_plan(
        actor,
        item_said=said("Restore rehearsal: %(name)s", name=job.name),
        description=f"{job.what} · {job.location}"[:1000],
        period=period,
        every_days=every_days,
        starts_on=starts_on,
        assets=[asset],
        team=team,
        team_name=team_name or str(job.responsible),
        time_limit_days=time_limit_days,
        steps=rehearsal_steps(limit_minutes),
    )
    job.rehearsal_plans.add(plan)
    record(
        EventKind.UPDATED,
        job,
        actor=actor,
        organisation=None,
        after={"rehearsal_plan": plan.pk},
        summary=said("restore rehearsal planned: %(name)s", name=job.name[:300]),
    )
    return plan
