"""The only code that changes change requests, emergency plans and drills.
One function per action; each owns its transaction and records its event.

Change requests (软件修改制度, S6, M3, I2):

- :func:`create_change`, :func:`update_change` (a draft or a submitted change): what, why,
  risk, the services, customers and assets affected, the rollback plan, the planned time.
  Work planned outside the low-usage period of an affected service (by default 00:00–06:00
  local, core/changes.py) needs its stated reason (M3: upgrades at night).
- :func:`submit`, :func:`approve` / :func:`reject`, :func:`implement`, :func:`review`,
  :func:`cancel`: the states. The approver is never the requester. A change that affects
  customers (names customers, or a service that has customers) is approved and implemented
  only inside a scheduled maintenance window, linked to it, that covers the planned time,
  lists every affected service and reaches every affected customer (the window gave them
  its 24 hours' notice, maintenance/services.py).
- :func:`record_unauthorised`: a change found done without approval, recorded after the
  fact; stored as implemented and unauthorised, listed and counted (selectors).

Emergency plans (应急预案, F10): :func:`create_plan`, :func:`update_plan` (a new version when
its content changes), :func:`schedule_drill`, :func:`record_drill`.

Low-usage periods are read and set in low_usage.py.

Refusals are ValidationErrors naming the field, in both languages ("中文 / English").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from baozhang.accounts.models import Organisation
from baozhang.assets.models import Asset
from baozhang.catalog.models import Service
from baozhang.changes.low_usage import services_outside_low_usage
from baozhang.changes.models import (
    ChangeKind,
    ChangeRequest,
    ChangeResult,
    ChangeState,
    Risk,
)
from baozhang.changes.plans import (
    PLAN_FIELDS,
    create_plan,
    record_drill,
    schedule_drill,
    update_plan,
)
from baozhang.changes.rights import MANAGE, person_of, require_manager, require_staff
from baozhang.core import changes as core
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

CHANGE_FIELDS = (
    "title",
    "kind",
    "reason",
    "description",
    "risk",
    "rollback_plan",
    "planned_start",
    "planned_end",
    "outside_low_usage_reason",
    "maintenance_window",
)
#: How far after the moment it is recorded an implementation may be dated: none (a record
#: of what was done), give or take a clock a few minutes fast.
FUTURE_SLACK = dt.timedelta(minutes=5)


def _local(t: dt.datetime) -> str:
    return f"{t.astimezone(ZoneInfo(settings.TIME_ZONE)):%Y-%m-%d %H:%M}"


# -- change requests ------------------------------------------------------------------------


def _clean_change(fields: Mapping[str, Any], services: list[Service]) -> None:
    errors: dict[str, list[str]] = {}
    for name, zh, en in (
        ("title", "请填写变更内容", "say what is changed"),
        ("reason", "请填写变更原因", "say why"),
        ("rollback_plan", "请填写回退方案", "give the rollback plan"),
    ):
        if not str(fields.get(name) or "").strip():
            errors[name] = [f"{zh} / {en}"]
    if fields.get("kind") not in ChangeKind.values:
        errors["kind"] = [f"未知变更类型 {fields.get('kind')!r} / unknown kind of change"]
    if fields.get("risk") not in Risk.values:
        errors["risk"] = ["风险须为低、中或高 / the risk is low, medium or high"]
    start, end = fields.get("planned_start"), fields.get("planned_end")
    times_ok = True
    for name, value in (("planned_start", start), ("planned_end", end)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors[name] = [
                "须为带时区的时间，例如 2026-10-03T02:00:00+08:00 / a date and time with its "
                "UTC offset, e.g. 2026-10-03T02:00:00+08:00"
            ]
            times_ok = False
    if times_ok and end <= start:  # type: ignore[operator]
        errors["planned_end"] = ["计划结束须晚于计划开始 / the planned end must be after the start"]
        times_ok = False
    if times_ok and not str(fields.get("outside_low_usage_reason") or "").strip():
        outside = services_outside_low_usage(services, start, end)  # type: ignore[arg-type]
        if outside:
            names = "、".join(str(s) for s in outside if s is not None)
            names_en = ", ".join(str(s) for s in outside if s is not None)
            where_zh = f"（{names}）" if names else ""
            where_en = f" ({names_en})" if names_en else ""
            errors["outside_low_usage_reason"] = [
                f"计划时间不在服务的低峰时段内{where_zh}，请说明理由 / the planned time is "
                f"outside the low-usage period of the service{where_en}: state the reason"
            ]
    window = fields.get("maintenance_window")
    if window is not None and not isinstance(window, MaintenanceWindow):
        errors["maintenance_window"] = ["未知维护窗口 / unknown maintenance window"]
    if errors:
        raise ValidationError(errors)


def affected_customer_ids(change: ChangeRequest) -> set[int]:
    """The customers named on the change and those of its affected services."""
    named = set(change.customers.values_list("pk", flat=True))
    through = set(
        Service.customers.through.objects.filter(service__in=change.services.all()).values_list(
            "organisation_id", flat=True
        )
    )
    return named | through


def window_refusal(change: ChangeRequest) -> str | None:
    """Why the change may not go ahead for want of a maintenance window ("中文 / English"),
    or None: a change affecting no customer needs none; one that does needs a scheduled
    window covering its planned time, listing each affected service and reaching each
    affected customer through its services."""
    customers = affected_customer_ids(change)
    if not customers:
        return None
    window = change.maintenance_window
    if window is None:
        return (
            "影响客户的变更须在已公告的维护窗口内进行：请关联维护窗口 / a change that affects "
            "customers must sit inside an announced maintenance window: link one"
        )
    if window.status != WindowStatus.SCHEDULED:
        return "所关联的维护窗口已取消 / the linked maintenance window was cancelled"
    if not core.covers(window.start, window.end, change.planned_start, change.planned_end):
        return (
            f"维护窗口 {_local(window.start)}–{_local(window.end)} 未覆盖计划时间 "
            f"{_local(change.planned_start)}–{_local(change.planned_end)} / the maintenance "
            f"window {_local(window.start)}–{_local(window.end)} does not cover the planned "
            f"time {_local(change.planned_start)}–{_local(change.planned_end)}"
        )
    in_window = set(window.services.values_list("pk", flat=True))
    missing = [s for s in change.services.all() if s.pk not in in_window]
    if missing:
        names = ", ".join(s.name for s in missing)
        return (
            f"维护窗口未包含受影响的服务：{names} / the maintenance window does not include "
            f"the affected services: {names}"
        )
    told = set(
        Service.customers.through.objects.filter(service_id__in=in_window).values_list(
            "organisation_id", flat=True
        )
    )
    untold = Organisation.objects.filter(pk__in=customers - told).order_by("name")
    if untold:
        names = ", ".join(o.name for o in untold)
        return (
            f"维护窗口的服务不涉及这些受影响的客户，他们未获通知：{names} / the window's "
            f"services do not reach these affected customers, who were not told: {names}"
        )
    return None


def _require_window(change: ChangeRequest) -> None:
    refusal = window_refusal(change)
    if refusal:
        raise ValidationError({"maintenance_window": [refusal]})


def _lock(change: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().get(pk=change.pk)


def _state_refusal(
    change: ChangeRequest, allowed: Iterable[str], action_zh: str, action_en: str
) -> None:
    if change.state not in allowed:
        with translation.override("zh-hans"):
            zh = str(ChangeState(change.state).label)
        with translation.override("en"):
            en = str(ChangeState(change.state).label)
        raise ValidationError(
            {
                "state": [
                    f"状态为“{zh}”的变更不能{action_zh} / a change in the state “{en}” "
                    f"cannot be {action_en}"
                ]
            }
        )


def _set_relations(
    change: ChangeRequest,
    services: Iterable[Service],
    customers: Iterable[Organisation],
    assets: Iterable[Asset],
) -> None:
    change.services.set(list(services))
    change.customers.set(list(customers))
    change.assets.set(list(assets))


@transaction.atomic
def create_change(
    actor: Actor,
    *,
    services: Iterable[Service] = (),
    customers: Iterable[Organisation] = (),
    assets: Iterable[Asset] = (),
    requester: User | None = None,
    **fields: Any,
) -> ChangeRequest:
    """A change request in draft, requested by ``requester`` (by default the actor)."""
    require_staff(actor)
    require_manager(actor)
    services = list(services)
    fields = {k: v for k, v in fields.items() if k in CHANGE_FIELDS}
    _clean_change(fields, services)
    requester = requester or person_of(actor)
    if requester is None:
        raise ValidationError({"requester": ["请指定申请人 / name the requester"]})
    change = ChangeRequest(requester=requester, **fields)
    change.full_clean(exclude=["requester"])
    change.save()
    _set_relations(change, services, customers, assets)
    record(
        EventKind.CREATED,
        change,
        actor=actor,
        organisation=None,
        after={"title": change.title, "risk": change.risk, "state": change.state},
        summary=said("change request %(ref)s created", ref=change.reference),
    )
    return change


@transaction.atomic
def update_change(
    actor: Actor,
    change: ChangeRequest,
    *,
    services: Iterable[Service] | None = None,
    customers: Iterable[Organisation] | None = None,
    assets: Iterable[Asset] | None = None,
    **fields: Any,
) -> ChangeRequest:
    """Edit a change before its decision (draft or submitted)."""
    require_staff(actor)
    require_manager(actor)
    change = _lock(change)
    _state_refusal(change, (ChangeState.DRAFT, ChangeState.SUBMITTED), "修改", "edited")
    services = list(change.services.all()) if services is None else list(services)
    merged = {k: getattr(change, k) for k in CHANGE_FIELDS} | {
        k: v for k, v in fields.items() if k in CHANGE_FIELDS
    }
    _clean_change(merged, services)
    before = {k: str(getattr(change, k)) for k in CHANGE_FIELDS}
    for key, value in merged.items():
        setattr(change, key, value)
    change.full_clean()
    change.save()
    change.services.set(services)
    if customers is not None:
        change.customers.set(list(customers))
    if assets is not None:
        change.assets.set(list(assets))
    after = {k: str(getattr(change, k)) for k in CHANGE_FIELDS}
    keys = [k for k in after if before[k] != after[k]]
    record(
        EventKind.UPDATED,
        change,
        actor=actor,
        organisation=None,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
        summary=said("change request %(ref)s edited", ref=change.reference),
    )
    return change


def _transition(
    actor: Actor, change: ChangeRequest, old: str, fields: list[str], summary: Any
) -> ChangeRequest:
    change.save(update_fields=[*fields, "state", "updated_at"])
    record(
        EventKind.STATE_CHANGED,
        change,
        actor=actor,
        organisation=None,
        before={"state": old},
        after={"state": change.state},
        summary=summary,
    )
    return change


@transaction.atomic
def submit(actor: Actor, change: ChangeRequest, *, now: dt.datetime | None = None) -> ChangeRequest:
    """A draft goes to its approver."""
    require_manager(actor)
    change = _lock(change)
    _state_refusal(change, (ChangeState.DRAFT,), "提交", "submitted")
    change.state = ChangeState.SUBMITTED
    change.submitted_at = now or timezone.now()
    return _transition(
        actor,
        change,
        ChangeState.DRAFT,
        ["submitted_at"],
        said("change request %(ref)s submitted for approval", ref=change.reference),
    )


def _decide(actor: Actor, change: ChangeRequest, note: str, now: dt.datetime | None) -> str:
    require_manager(actor)
    person = person_of(actor)
    if person is None:
        raise ValidationError({"approver": ["须由具名人员审批 / a named person decides"]})
    _state_refusal(change, (ChangeState.SUBMITTED,), "审批", "decided")
    if person.pk == change.requester_id:
        raise ValidationError(
            {
                "approver": [
                    "申请人不能审批自己的变更，须由另一人审批 / the requester may not approve "
                    "or reject their own change: another person decides"
                ]
            }
        )
    old = change.state
    change.approver = person
    change.decided_at = now or timezone.now()
    change.decision_note = (note or "").strip()
    return old


@transaction.atomic
def approve(
    actor: Actor, change: ChangeRequest, *, note: str = "", now: dt.datetime | None = None
) -> ChangeRequest:
    """Approve a submitted change: by someone other than its requester; a change affecting
    customers only with a linked maintenance window that covers it (window_refusal)."""
    change = _lock(change)
    old = _decide(actor, change, note, now)
    _require_window(change)
    change.state = ChangeState.APPROVED
    return _transition(
        actor,
        change,
        old,
        ["approver", "decided_at", "decision_note"],
        said("change request %(ref)s approved", ref=change.reference),
    )


@transaction.atomic
def reject(
    actor: Actor, change: ChangeRequest, *, note: str, now: dt.datetime | None = None
) -> ChangeRequest:
    """Reject a submitted change, with the reason (by someone other than its requester)."""
    if not (note or "").strip():
        raise ValidationError({"note": ["请说明驳回理由 / give the reason for rejecting"]})
    change = _lock(change)
    old = _decide(actor, change, note, now)
    change.state = ChangeState.REJECTED
    return _transition(
        actor,
        change,
        old,
        ["approver", "decided_at", "decision_note"],
        said("change request %(ref)s rejected", ref=change.reference),
    )


def _implementation(
    change: ChangeRequest,
    person: User | None,
    implemented_at: dt.datetime | None,
    result: str,
    notes: str,
    now: dt.datetime,
) -> None:
    errors: dict[str, list[str]] = {}
    if result not in ChangeResult.values:
        errors["result"] = [
            "结果须为成功、已回退或失败 / the result is succeeded, rolled back or failed"
        ]
    at = implemented_at or now
    if timezone.is_naive(at):
        errors["implemented_at"] = ["须为带时区的时间 / a date and time with its UTC offset"]
    elif at > now + FUTURE_SLACK:
        errors["implemented_at"] = [
            "实施时间不能在将来 / the implementation cannot be in the future"
        ]
    if errors:
        raise ValidationError(errors)
    change.implemented_by = person
    change.implemented_at = at
    change.result = result
    change.implementation_notes = (notes or "").strip()


@transaction.atomic
def implement(
    actor: Actor,
    change: ChangeRequest,
    *,
    result: str,
    notes: str = "",
    implemented_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> ChangeRequest:
    """Record the implementation of an approved change: who, when, the result, notes. A
    change that was never approved is refused here: record it with record_unauthorised."""
    require_manager(actor)
    now = now or timezone.now()
    change = _lock(change)
    if change.state != ChangeState.APPROVED:
        raise ValidationError(
            {
                "state": [
                    "只有已批准的变更才能实施；未经批准已实施的变更请登记为未经授权的变更 / only "
                    "an approved change can be implemented; record a change made without "
                    "approval as an unauthorised change"
                ]
            }
        )
    _require_window(change)
    _implementation(change, person_of(actor), implemented_at, result, notes, now)
    change.state = ChangeState.IMPLEMENTED
    return _transition(
        actor,
        change,
        ChangeState.APPROVED,
        ["implemented_by", "implemented_at", "result", "implementation_notes"],
        said("change request %(ref)s implemented", ref=change.reference),
    )


@transaction.atomic
def record_unauthorised(
    actor: Actor,
    *,
    result: str,
    implemented_at: dt.datetime,
    implemented_by: User | None = None,
    notes: str = "",
    services: Iterable[Service] = (),
    customers: Iterable[Organisation] = (),
    assets: Iterable[Asset] = (),
    now: dt.datetime | None = None,
    **fields: Any,
) -> ChangeRequest:
    """A change made without approval, recorded after the fact: stored as implemented and
    unauthorised (I2). Its planned time is when it was done; no low-usage reason is asked
    (it records what happened, not a plan). ``implemented_by`` defaults to the actor."""
    require_staff(actor)
    require_manager(actor)
    now = now or timezone.now()
    services = list(services)
    fields = {k: v for k, v in fields.items() if k in CHANGE_FIELDS}
    fields.setdefault("rollback_plan", "—")
    fields.setdefault("planned_start", implemented_at)
    fields.setdefault(
        "planned_end",
        (implemented_at + dt.timedelta(minutes=1))
        if isinstance(implemented_at, dt.datetime)
        else None,
    )
    fields.setdefault("outside_low_usage_reason", "—")
    _clean_change(fields, services)
    change = ChangeRequest(
        requester=implemented_by or person_of(actor),
        state=ChangeState.IMPLEMENTED,
        unauthorised=True,
        **fields,
    )
    _implementation(change, implemented_by or person_of(actor), implemented_at, result, notes, now)
    change.full_clean()
    change.save()
    _set_relations(change, services, customers, assets)
    record(
        EventKind.CREATED,
        change,
        actor=actor,
        organisation=None,
        after={"title": change.title, "state": change.state, "unauthorised": True},
        summary=said("unauthorised change %(ref)s recorded", ref=change.reference),
    )
    return change


@transaction.atomic
def review(
    actor: Actor, change: ChangeRequest, *, notes: str, now: dt.datetime | None = None
) -> ChangeRequest:
    """The post-change review of an implemented change (authorised or not)."""
    require_manager(actor)
    if not (notes or "").strip():
        raise ValidationError({"notes": ["请填写变更后评审意见 / write the post-change review"]})
    change = _lock(change)
    _state_refusal(change, (ChangeState.IMPLEMENTED,), "评审", "reviewed")
    change.state = ChangeState.REVIEWED
    change.reviewed_by = person_of(actor)
    change.reviewed_at = now or timezone.now()
    change.review_notes = notes.strip()
    return _transition(
        actor,
        change,
        ChangeState.IMPLEMENTED,
        ["reviewed_by", "reviewed_at", "review_notes"],
        said("change request %(ref)s reviewed", ref=change.reference),
    )


@transaction.atomic
def cancel(actor: Actor, change: ChangeRequest, *, reason: str) -> ChangeRequest:
    """Cancel a change not yet implemented, with the reason."""
    require_manager(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明取消理由 / give the reason for cancelling"]})
    change = _lock(change)
    allowed = (ChangeState.DRAFT, ChangeState.SUBMITTED, ChangeState.APPROVED)
    _state_refusal(change, allowed, "取消", "cancelled")
    old = change.state
    change.state = ChangeState.CANCELLED
    change.cancel_reason = reason.strip()
    return _transition(
        actor,
        change,
        old,
        ["cancel_reason"],
        said("change request %(ref)s cancelled", ref=change.reference),
    )


#: The transitions by name, for the page's and the API's one endpoint.
TRANSITIONS = ("submit", "approve", "reject", "implement", "review", "cancel")


def transition(actor: Actor, change: ChangeRequest, action: str, **kw: Any) -> ChangeRequest:
    """Run the transition ``action`` (one of TRANSITIONS) with its arguments."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"未知操作 {action!r} / unknown action {action!r}"]})
    if action == "submit":
        return submit(actor, change)
    if action == "approve":
        return approve(actor, change, note=kw.get("note", ""))
    if action == "reject":
        return reject(actor, change, note=kw.get("note", ""))
    if action == "implement":
        return implement(
            actor,
            change,
            result=kw.get("result") or "",
            notes=kw.get("notes", ""),
            implemented_at=kw.get("implemented_at"),
        )
    if action == "review":
        return review(actor, change, notes=kw.get("notes", ""))
    return cancel(actor, change, reason=kw.get("reason", ""))


__all__ = [
    "MANAGE",
    "PLAN_FIELDS",
    "TRANSITIONS",
    "affected_customer_ids",
    "approve",
    "cancel",
    "create_change",
    "create_plan",
    "implement",
    "record_drill",
    "record_unauthorised",
    "reject",
    "require_manager",
    "require_staff",
    "review",
    "schedule_drill",
    "submit",
    "transition",
    "update_change",
    "update_plan",
    "window_refusal",
]
