"""The only code that changes maintenance plans and work orders. One function per action;
each owns its transaction and records its events.

- :func:`create_plan`, :func:`update_plan`: a plan and its checklist, checked here (the
  period, the calendar, the requirement of every step through core/upkeep.py).
- :func:`generate`: the work orders of the periods ahead; idempotent (one work order per
  plan, asset and period, a unique key: a second run, or two workers at once, add nothing).
- :func:`record_work`: one version of the original record (measured values, verdicts,
  remarks, photos, the performer's signature); a correction is a new version with its
  reason. A step that fails is announced (topics.STEP_FAILED) and the incidents area opens
  a fault on the asset.
- :func:`accept`: acceptance (验收) by a second person, refused to anyone who recorded it.

Refusals are ValidationErrors naming the field, in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from baozhang.accounts.models import User
from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.assets.models import Asset
from baozhang.calendars.selectors import calendar_for
from baozhang.core import upkeep as core
from baozhang.core.calendar import Calendar
from baozhang.events.announce import announce
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import Said, in_english, said
from baozhang.upkeep.models import (
    OrderStatus,
    Outcome,
    Plan,
    PlanStep,
    Reading,
    WorkOrder,
    WorkRecord,
)
from baozhang.upkeep.photos import keep_photos, photo_errors
from baozhang.upkeep.topics import STEP_FAILED

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

# Keeping equipment: the engineers' and directors' work (the same people who keep the
# asset register and schedule maintenance windows).
MANAGE = Capability.MANAGE_MAINTENANCE

MAX_STEPS = 50

PLAN_FIELDS = (
    "item",
    "description",
    "period",
    "every_days",
    "calendar_key",
    "starts_on",
    "team_name",
    "time_limit_days",
    "lead_days",
    "warn_hours",
    "active",
)
STEP_FIELDS = ("title", "requirement", "low", "high", "target", "tolerance", "expected_yes", "unit")


def require_manager(actor: Actor) -> None:
    if actor is not None and not can(actor, MANAGE):
        raise PermissionDenied("无权维护作业 / you may not do maintenance work")


def require_staff(actor: Actor) -> None:
    if actor is not None and not is_operator_staff(actor):
        raise PermissionDenied("仅限运营方员工 / the operator's staff only")


# -- plans ---------------------------------------------------------------------------------


def requirement_of(step: PlanStep | Mapping[str, Any]) -> core.Requirement:
    """The core requirement of a step (a model row or its fields). Raises ValueError."""

    def get(name: str) -> Any:
        return step.get(name) if isinstance(step, Mapping) else getattr(step, name)

    def dec(name: str) -> Decimal | None:
        value = get(name)
        return None if value is None or value == "" else Decimal(value)

    return core.Requirement(
        core.RequirementKind(get("requirement")),
        low=dec("low"),
        high=dec("high"),
        target=dec("target"),
        tolerance=dec("tolerance") or Decimal(0),
        expected_yes=get("expected_yes"),
    )


def calendar_of(plan: Plan) -> Calendar | None:
    return calendar_for(plan.calendar_key) if plan.calendar_key else None


def zone_of(plan: Plan) -> ZoneInfo:
    calendar = calendar_of(plan)
    return calendar.tz if calendar is not None else ZoneInfo(settings.TIME_ZONE)


def _clean_plan(fields: Mapping[str, Any], steps: Sequence[Mapping[str, Any]]) -> list[dict]:
    errors: dict[str, list[str]] = {}
    period = fields.get("period")
    if period not in {p.value for p in core.PeriodKind}:
        errors["period"] = [f"未知周期 {period!r} / unknown period {period!r}"]
    elif period == core.PeriodKind.EVERY_N_DAYS and not fields.get("every_days"):
        errors["every_days"] = ["“每 N 天”需要填写 N / “every N days” needs N"]
    key = fields.get("calendar_key") or ""
    if key:
        try:
            calendar_for(key)
        except KeyError as exc:
            errors["calendar_key"] = [str(exc.args[0])]
    if not fields.get("time_limit_days"):
        errors["time_limit_days"] = ["时限至少 1 天 / the time limit is at least 1 day"]
    if not fields.get("item", "").strip():
        errors["item"] = ["请填写维护项目 / give the maintenance item"]
    if not fields.get("team_name", "").strip():
        errors["team_name"] = ["请填写负责班组 / give the responsible team"]
    if not steps:
        errors["steps"] = ["至少需要一个检查步骤 / a plan needs at least one checklist step"]
    if len(steps) > MAX_STEPS:
        errors["steps"] = [f"最多 {MAX_STEPS} 个步骤 / at most {MAX_STEPS} steps"]
    cleaned: list[dict] = []
    for n, step in enumerate(steps, start=1):
        title = str(step.get("title") or "").strip()
        if not title:
            errors.setdefault("steps", []).append(f"第 {n} 步没有名称 / step {n} has no title")
            continue
        try:
            requirement_of(step)
        except (ValueError, InvalidOperation) as exc:
            # core says "English / 中文": each half gets its own step number
            en, _glue, zh = str(exc).partition(" / ")
            errors.setdefault("steps", []).append(f"第 {n} 步：{zh or en} / step {n}: {en}")
            continue
        cleaned.append(
            {k: step.get(k) for k in STEP_FIELDS}
            | {"title": title[:200], "title_said": bool(step.get("title_said"))}
        )
    if errors:
        raise ValidationError(errors)
    for step in cleaned:
        step["tolerance"] = step.get("tolerance") or Decimal(0)
        step["unit"] = (step.get("unit") or "")[:20]
        if step["requirement"] != core.RequirementKind.YES_NO:
            step["expected_yes"] = None
    return cleaned


def _set_relations(
    plan: Plan, assets: Iterable[Asset], team: Iterable[User], supervisors: Iterable[User]
) -> None:
    assets, team = list(assets), list(team)
    errors = {}
    if not assets:
        errors["assets"] = ["至少选择一项资产 / choose at least one asset"]
    if not team:
        errors["team"] = ["班组至少一人 / the team needs at least one member"]
    if errors:
        raise ValidationError(errors)
    plan.assets.set(assets)
    plan.team.set(team)
    plan.supervisors.set(list(supervisors))


def _set_steps(plan: Plan, steps: list[dict]) -> None:
    # The steps are the plan's current method; readings already written keep their own
    # copy of each step's title and requirement, so replacing them rewrites no record.
    plan.steps.all().delete()
    PlanStep.objects.bulk_create(
        PlanStep(plan=plan, position=n, **step) for n, step in enumerate(steps, start=1)
    )


@transaction.atomic
def create_plan(
    actor: Actor,
    *,
    assets: Iterable[Asset],
    team: Iterable[User],
    supervisors: Iterable[User] = (),
    steps: Sequence[Mapping[str, Any]],
    item_said: Said | None = None,
    **fields: Any,
) -> Plan:
    """A maintenance plan. ``item_said``: an item the platform writes (a backup's restore
    rehearsal), stored as a message read in each reader's language; a step whose
    ``title_said`` is true has a message of the catalogue as its title, likewise."""
    require_manager(actor)
    if item_said is not None:
        fields["item"] = in_english(item_said)
    cleaned = _clean_plan(fields, steps)
    plan = Plan(**{k: v for k, v in fields.items() if k in PLAN_FIELDS})
    if item_said is not None:
        # The platform's own item: the message in English as ``item``, read in each
        # reader's language from the message and its parameters.
        plan.item = in_english(item_said)[:200]
        plan.item_said, plan.item_params = item_said.msgid, item_said.stored_params()
    plan.created_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    plan.full_clean()
    plan.save()
    _set_relations(plan, assets, team, supervisors)
    _set_steps(plan, cleaned)
    record(
        EventKind.CREATED,
        plan,
        actor=actor,
        organisation=None,
        after={"item": plan.item, "period": plan.period, "steps": len(cleaned)},
        summary=said("maintenance plan created"),
    )
    return plan


@transaction.atomic
def update_plan(
    actor: Actor,
    plan: Plan,
    *,
    assets: Iterable[Asset],
    team: Iterable[User],
    supervisors: Iterable[User] = (),
    steps: Sequence[Mapping[str, Any]],
    **fields: Any,
) -> Plan:
    """Change a plan. Work orders already generated keep their periods and time limits;
    the next generation follows the new plan."""
    require_manager(actor)
    cleaned = _clean_plan({**{k: getattr(plan, k) for k in PLAN_FIELDS}, **fields}, steps)
    # A step title or item of the platform's kept as it was stays its message (read in
    # each reader's language); one the operator retyped is their text from now on.
    said_titles = set(plan.steps.filter(title_said=True).values_list("title", flat=True))
    for step in cleaned:
        step["title_said"] = step["title_said"] or step["title"] in said_titles
    if "item" in fields and fields["item"] != plan.item:
        plan.item_said, plan.item_params = "", None
    before = {k: getattr(plan, k) for k in PLAN_FIELDS}
    for key, value in fields.items():
        if key in PLAN_FIELDS:
            setattr(plan, key, value)
    plan.full_clean()
    plan.save()
    _set_relations(plan, assets, team, supervisors)
    _set_steps(plan, cleaned)
    after = {k: getattr(plan, k) for k in PLAN_FIELDS}
    keys = [k for k in after if before[k] != after[k]]
    record(
        EventKind.UPDATED,
        plan,
        actor=actor,
        organisation=None,
        before={k: str(before[k]) for k in keys},
        after={k: str(after[k]) for k in keys} | {"steps": len(cleaned)},
        summary=said("maintenance plan changed"),
    )
    return plan


# -- generating work orders ---------------------------------------------------------------


def _assignee(asset: Asset, team: list[User]) -> User | None:
    """The asset's first responsible person who is on the team, else the team's first."""
    members = {u.pk: u for u in team}
    for person in sorted(asset.responsible.all(), key=lambda u: u.username):
        if person.pk in members:
            return members[person.pk]
    return team[0] if team else None


def generate_for_plan(plan: Plan, now: dt.datetime, until: dt.date | None = None) -> int:
    """Create the missing work orders of ``plan`` for the periods running today or
    starting up to its lead days ahead (or up to ``until``). Returns how many were
    created; 0 on a second run."""
    if not plan.active:
        return 0
    calendar = calendar_of(plan)
    tz = calendar.tz if calendar is not None else ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    last = until or today + dt.timedelta(days=plan.lead_days)
    working = (lambda day: bool(calendar.day(day).spans)) if calendar is not None else None
    spans = core.periods(
        plan.period,
        plan.starts_on,
        today,
        last,
        every=plan.every_days,
        working=working,
    )
    if not spans:
        return 0
    assets = list(plan.assets.prefetch_related("responsible"))
    team = sorted(plan.team.filter(is_active=True), key=lambda u: u.username)
    existing = set(
        WorkOrder.objects.filter(
            plan=plan, period_start__gte=spans[0][0], period_start__lte=spans[-1][0]
        ).values_list("asset_id", "period_start")
    )
    assignees = {asset.pk: _assignee(asset, team) for asset in assets}  # once per asset
    new: list[WorkOrder] = []
    for start, end in spans:
        due = core.due_at(start, plan.time_limit_days, tz, calendar)
        warn = core.warn_at(due, dt.datetime.combine(start, dt.time(), tz), plan.warn_hours)
        for asset in assets:
            if (asset.pk, start) in existing:
                continue
            new.append(
                WorkOrder(
                    plan=plan,
                    asset=asset,
                    period_start=start,
                    period_end=end,
                    due_at=due,
                    warn_at=warn,
                    assignee=assignees[asset.pk],
                )
            )
    # The unique key (plan, asset, period) settles a race with another worker: the loser's
    # rows are ignored, never doubled.
    for chunk in range(0, len(new), 1000):
        WorkOrder.objects.bulk_create(new[chunk : chunk + 1000], ignore_conflicts=True)
    return len(new)


def generate(
    now: dt.datetime,
    *,
    until: dt.date | None = None,
    plans: Iterable[Plan] | None = None,
    progress: Callable[[Plan], None] | None = None,
) -> int:
    """The missing work orders of every active plan (or of ``plans``); each plan in its
    own transaction. Returns how many were created."""
    created = 0
    chosen = list(plans) if plans is not None else list(Plan.objects.filter(active=True))
    for plan in chosen:
        if progress is not None:
            progress(plan)
        with transaction.atomic():
            created += generate_for_plan(plan, now, until)
    return created


# -- recording and accepting ----------------------------------------------------------------


def _parse_value(step: PlanStep, raw: Any) -> Decimal | bool | None:
    """A typed or posted value for ``step``: a number for a measured step, yes/no for a
    yes/no step, None when left empty. Raises ValueError (bilingual)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if step.requirement == core.RequirementKind.YES_NO:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"yes", "true", "1", "是", "y"}:
            return True
        if text in {"no", "false", "0", "否", "n"}:
            return False
        raise ValueError(f"“{raw}”不是“是”或“否” / “{raw}” is not yes or no")
    if isinstance(raw, bool):
        raise ValueError(f"“{raw}”不是数值 / “{raw}” is not a number")
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"“{raw}”不是数值 / “{raw}” is not a number") from None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 10:
        raise ValueError(f"“{raw}”不是可用的测量值 / “{raw}” is not a usable measurement")
    return value.quantize(Decimal("0.0001"))


def _lock(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("plan", "asset").get(pk=order.pk)


@transaction.atomic
def record_work(
    actor: User,
    order: WorkOrder,
    *,
    values: Mapping[int, Any],
    remarks: str = "",
    sign: bool = False,
    reason: str = "",
    photos: Sequence[tuple[str, str, bytes]] = (),
    now: dt.datetime | None = None,
) -> WorkRecord:
    """Write the next version of ``order``'s original record: ``values`` by step position
    (a number, yes/no, or empty for not measured), remarks, photos (file name, content
    type, bytes) and, with ``sign``, the performer's signature. Version 1 is the original;
    a later version is a correction and needs its ``reason``. Earlier versions are never
    changed. Each step that fails (and did not fail in the version before) is announced,
    so that a fault is opened on the asset."""
    require_manager(actor)
    now = now or timezone.now()
    order = _lock(order)
    steps = list(order.plan.steps.order_by("position"))
    latest = order.records.order_by("-version").first()
    version = (latest.version if latest else 0) + 1
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if latest is not None and not reason:
        errors["reason"] = [
            "更正原始记录须说明原因（原记录保留） / a correction of the original record needs "
            "its reason (the original stays)"
        ]
    if problems := photo_errors(photos):
        errors["photos"] = problems
    known = {s.position for s in steps}
    unknown = sorted(k for k in values if k not in known)
    if unknown:
        errors["values"] = [
            f"计划中没有第 {unknown[0]} 步 / the plan has no step {unknown[0]} "
            f"(steps 1–{len(steps)})"
        ]
    parsed: dict[int, Decimal | bool | None] = {}
    for step in steps:
        try:
            parsed[step.position] = _parse_value(step, values.get(step.position))
        except ValueError as exc:
            errors.setdefault(f"step_{step.position}", []).append(f"{step.title}: {exc}")
    if errors:
        raise ValidationError(errors)
    work = WorkRecord.objects.create(
        work_order=order,
        version=version,
        recorded_by=actor,
        recorded_at=now,
        signed=bool(sign),
        remarks=(remarks or "").strip(),
        reason=reason,
    )
    before = {r.position: r.outcome for r in latest.readings.all()} if latest is not None else {}
    readings = []
    for step in steps:
        value = parsed[step.position]
        requirement = requirement_of(step)
        readings.append(
            Reading(
                record=work,
                step=step,
                position=step.position,
                title=step.title,
                title_said=step.title_said,
                requirement_text=requirement.text(step.unit)[:100],
                number=value if isinstance(value, Decimal) else None,
                answer=value if isinstance(value, bool) else None,
                outcome=core.judge(requirement, value).value,
            )
        )
    Reading.objects.bulk_create(readings)
    keep_photos(work, photos)
    if sign and order.performed_at is None:
        order.performed_by = actor
        order.performed_at = now
    if sign and order.status == OrderStatus.OPEN:
        order.status = OrderStatus.RECORDED
    order.save(update_fields=["performed_by", "performed_at", "status"])
    failed = [r for r in readings if r.outcome == Outcome.FAIL]
    record(
        EventKind.UPDATED if version > 1 else EventKind.CREATED,
        work,
        actor=actor,
        organisation=None,
        parent=order,
        object_label=f"{order.reference} v{version}",
        after={
            "version": version,
            "signed": bool(sign),
            "failed": [r.title for r in failed],
            "missing": [r.title for r in readings if r.outcome == Outcome.MISSING],
        }
        | ({"reason": reason} if reason else {}),
        summary=said("original record corrected")
        if version > 1
        else said("original record written"),
        at=now,
    )
    for reading in failed:
        if before.get(reading.position) == Outcome.FAIL:
            continue  # the fault was announced with the version before
        announce(
            STEP_FAILED,
            work_order_id=order.pk,
            reference=order.reference,
            version=version,
            asset_id=order.asset_id,
            asset_name=order.asset.name,
            plan_item=order.plan.item,
            step=reading.title,
            measured=reading_text(reading),
            requirement=reading.requirement_text,
            recorded_by_id=actor.pk,
            at=now,
        )
    return work


def reading_text(reading: Reading) -> str:
    """The measured value as written in the record: a number, yes/no, or empty."""
    if reading.answer is not None:
        return "yes / 是" if reading.answer else "no / 否"
    if reading.number is not None:
        return format(reading.number.normalize(), "f")
    return ""


@transaction.atomic
def accept(
    actor: User, order: WorkOrder, *, remark: str = "", now: dt.datetime | None = None
) -> WorkOrder:
    """Accept (验收) the signed record of ``order``: by a second person who recorded no
    version of it. The acceptance names the version it accepted."""
    require_manager(actor)
    now = now or timezone.now()
    order = _lock(order)
    latest = order.records.order_by("-version").first()
    if order.status == OrderStatus.ACCEPTED and latest and order.accepted_version == latest.version:
        raise ValidationError(
            {"status": ["该工单已验收 / this work order has been accepted already"]}
        )
    if order.performed_at is None or latest is None:
        raise ValidationError(
            {
                "status": [
                    "执行人尚未签字，不能验收 / the performer has not signed the record yet; "
                    "nothing to accept"
                ]
            }
        )
    authors = set(order.records.values_list("recorded_by_id", flat=True)) | {order.performed_by_id}
    if actor.pk in authors:
        raise ValidationError(
            {
                "accepted_by": [
                    "验收须由未执行该工单的另一人签字 / the acceptance must be signed by "
                    "someone who did not perform this work order"
                ]
            }
        )
    order.status = OrderStatus.ACCEPTED
    order.accepted_by = actor
    order.accepted_at = now
    order.accepted_version = latest.version
    order.acceptance_remark = (remark or "").strip()
    order.save(
        update_fields=[
            "status",
            "accepted_by",
            "accepted_at",
            "accepted_version",
            "acceptance_remark",
        ]
    )
    record(
        EventKind.STATE_CHANGED,
        order,
        actor=actor,
        organisation=None,
        object_label=order.reference,
        before={"status": OrderStatus.RECORDED.value},
        after={"status": OrderStatus.ACCEPTED.value, "version": latest.version},
        summary=said("work order accepted"),
        at=now,
    )
    return order


def next_version(order: WorkOrder) -> int:
    return (order.records.aggregate(v=Max("version"))["v"] or 0) + 1
