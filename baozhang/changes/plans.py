"""The only code that changes emergency plans (应急预案, F10) and their drills: a plan per
kind of emergency (a new version when its content changes), drills scheduled and recorded
(date, participants, result, lessons). services.py re-exports these functions, so that one
grep for the verb still finds the one function. Refusals are ValidationErrors naming the
field, in both languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from baozhang.changes.models import Drill, DrillResult, EmergencyKind, EmergencyPlan
from baozhang.changes.rights import person_of, require_manager, require_staff
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

PLAN_FIELDS = ("name", "kind", "kind_detail", "content", "owner", "drill_interval_days", "active")


# -- emergency plans ------------------------------------------------------------------------


def _clean_plan(fields: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not str(fields.get("name") or "").strip():
        errors["name"] = ["请填写预案名称 / give the plan's name"]
    if fields.get("kind") not in EmergencyKind.values:
        errors["kind"] = [f"未知紧急事件类型 {fields.get('kind')!r} / unknown kind of emergency"]
    elif (
        fields.get("kind") == EmergencyKind.OTHER
        and not str(fields.get("kind_detail") or "").strip()
    ):
        errors["kind_detail"] = ["类型为“其他”时请说明 / say which emergency for “Other”"]
    if not str(fields.get("content") or "").strip():
        errors["content"] = ["请填写预案内容与步骤 / write the plan's content and steps"]
    if fields.get("owner") is None:
        errors["owner"] = ["请指定负责人 / name the owner"]
    interval = fields.get("drill_interval_days", 365)
    if not isinstance(interval, int) or not 1 <= interval <= 3660:
        errors["drill_interval_days"] = ["演练间隔为 1–3660 天 / the drill interval is 1–3660 days"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_plan(actor: Actor, **fields: Any) -> EmergencyPlan:
    """An emergency plan, version 1."""
    require_staff(actor)
    require_manager(actor)
    fields = {k: v for k, v in fields.items() if k in PLAN_FIELDS}
    _clean_plan(fields)
    plan = EmergencyPlan(**fields)
    plan.full_clean()
    plan.save()
    record(
        EventKind.CREATED,
        plan,
        actor=actor,
        organisation=None,
        after={"name": plan.name, "kind": plan.kind, "version": plan.version},
        summary=said("emergency plan %(name)s created", name=plan.name),
    )
    return plan


@transaction.atomic
def update_plan(actor: Actor, plan: EmergencyPlan, **fields: Any) -> EmergencyPlan:
    """Change a plan; a change of its content or kind makes a new version (the drills and
    incidents before it keep the version they used in their events)."""
    require_staff(actor)
    require_manager(actor)
    plan = EmergencyPlan.objects.select_for_update().get(pk=plan.pk)
    merged = {k: getattr(plan, k) for k in PLAN_FIELDS} | {
        k: v for k, v in fields.items() if k in PLAN_FIELDS
    }
    _clean_plan(merged)
    before = {k: str(getattr(plan, k)) for k in PLAN_FIELDS} | {"version": str(plan.version)}
    substantive = any(
        merged[k] != getattr(plan, k) for k in ("content", "kind", "kind_detail", "name")
    )
    for key, value in merged.items():
        setattr(plan, key, value)
    if substantive:
        plan.version += 1
    plan.full_clean()
    plan.save()
    after = {k: str(getattr(plan, k)) for k in PLAN_FIELDS} | {"version": str(plan.version)}
    keys = [k for k in after if before[k] != after[k]]
    record(
        EventKind.UPDATED,
        plan,
        actor=actor,
        organisation=None,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
        summary=said(
            "emergency plan %(name)s changed, version %(version)s",
            name=plan.name,
            version=plan.version,
        ),
    )
    return plan


@transaction.atomic
def schedule_drill(actor: Actor, plan: EmergencyPlan, *, scheduled_on: dt.date) -> Drill:
    """Schedule a drill of ``plan`` on a day."""
    require_manager(actor)
    if not isinstance(scheduled_on, dt.date):
        raise ValidationError({"scheduled_on": ["请填写日期 / give the date"]})
    drill = Drill.objects.create(plan=plan, scheduled_on=scheduled_on)
    record(
        EventKind.CREATED,
        drill,
        actor=actor,
        organisation=None,
        parent=plan,
        after={"scheduled_on": scheduled_on.isoformat()},
        summary=said("drill scheduled on %(date)s", date=scheduled_on.isoformat()),
    )
    return drill


@transaction.atomic
def record_drill(
    actor: Actor,
    plan: EmergencyPlan,
    *,
    held_on: dt.date,
    participants: str,
    result: str,
    lessons: str = "",
    drill: Drill | None = None,
    today: dt.date | None = None,
) -> Drill:
    """Record a drill held: on a day not in the future, who took part, the result and the
    lessons learned. ``drill`` is the scheduled one it fulfils; else a drill is added."""
    require_manager(actor)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not isinstance(held_on, dt.date):
        errors["held_on"] = ["请填写演练日期 / give the day the drill was held"]
    elif held_on > today:
        errors["held_on"] = ["演练日期不能在将来 / a drill is recorded once held, not ahead"]
    if not (participants or "").strip():
        errors["participants"] = ["请填写参加人员 / name the participants"]
    if result not in DrillResult.values:
        errors["result"] = ["请选择演练结果 / choose the drill's result"]
    if drill is not None and (drill.plan_id != plan.pk or drill.held_on is not None):
        errors["drill"] = [
            "该演练不属于此预案或已记录 / that drill is not this plan's or is recorded"
        ]
    if errors:
        raise ValidationError(errors)
    if drill is None:
        drill = Drill(plan=plan, scheduled_on=held_on)
    drill.held_on = held_on
    drill.plan_version = plan.version
    drill.participants = participants.strip()
    drill.result = result
    drill.lessons = (lessons or "").strip()
    drill.recorded_by = person_of(actor)
    drill.recorded_at = timezone.now()
    drill.save()
    record(
        EventKind.UPDATED,
        drill,
        actor=actor,
        organisation=None,
        parent=plan,
        after={"held_on": held_on.isoformat(), "result": result},
        summary=said("drill held on %(date)s recorded", date=held_on.isoformat()),
    )
    return drill
