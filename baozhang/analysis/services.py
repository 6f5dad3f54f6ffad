"""The only code that changes cause analyses, their actions and the taxonomy (Q2, S4).
Each function owns its transaction and records its events.

The area that owns a subject (incidents for a fault, desk for a complaint) checks that the
actor may work on it and calls :func:`analyse`, :func:`add_action` and
:func:`complete_action`; it may pass ``parent`` (the incident, the ticket) so that the
events show on that subject's timeline. Here every change needs the operator's staff.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.permissions import Capability, can, is_operator_staff, require
from baozhang.analysis.built_in import BUILT_IN
from baozhang.analysis.models import Action, ActionKind, Analysis, CauseCategory, SubjectKind
from baozhang.calendars.selectors import calendar_for
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User
    from baozhang.catalog.models import Service

Actor = Any  # User | AnonymousUser | None

# Besides its owner, who may mark an action done: those who work faults or tickets, and
# those who keep the taxonomy (the quality people).
WORKERS = (Capability.WORK_INCIDENTS, Capability.WORK_TICKETS, Capability.MANAGE_CAUSES)


def _staff(actor: Actor) -> None:
    if actor is None or not is_operator_staff(actor):
        raise PermissionDenied(_("Only the operator's staff analyse causes."))


def _user(actor: Actor) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _event(
    kind: EventKind, obj: models.Model, actor: Actor, parent: models.Model | None, **kw: Any
) -> None:
    # An analysis is the operator's own work: staff-only events (organisation None).
    record(kind, obj, actor=actor, organisation=None, parent=parent, **kw)


def due_in_working_days(days: int, start: dt.datetime | None = None) -> dt.date:
    """The local day ``days`` working days after ``start`` (now) on ANALYSIS_CALENDAR, the
    operator's business calendar (the start's own day does not count)."""
    calendar = calendar_for(settings.ANALYSIS_CALENDAR)
    at = calendar.add_working_days(start or timezone.now(), days).at
    return at.astimezone(calendar.tz).date()


def _category(category: CauseCategory | None, current: Analysis | None) -> None:
    if category is None or category.active:
        return
    if current is not None and current.category_id == category.pk:
        return
    raise ValidationError(
        {
            "category": f"原因类别“{category.name}”已停用 / the cause category "
            f"“{category.name_en}” is no longer in use"
        }
    )


@transaction.atomic
def analyse(
    actor: Actor,
    *,
    subject_kind: str,
    subject_id: int,
    occurred_at: dt.datetime,
    subject_label: str = "",
    service: Service | None = None,
    category: CauseCategory | None = None,
    root_cause: str = "",
    upheld: bool | None = None,
    parent: models.Model | None = None,
) -> Analysis:
    """Record (or change) the cause analysis of a subject: its cause category, root cause,
    and for a complaint whether it was upheld. One analysis per subject."""
    _staff(actor)
    if subject_kind not in SubjectKind.values:
        raise ValidationError({"subject_kind": f"未知对象 / unknown subject {subject_kind!r}"})
    if subject_kind == SubjectKind.COMPLAINT and upheld is None:
        raise ValidationError(
            {"upheld": "请说明投诉是否属实 / say whether the complaint is upheld"}
        )
    if subject_kind == SubjectKind.INCIDENT:
        upheld = None
    root_cause = (root_cause or "").strip()
    found = (
        Analysis.objects.select_for_update()
        .filter(subject_kind=subject_kind, subject_id=subject_id)
        .first()
    )
    _category(category, found)
    now = timezone.now()
    fields = {
        "subject_label": subject_label[:200],
        "occurred_at": occurred_at,
        "service_id": service.pk if service is not None else None,
        "category_id": category.pk if category is not None else None,
        "root_cause": root_cause,
        "upheld": upheld,
    }
    if found is None:
        found = Analysis.objects.create(
            subject_kind=subject_kind,
            subject_id=subject_id,
            analysed_by=_user(actor),
            analysed_at=now,
            **fields,
        )
        _event(
            EventKind.CREATED,
            found,
            actor,
            parent,
            after={k: fields[k] for k in ("category_id", "root_cause", "upheld")},
        )
        return found
    before = {k: getattr(found, k) for k in fields}
    for key, value in fields.items():
        setattr(found, key, value)
    old, new = changed(before, fields)
    if old or new:
        found.analysed_by = _user(actor)
        found.analysed_at = now
        found.save()
        _event(EventKind.UPDATED, found, actor, parent, before=old, after=new)
    return found


@transaction.atomic
def add_action(
    actor: Actor,
    analysis: Analysis,
    *,
    description: str,
    owner: Any,
    kind: str = ActionKind.PREVENTIVE,
    due_on: dt.date | None = None,
    within_working_days: int | None = None,
    parent: models.Model | None = None,
) -> Action:
    """A corrective or preventive action with its owner (operator staff) and due day —
    given, or ``within_working_days`` of the business calendar from today."""
    _staff(actor)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "请描述措施 / describe the action"})
    if kind not in ActionKind.values:
        raise ValidationError({"kind": f"未知措施类型 / unknown kind of action {kind!r}"})
    if owner is None or not is_operator_staff(owner):
        raise ValidationError(
            {
                "owner": f"措施的负责人必须是运维方员工（{owner}） / the owner of an action must "
                f"be a member of the operator's staff (got {owner})"
            }
        )
    if due_on is None and within_working_days is not None:
        if not 1 <= within_working_days <= 366:
            raise ValidationError(
                {"within_working_days": "工作日数应在 1 至 366 之间 / 1 to 366 working days"}
            )
        due_on = due_in_working_days(within_working_days)
    action = Action.objects.create(
        analysis=analysis,
        kind=kind,
        description=description[:500],
        owner=owner,
        due_on=due_on,
        created_at=timezone.now(),
    )
    _event(
        EventKind.CREATED,
        action,
        actor,
        parent,
        after={
            "kind": kind,
            "description": action.description,
            "owner": owner.pk,
            "due_on": due_on,
        },
        object_label=f"{analysis}: {action.description}",
    )
    return action


@transaction.atomic
def complete_action(actor: Actor, action: Action, *, parent: models.Model | None = None) -> Action:
    """Mark an action done (once)."""
    _staff(actor)
    action = Action.objects.select_for_update().select_related("analysis").get(pk=action.pk)
    if action.owner_id != actor.pk and not any(can(actor, c) for c in WORKERS):
        raise PermissionDenied(_("Only the action's owner or those who work on it mark it done."))
    if action.done_at is not None:
        done = timezone.localtime(action.done_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(
            {
                "action": f"措施“{action.description}”已于 {done} 完成 / action "
                f"“{action.description}” was already done at {done}"
            }
        )
    action.done_at = timezone.now()
    action.done_by = _user(actor)
    action.save(update_fields=["done_at", "done_by"])
    _event(
        EventKind.UPDATED,
        action,
        actor,
        parent,
        before={"done_at": None},
        after={"done_at": action.done_at},
        object_label=f"{action.analysis}: {action.description}",
    )
    return action


# -- the taxonomy ---------------------------------------------------------------------------


def ensure_built_in_categories() -> None:
    """Create any built-in category that is missing (migration 0002 made them; a test
    database's flush empties the table). Existing ones are left as the operator named them."""
    for n, (key, name, name_en) in enumerate(BUILT_IN, start=1):
        CauseCategory.objects.get_or_create(
            key=key,
            defaults={"name": name, "name_en": name_en, "position": n * 10, "built_in": True},
        )


def _names(name: str, name_en: str) -> tuple[str, str]:
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name or not name_en:
        raise ValidationError(
            {"name": "类别需要中文名和英文名 / a category needs a Chinese and an English name"}
        )
    return name[:100], name_en[:100]


@transaction.atomic
def create_category(
    actor: User | AnonymousUser, *, key: str, name: str, name_en: str, position: int = 100
) -> CauseCategory:
    require(actor, Capability.MANAGE_CAUSES)
    key = (key or "").strip().lower()
    if not key or not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        raise ValidationError(
            {"key": "键只能由英文字母、数字、- 和 _ 组成 / a key is letters, digits, - and _"}
        )
    if CauseCategory.objects.filter(key=key).exists():
        raise ValidationError({"key": f"键 {key} 已存在 / the key {key} exists already"})
    name, name_en = _names(name, name_en)
    found = CauseCategory.objects.create(
        key=key[:40], name=name, name_en=name_en, position=max(0, min(position, 32767))
    )
    _event(EventKind.CREATED, found, actor, None, after={"key": key, "name": name})
    return found


@transaction.atomic
def update_category(
    actor: User | AnonymousUser,
    category: CauseCategory,
    *,
    name: str | None = None,
    name_en: str | None = None,
    position: int | None = None,
    active: bool | None = None,
) -> CauseCategory:
    """Rename, reorder, deactivate or reactivate a category (built-in ones too)."""
    require(actor, Capability.MANAGE_CAUSES)
    category = CauseCategory.objects.select_for_update().get(pk=category.pk)
    before = {f: getattr(category, f) for f in ("name", "name_en", "position", "active")}
    new_name, new_en = _names(
        category.name if name is None else name, category.name_en if name_en is None else name_en
    )
    category.name, category.name_en = new_name, new_en
    if position is not None:
        category.position = max(0, min(position, 32767))
    if active is not None:
        category.active = active
    after = {f: getattr(category, f) for f in before}
    old, new = changed(before, after)
    if old or new:
        category.save()
        _event(EventKind.UPDATED, category, actor, None, before=old, after=new)
    return category


@transaction.atomic
def delete_category(actor: User | AnonymousUser, category: CauseCategory) -> None:
    """Delete an operator's own category that no analysis uses; a built-in one, or one in
    use, can only be deactivated."""
    require(actor, Capability.MANAGE_CAUSES)
    if category.built_in:
        raise ValidationError(
            {
                "category": "内置类别不能删除，可以停用 / a built-in category can be deactivated, "
                "not deleted"
            }
        )
    if category.analyses.exists():
        raise ValidationError(
            {
                "category": "已有分析使用此类别，只能停用 / analyses use this category: deactivate "
                "it instead"
            }
        )
    _event(EventKind.DELETED, category, actor, None, before={"key": category.key})
    category.delete()
