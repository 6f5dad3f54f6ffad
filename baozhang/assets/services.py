"""Changing the asset register: create and update an asset, attach a document's new
version. Each change is checked here (one place for the pages, the API and the import)
and recorded in the event log in the same transaction.

Rules: a critical asset has at least two responsible people (X5, 不少于两名负责人); a room
or rack that holds an asset is an asset of kind room or rack, never the asset itself; the
required running time is 24x7 or the key of a business calendar; a line's bandwidth is
positive; an asset of a construction project enters service only once the project's
handover is accepted (I6, assets/projects.py). A refusal is a ValidationError whose
messages name the field, in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from baozhang.accounts.models import Organisation, User
from baozhang.accounts.permissions import Capability, can
from baozhang.assets.models import (
    ALWAYS,
    PLACES,
    Asset,
    AssetDocument,
    AssetKind,
    AssetRole,
    AssetStatus,
    ConstructionProject,
)
from baozhang.calendars.selectors import calendar_for
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

# The capability that lets staff change the register: the engineers' and directors' work
# of keeping equipment (the same people who schedule maintenance).
MANAGE = Capability.MANAGE_MAINTENANCE

FIELDS = (
    "name",
    "kind",
    "status",
    "owner",
    "location",
    "location_text",
    "vendor",
    "model",
    "serial",
    "address",
    "role",
    "is_critical",
    "required_time",
    "warranty_end",
    "carrier",
    "bandwidth_mbps",
    "end_a",
    "end_b",
    "external_id",
    "notes",
)
RELATIONS = ("responsible", "services", "customers")

X5_MESSAGE = (
    "关键资产至少需要两名负责人（X5） / A critical asset needs at least two responsible people (X5)"
)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def require_manager(actor: Actor) -> None:
    if actor is not None and not can(actor, MANAGE):
        raise PermissionDenied("无权管理资产 / you may not change the asset register")


def check_required_time(key: str) -> str:
    key = (key or "").strip() or ALWAYS
    if key in (ALWAYS, "7x24"):
        return ALWAYS
    try:
        calendar_for(key)
    except KeyError:
        raise ValidationError(
            {
                "required_time": (
                    f"未知的运行时间要求 {key!r}：应为 7x24 或业务日历代码 / unknown required "
                    f"running time {key!r}: give 7x24 or a business calendar's key"
                )
            }
        ) from None
    return key


def check(
    values: dict[str, Any],
    responsible: Iterable[User],
    *,
    pk: int | None,
    status_before: str | None = None,
) -> None:
    """Every rule of the register over one asset's values; a ValidationError naming each
    field that breaks one. ``status_before``: the registered asset's status, when the
    caller has it (an asset already in service is not asked about its projects again)."""
    errors: dict[str, list[str]] = {}
    if not str(values.get("name") or "").strip():
        errors.setdefault("name", []).append("名称不能为空 / the name is required")
    if values.get("kind") not in AssetKind.values:
        errors.setdefault("kind", []).append(
            f"未知的资产类别 {values.get('kind')!r} / unknown kind {values.get('kind')!r}"
        )
    if values.get("status") not in AssetStatus.values:
        errors.setdefault("status", []).append(
            f"未知的状态 {values.get('status')!r} / unknown status {values.get('status')!r}"
        )
    if (values.get("role") or "") not in AssetRole.values:
        errors.setdefault("role", []).append(
            f"未知的主备角色 {values.get('role')!r} / unknown role {values.get('role')!r}"
        )
    place = values.get("location")
    if place is not None:
        if place.kind not in PLACES:
            errors.setdefault("location", []).append(
                f"{place.name} 不是机房或机柜 / {place.name} is not a machine room or rack"
            )
        elif pk is not None and place.pk == pk:
            errors.setdefault("location", []).append(
                "资产不能位于自身之中 / an asset cannot stand in itself"
            )
    bandwidth = values.get("bandwidth_mbps")
    if bandwidth is not None and bandwidth <= 0:
        errors.setdefault("bandwidth_mbps", []).append(
            "带宽必须大于零 / the bandwidth must be more than zero"
        )
    if values.get("is_critical") and len({u.pk for u in responsible}) < 2:
        errors.setdefault("responsible", []).append(X5_MESSAGE)
    try:
        values["required_time"] = check_required_time(values.get("required_time", ALWAYS))
    except ValidationError as exc:
        errors.setdefault("required_time", []).extend(exc.message_dict["required_time"])
    if values.get("status") == AssetStatus.IN_SERVICE and pk is not None:
        if status_before is None:
            status_before = Asset.objects.filter(pk=pk).values_list("status", flat=True).first()
        message = "" if status_before == AssetStatus.IN_SERVICE else service_refusal(pk)
        if message:
            errors.setdefault("status", []).append(message)
    name = str(values.get("name") or "").strip()
    if name and Asset.objects.filter(name=name).exclude(pk=pk).exists():
        errors.setdefault("name", []).append(
            f"已有同名资产 {name!r} / an asset named {name!r} exists already"
        )
    if errors:
        raise ValidationError(errors)


def service_refusal(pk: int) -> str:
    """Why the asset ``pk`` may not enter service now, or "": an asset of a construction
    project enters service only once the project's handover is accepted (I6). Asked only
    of an asset that is not in service yet (see :func:`check`)."""
    project = (
        ConstructionProject.objects.filter(assets=pk, accepted_at__isnull=True)
        .order_by("id")
        .first()
    )
    if project is None:
        return ""
    return (
        f"工程 {project.name!r} 的移交尚未验收，其资产不能投入使用 / the handover of the "
        f"construction project {project.name!r} is not accepted yet: its assets cannot enter "
        "service"
    )


def _audit(asset: Asset) -> dict[str, Any]:
    data = snapshot(asset, FIELDS)
    data["responsible"] = sorted(asset.responsible.values_list("pk", flat=True))
    data["services"] = sorted(asset.services.values_list("pk", flat=True))
    data["customers"] = sorted(asset.customers.values_list("pk", flat=True))
    return data


def _set_relations(
    asset: Asset,
    responsible: Iterable[User] | None,
    services: Iterable[Any] | None,
    customers: Iterable[Organisation] | None,
) -> None:
    if responsible is not None:
        asset.responsible.set(list(responsible))
    if services is not None:
        asset.services.set(list(services))
    if customers is not None:
        asset.customers.set(list(customers))


def create_asset(
    actor: Actor,
    *,
    responsible: Iterable[User] = (),
    services: Iterable[Any] = (),
    customers: Iterable[Organisation] = (),
    **fields: Any,
) -> Asset:
    """A new asset of the register. ``actor`` None: the system (an import run by an
    administrator from the command line)."""
    require_manager(actor)
    people = list(responsible)
    values = {"status": AssetStatus.IN_SERVICE, "role": "", "required_time": ALWAYS, **fields}
    check(values, people, pk=None)
    with transaction.atomic():
        asset = Asset(**{k: v for k, v in values.items() if k in FIELDS})
        asset.full_clean(exclude=["location"])
        asset.save()
        _set_relations(asset, people, services, customers)
        record(
            EventKind.CREATED,
            asset,
            actor=actor,
            after=_audit(asset),
            summary=said("asset registered: %(name)s", name=asset.name[:300]),
        )
    return asset


def update_asset(
    actor: Actor,
    asset: Asset,
    *,
    responsible: Iterable[User] | None = None,
    services: Iterable[Any] | None = None,
    customers: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Asset:
    """Change some of an asset's values (those not given stay)."""
    require_manager(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({k: "未知字段 / unknown field" for k in sorted(unknown)})
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        before = _audit(asset)
        values = {k: getattr(asset, k) for k in FIELDS}
        values.update(fields)
        people = list(responsible) if responsible is not None else list(asset.responsible.all())
        check(values, people, pk=asset.pk, status_before=asset.status)
        for key, value in values.items():
            setattr(asset, key, value)
        asset.full_clean(exclude=["location"])
        asset.save()
        _set_relations(asset, responsible, services, customers)
        after = _audit(asset)
        old, new = changed(before, after)
        if new:
            record(
                EventKind.UPDATED,
                asset,
                actor=actor,
                before=old,
                after=new,
                summary=said("asset changed: %(name)s", name=asset.name[:300]),
            )
    return asset


def add_document(
    actor: Actor,
    asset: Asset,
    *,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    note: str = "",
) -> AssetDocument:
    """Keep a technical document with an asset: the next version of ``title`` (version 1
    for a new title). Earlier versions stay as they were."""
    require_manager(actor)
    title = title.strip()
    if not title:
        raise ValidationError({"title": "文档标题不能为空 / the document needs a title"})
    if not data:
        raise ValidationError({"file": "文件为空 / the file is empty"})
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {"file": "文件超过 20 MB / the file is larger than 20 MB"},
        )
    with transaction.atomic():
        Asset.objects.select_for_update().filter(pk=asset.pk).first()
        last = AssetDocument.objects.filter(asset=asset, title=title).aggregate(v=Max("version"))
        doc = AssetDocument(
            asset=asset,
            title=title[:200],
            version=(last["v"] or 0) + 1,
            filename=filename[-255:] or "document",
            content_type=content_type[:100],
            size=len(data),
            note=note[:500],
            uploaded_by=actor if isinstance(actor, User) else None,
        )
        doc.file.save(filename[-100:] or "document", ContentFile(data), save=False)
        doc.save()
        record(
            EventKind.CREATED,
            doc,
            actor=actor,
            after={"title": doc.title, "version": doc.version, "size": doc.size},
            summary=said(
                "document %(title)s v%(version)s: %(asset)s",
                title=doc.title[:200],
                version=doc.version,
                asset=asset.name[:200],
            ),
            parent=asset,
        )
    return doc
