"""Construction projects (工程) and their handover to maintenance (I6): the only code that
changes a project, its acceptance tests and its handover checklist.

A project's assets are the register's assets while they are "in construction". The
handover is accepted (验收) by a person of the operations side who keeps equipment
(services.MANAGE) and who is none of the project's own people: not who requested it, not
one of its responsible people, not a tester of its acceptance tests. It needs at least one
acceptance test, the latest result of every tested item passed, and every item of the
checklist checked. Accepting puts the project's assets in service (through the register's
own update, so its rules hold); before that, the register refuses to put them in service
(services.service_refusal, for the pages, the API and the import alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from baozhang.accounts.models import User
from baozhang.assets.models import (
    AcceptanceTest,
    Asset,
    AssetStatus,
    ConstructionProject,
    HandoverItem,
    HandoverTopic,
)
from baozhang.assets.services import require_manager, update_asset
from baozhang.events.models import EventKind
from baozhang.events.services import record, snapshot
from baozhang.events.text import said

if TYPE_CHECKING:
    from baozhang.assets.services import Actor

PROJECT_FIELDS = (
    "name",
    "description",
    "contractor",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)


def _refuse(field: str, zh: str, en: str) -> ValidationError:
    return ValidationError({field: f"{zh} / {en}"})


def _open(project: ConstructionProject) -> ConstructionProject:
    """The project, locked; refused once its handover is accepted (the record is closed)."""
    project = ConstructionProject.objects.select_for_update().get(pk=project.pk)
    if project.accepted:
        raise _refuse(
            "project",
            f"工程 {project.name!r} 已验收移交，不能再修改",
            f"the handover of {project.name!r} is accepted: the project is closed",
        )
    return project


def _check_values(values: dict[str, Any], pk: int | None) -> None:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append("名称不能为空 / the name is required")
    elif ConstructionProject.objects.filter(name=name).exclude(pk=pk).exists():
        errors.setdefault("name", []).append(
            f"已有同名工程 {name!r} / a construction project named {name!r} exists already"
        )
    if not str(values.get("contractor") or "").strip():
        errors.setdefault("contractor", []).append("施工单位不能为空 / the contractor is required")
    for first, last in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        a, b = values.get(first), values.get(last)
        if a is not None and b is not None and b < a:
            errors.setdefault(last, []).append(
                f"结束日期 {b} 早于开始日期 {a} / the end {b} is before the start {a}"
            )
    if errors:
        raise ValidationError(errors)


def _check_assets(assets: list[Asset], project: ConstructionProject | None) -> None:
    """A project's assets are the register's assets in construction."""
    bad = [a.name for a in assets if a.status != AssetStatus.CONSTRUCTION]
    if project is not None:
        bad = [n for n in bad if not project.assets.filter(name=n).exists()]
    if bad:
        names = ", ".join(bad)
        raise _refuse(
            "assets",
            f"这些资产不在建设中：{names}（工程的资产应为“建设中”状态）",
            f"these assets are not in construction: {names} (a project's assets are "
            "in construction)",
        )


def _audit(project: ConstructionProject) -> dict[str, Any]:
    data = snapshot(project, PROJECT_FIELDS)
    data["assets"] = sorted(project.assets.values_list("pk", flat=True))
    data["responsible"] = sorted(project.responsible.values_list("pk", flat=True))
    return data


def create_project(
    actor: Actor,
    *,
    responsible: Iterable[User] = (),
    assets: Iterable[Asset] = (),
    **fields: Any,
) -> ConstructionProject:
    """A new construction project; its assets must be in construction."""
    require_manager(actor)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({k: "未知字段 / unknown field" for k in sorted(unknown)})
    values = {k: fields.get(k) for k in PROJECT_FIELDS}
    for key in ("name", "description", "contractor"):
        values[key] = str(values[key] or "").strip()
    _check_values(values, None)
    chosen = list(assets)
    _check_assets(chosen, None)
    with transaction.atomic():
        project = ConstructionProject.objects.create(
            **values, requested_by=actor if isinstance(actor, User) else None
        )
        project.responsible.set(list(responsible))
        project.assets.set(chosen)
        record(
            EventKind.CREATED,
            project,
            actor=actor,
            after=_audit(project),
            summary=said("construction project created: %(name)s", name=project.name[:300]),
        )
    return project


def update_project(
    actor: Actor,
    project: ConstructionProject,
    *,
    responsible: Iterable[User] | None = None,
    assets: Iterable[Asset] | None = None,
    **fields: Any,
) -> ConstructionProject:
    """Change some of an open project's values (those not given stay)."""
    require_manager(actor)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({k: "未知字段 / unknown field" for k in sorted(unknown)})
    with transaction.atomic():
        project = _open(project)
        before = _audit(project)
        values = {k: getattr(project, k) for k in PROJECT_FIELDS}
        values.update(fields)
        for key in ("name", "description", "contractor"):
            values[key] = str(values[key] or "").strip()
        _check_values(values, project.pk)
        chosen = list(assets) if assets is not None else None
        if chosen is not None:
            _check_assets(chosen, project)
        for key, value in values.items():
            setattr(project, key, value)
        project.save()
        if responsible is not None:
            project.responsible.set(list(responsible))
        if chosen is not None:
            project.assets.set(chosen)
        after = _audit(project)
        old = {k: v for k, v in before.items() if after.get(k) != v}
        new = {k: after[k] for k in old}
        if new:
            record(
                EventKind.UPDATED,
                project,
                actor=actor,
                before=old,
                after=new,
                summary=said("construction project changed: %(name)s", name=project.name[:300]),
            )
    return project


def record_test(
    actor: Actor,
    project: ConstructionProject,
    *,
    item: str,
    requirement: str,
    measured: str,
    passed: bool,
    tester: User,
    tested_on: dt.date,
) -> AcceptanceTest:
    """One acceptance test's result. A failed item may be tested again: its latest result
    counts for the acceptance, the earlier ones stay on the record."""
    require_manager(actor)
    errors: dict[str, list[str]] = {}
    for field, value in (("item", item), ("requirement", requirement), ("measured", measured)):
        if not value.strip():
            errors.setdefault(field, []).append("不能为空 / required")
    if tested_on > timezone.localdate():
        errors.setdefault("tested_on", []).append(
            f"测试日期 {tested_on} 晚于今天 / the test date {tested_on} is after today"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = _open(project)
        test = AcceptanceTest.objects.create(
            project=project,
            item=item.strip()[:200],
            requirement=requirement.strip()[:300],
            measured=measured.strip()[:300],
            passed=passed,
            tester=tester,
            tested_on=tested_on,
        )
        record(
            EventKind.CREATED,
            test,
            actor=actor,
            after={"item": test.item, "measured": test.measured, "passed": passed},
            summary=said(
                "acceptance test %(item)s: %(verdict)s",
                item=test.item,
                verdict=said("passed") if passed else said("failed"),
            ),
            parent=project,
        )
    return test


def add_handover_item(
    actor: Actor, project: ConstructionProject, *, topic: str, text: str
) -> HandoverItem:
    """One more item of the handover checklist, not checked yet."""
    require_manager(actor)
    if topic not in HandoverTopic.values:
        raise _refuse("topic", f"未知的移交类别 {topic!r}", f"unknown handover topic {topic!r}")
    if not text.strip():
        raise _refuse("text", "移交内容不能为空", "say what is handed over")
    with transaction.atomic():
        project = _open(project)
        item = HandoverItem.objects.create(project=project, topic=topic, text=text.strip()[:300])
        record(
            EventKind.CREATED,
            item,
            actor=actor,
            after={"topic": topic, "text": item.text},
            summary=said("handover item added: %(text)s", text=item.text),
            parent=project,
        )
    return item


def check_handover_item(actor: Actor, item: HandoverItem) -> HandoverItem:
    """Mark one checklist item as handed over, by the actor, now."""
    require_manager(actor)
    with transaction.atomic():
        _open(item.project)
        item = HandoverItem.objects.select_for_update().get(pk=item.pk)
        if item.checked_at is not None:
            return item
        item.checked_by = actor if isinstance(actor, User) else None
        item.checked_at = timezone.now()
        item.save(update_fields=["checked_by", "checked_at"])
        record(
            EventKind.STATE_CHANGED,
            item,
            actor=actor,
            before={"checked": False},
            after={"checked": True},
            summary=said("handover item checked: %(text)s", text=item.text),
            parent=item.project,
        )
    return item


def latest_results(project: ConstructionProject) -> dict[str, AcceptanceTest]:
    """The latest test of each item (by date, then order of entry)."""
    latest: dict[str, AcceptanceTest] = {}
    for test in project.tests.order_by("tested_on", "id"):
        latest[test.item] = test
    return latest


def acceptance_refusals(project: ConstructionProject, actor: Actor) -> list[str]:
    """Why ``actor`` may not accept the handover now, each in both languages; empty when
    they may."""
    reasons: list[str] = []
    if project.accepted:
        reasons.append("移交已验收 / the handover is accepted already")
    if not isinstance(actor, User):
        reasons.append("验收须由具名人员签署 / a named person signs the acceptance")
    else:
        own = {project.requested_by_id, *project.responsible.values_list("pk", flat=True)}
        testers = set(project.tests.values_list("tester_id", flat=True))
        if actor.pk in testers:
            reasons.append(
                "验收人不能是本工程的测试人 / the acceptance cannot be signed by one who "
                "tested the project"
            )
        elif actor.pk in own:
            reasons.append(
                "验收人不能是本工程的申请人或负责人 / the acceptance cannot be signed by the "
                "project's requester or its responsible people"
            )
    latest = latest_results(project)
    if not latest:
        reasons.append("尚无验收测试 / no acceptance test is recorded")
    failed = [item for item, test in latest.items() if not test.passed]
    if failed:
        names = ", ".join(failed)
        reasons.append(f"验收测试未通过：{names} / acceptance tests not passed: {names}")
    items = list(project.handover_items.all())
    if not items:
        reasons.append("移交清单为空 / the handover checklist is empty")
    open_items = [i.text for i in items if i.checked_at is None]
    if open_items:
        names = ", ".join(open_items)
        reasons.append(f"移交清单未核对：{names} / handover items not checked: {names}")
    return reasons


def accept_handover(actor: Actor, project: ConstructionProject, *, note: str = "") -> list[Asset]:
    """Accept the handover (验收移交) and put the project's assets that are in construction
    in service (an asset that another open project still holds stays in construction).
    Returns the assets put in service."""
    require_manager(actor)
    with transaction.atomic():
        project = ConstructionProject.objects.select_for_update().get(pk=project.pk)
        reasons = acceptance_refusals(project, actor)
        if reasons:
            raise ValidationError({"accepted_by": reasons})
        project.accepted_by = actor if isinstance(actor, User) else None
        project.accepted_at = timezone.now()
        project.acceptance_note = note.strip()[:500]
        project.save(update_fields=["accepted_by", "accepted_at", "acceptance_note"])
        record(
            EventKind.STATE_CHANGED,
            project,
            actor=actor,
            before={"accepted": False},
            after={"accepted": True, "note": project.acceptance_note},
            summary=said("handover accepted: %(name)s", name=project.name[:300]),
        )
        started = []
        for asset in project.assets.filter(status=AssetStatus.CONSTRUCTION).order_by("id"):
            if ConstructionProject.objects.filter(assets=asset, accepted_at__isnull=True).exists():
                continue
            started.append(update_asset(actor, asset, status=AssetStatus.IN_SERVICE))
    return started
