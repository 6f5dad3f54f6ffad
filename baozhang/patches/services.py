"""The only code that changes advisories, inventories and patch statuses. One function per
action; each owns its transaction and records its events.

- :func:`create_advisory`, :func:`import_advisories`: advisories by hand or from a file
  (all rows or none); each is matched at once against the inventories.
- :func:`report_inventory`, :func:`import_inventory`: an asset's installed software (the
  agent's report replaces the last one); matched at once against the advisories.
- matching (matching.py, called by the four above): one :class:`PatchStatus` per affected
  asset and advisory, pending, due by the severity's allowance on the business calendar;
  an open one whose asset now reports the fixed version becomes installed.
- :func:`set_state`, :func:`set_states` (many at once): pending, scheduled (in a change),
  installed (when, by whom), not applicable (why, required).

Refusals are ValidationErrors naming the field, in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.assets.models import Asset
from baozhang.core import patches as core
from baozhang.core.bilingual import one_language
from baozhang.events.models import EventKind
from baozhang.events.services import build as build_event
from baozhang.events.services import record, record_many
from baozhang.events.text import said
from baozhang.patches.matching import BATCH, chunks, match, match_advisories, match_assets
from baozhang.patches.models import (
    Advisory,
    AdvisorySource,
    InstalledSoftware,
    InventorySource,
    PatchState,
    PatchStatus,
    SeverityLevel,
    VersionScheme,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

# Patching is keeping equipment: the engineers' and directors' work.
MANAGE = Capability.MANAGE_MAINTENANCE

# The msgids of the states' labels (models.PatchState), for event summaries.
STATE_SAID = {
    PatchState.PENDING: "Pending",
    PatchState.SCHEDULED: "Scheduled",
    PatchState.INSTALLED: "Installed",
    PatchState.NOT_APPLICABLE: "Not applicable",
}
CVE = re.compile(r"^CVE-\d{4}-\d{4,7}$")
MAX_PACKAGES = 20_000
ADVISORY_FIELDS = (
    "reference",
    "title",
    "product",
    "affected",
    "fixed_version",
    "scheme",
    "severity",
    "cve_ids",
    "released_on",
    "source_text",
    "description",
)


def row_message(number: int, field: str, message: str) -> str:
    """A bad row of a file, in both languages: ``第 3 行 severity：… / row 3, severity: …``
    (each half read alone by core.bilingual.one_language)."""
    zh, en = one_language(message, "zh-hans"), one_language(message, "en")
    return f"第 {number} 行 {field}：{zh} / row {number}, {field}: {en}"


def require_manager(actor: Actor) -> None:
    if actor is not None and not can(actor, MANAGE):
        raise PermissionDenied("无权管理补丁 / you may not manage patches")


def require_staff(actor: Actor) -> None:
    if actor is not None and not is_operator_staff(actor):
        raise PermissionDenied("仅限运营方员工 / the operator's staff only")


# -- advisories ------------------------------------------------------------------------------


def clean_advisory(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The advisory's fields checked and normalised. Raises ValidationError naming every
    bad field."""
    out = {k: fields[k] for k in ADVISORY_FIELDS if k in fields}
    errors: dict[str, str] = {}
    if fields.get("_bad"):
        raise ValidationError(
            {
                str(fields["_bad"]): (
                    "不是跟踪器的条目（应为 {CVE: {description, releases}}） / "
                    "not a tracker entry (expected {CVE: {description, releases}})"
                )
            }
        )
    released = out.get("released_on")
    if isinstance(released, str):
        try:
            out["released_on"] = (
                dt.date.fromisoformat(released.strip()) if released.strip() else None
            )
        except ValueError:
            errors["released_on"] = (
                f"“{released}” 不是日期（YYYY-MM-DD） / “{released}” is not a date (YYYY-MM-DD)"
            )
    for name in ("reference", "title", "product"):
        out[name] = str(out.get(name) or "").strip()
        if not out[name]:
            errors[name] = "必填 / required"
    out["product"] = out["product"].lower()
    out["affected"] = str(out.get("affected") or "").strip()
    out["fixed_version"] = str(out.get("fixed_version") or "").strip()
    scheme = out.get("scheme") or VersionScheme.DEBIAN
    if scheme not in VersionScheme.values:
        errors["scheme"] = f"未知版本规则 {scheme!r} / unknown version scheme {scheme!r}"
    else:
        out["scheme"] = scheme
        try:
            core.parse_spec(out["affected"], scheme)
        except ValueError as exc:
            errors["affected"] = str(exc)
        if out["fixed_version"]:
            try:
                core.parse_version(out["fixed_version"], scheme)
            except ValueError as exc:
                errors["fixed_version"] = str(exc)
    severity = str(out.get("severity") or "").strip().lower()
    if severity not in SeverityLevel.values:
        errors["severity"] = (
            f"严重程度须为 critical、high、medium 或 low，而非 {severity!r} / "
            f"severity must be critical, high, medium or low, not {severity!r}"
        )
    out["severity"] = severity
    cves = out.get("cve_ids") or []
    if isinstance(cves, str):
        cves = re.split(r"[\s,;]+", cves)
    cves = sorted({str(c).strip().upper() for c in cves if str(c).strip()})
    bad = [c for c in cves if not CVE.match(c)]
    if bad:
        errors["cve_ids"] = f"不是 CVE 编号：{', '.join(bad)} / not CVE ids: {', '.join(bad)}"
    out["cve_ids"] = cves
    for name, limit in (("reference", 120), ("title", 300), ("product", 200), ("affected", 300)):
        if len(out.get(name, "")) > limit:
            errors[name] = f"超过 {limit} 个字符 / longer than {limit} characters"
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_advisory(
    actor: Actor,
    *,
    now: dt.datetime | None = None,
    source: str = AdvisorySource.MANUAL,
    **fields: Any,
) -> Advisory:
    """Enter one advisory and match it against the inventories."""
    require_manager(actor)
    clean = clean_advisory(fields)
    if Advisory.objects.filter(reference=clean["reference"]).exists():
        raise ValidationError({"reference": "该编号已存在 / this reference exists already"})
    advisory = Advisory.objects.create(
        **clean, source=source, created_by=actor if actor and actor.is_authenticated else None
    )
    record(
        EventKind.CREATED,
        advisory,
        actor=actor,
        organisation=None,
        object_label=advisory.reference,
        summary=said("Advisory %(reference)s entered", reference=advisory.reference),
    )
    match(advisory, now=now or timezone.now(), actor=actor)
    return advisory


@transaction.atomic
def import_advisories(
    actor: Actor,
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    source: str,
    now: dt.datetime | None = None,
) -> tuple[int, int]:
    """Import advisories read from a file: ``rows`` are (row number, fields). All or
    nothing: a bad row refuses the whole file, every bad row named (ValidationError on
    ``file``). An advisory whose reference exists already is brought up to date. Returns
    (created, updated)."""
    require_manager(actor)
    now = now or timezone.now()
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, fields in rows:
        try:
            clean = clean_advisory(fields)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.append(row_message(number, field, "; ".join(messages)))
            continue
        if clean["reference"] in seen:
            errors.append(
                f"第 {number} 行与第 {seen[clean['reference']]} 行编号重复 / "
                f"row {number} repeats the reference of row {seen[clean['reference']]}"
            )
            continue
        seen[clean["reference"]] = number
        cleaned.append(clean)
    if not rows:
        errors.append("文件中没有公告 / the file holds no advisory")
    if errors:
        raise ValidationError({"file": errors})
    existing: dict[str, Advisory] = {}
    for references in chunks(list(seen)):
        existing.update(
            (a.reference, a) for a in Advisory.objects.filter(reference__in=list(references))
        )
    by = actor if actor is not None and actor.is_authenticated else None
    fresh: list[Advisory] = []
    changed: list[Advisory] = []
    for clean in cleaned:
        advisory = existing.get(clean["reference"])
        if advisory is None:
            fresh.append(Advisory(**clean, source=source, created_by=by))
        else:
            for name, value in clean.items():
                setattr(advisory, name, value)
            changed.append(advisory)
    Advisory.objects.bulk_create(fresh, batch_size=BATCH)
    Advisory.objects.bulk_update(changed, list(ADVISORY_FIELDS), batch_size=BATCH)
    created, updated = len(fresh), len(changed)
    match_advisories([*fresh, *changed], now=now, actor=actor)
    record(
        EventKind.CREATED,
        None,
        actor=actor,
        organisation=None,
        object_type="patches.advisory",
        object_label=source,
        after={"created": created, "updated": updated},
        summary=said(
            "Advisories imported: %(created)s new, %(updated)s updated",
            created=created,
            updated=updated,
        ),
    )
    return created, updated


# -- inventories -----------------------------------------------------------------------------


def clean_packages(packages: Iterable[tuple[str, str]]) -> dict[str, str]:
    """name → version, the names lower-cased. Raises ValidationError on ``packages``."""
    out: dict[str, str] = {}
    bad: list[str] = []
    for name, version in packages:
        name, version = str(name).strip().lower(), str(version).strip()
        if not name or not version or len(name) > 200 or len(version) > 120:
            bad.append(f"{name or '?'} {version or '?'}")
            continue
        out[name] = version
    if bad:
        shown = ", ".join(bad[:20])
        raise ValidationError(
            {
                "packages": (
                    f"名称或版本缺失或过长：{shown} / name or version missing or too long: {shown}"
                )
            }
        )
    if len(out) > MAX_PACKAGES:
        raise ValidationError(
            {"packages": f"最多 {MAX_PACKAGES} 个软件包 / at most {MAX_PACKAGES} packages"}
        )
    return out


def _replace_inventories(
    inventories: Mapping[Asset, Mapping[str, str]], source: str, now: dt.datetime
) -> None:
    """Each asset's installed software replaced by its packages: one DELETE and one
    INSERT per batch, whatever the number of assets."""
    pks = [asset.pk for asset in inventories]
    for batch in chunks(pks):
        InstalledSoftware.objects.filter(asset__in=list(batch)).delete()
    InstalledSoftware.objects.bulk_create(
        (
            InstalledSoftware(asset=asset, name=n, version=v, source=source, reported_at=now)
            for asset, packages in inventories.items()
            for n, v in sorted(packages.items())
        ),
        batch_size=BATCH,
    )


def _assets_named(keys: Iterable[str]) -> dict[str, Asset]:
    """The assets a file names, by name or else by id (a key of digits), read at once."""
    keys = {k for k in keys if k}
    found: dict[str, Asset] = {}
    names = sorted(keys)
    for batch in chunks(names):
        found.update((a.name, a) for a in Asset.objects.filter(name__in=list(batch)))
    ids = {int(k): k for k in keys - found.keys() if k.isdigit() and int(k) < 2**31}
    for batch in chunks(sorted(ids)):
        found.update((ids[a.pk], a) for a in Asset.objects.filter(pk__in=list(batch)))
    return found


@transaction.atomic
def report_inventory(
    actor: Actor,
    asset: Asset,
    packages: Iterable[tuple[str, str]],
    *,
    source: str = InventorySource.AGENT,
    now: dt.datetime | None = None,
) -> int:
    """Replace the asset's installed software with this report and match it against the
    advisories. Returns the number of packages kept."""
    require_manager(actor)
    now = now or timezone.now()
    clean = clean_packages(packages)
    _replace_inventories({asset: clean}, source, now)
    record(
        EventKind.UPDATED,
        asset,
        actor=actor,
        organisation=None,
        object_label=asset.name,
        after={"packages": len(clean)},
        summary=said("Software inventory reported: %(count)s packages", count=len(clean)),
        at=now,
    )
    match_assets([asset], now=now, actor=actor)
    return len(clean)


@transaction.atomic
def import_inventory(
    actor: Actor, rows: Sequence[tuple[int, Mapping[str, str]]], *, now: dt.datetime | None = None
) -> int:
    """Inventories from a CSV (asset, product, version per row; the asset by name or id).
    Each asset named gets the products of its rows as its whole inventory. All or nothing,
    every bad row named. Returns the number of assets."""
    require_manager(actor)
    now = now or timezone.now()
    errors: list[str] = []
    per_asset: dict[int, dict[str, str]] = {}
    assets = _assets_named({(row.get("asset") or "").strip() for _n, row in rows})
    for number, row in rows:
        key = (row.get("asset") or "").strip()
        name = (row.get("product") or "").strip().lower()
        version = (row.get("version") or "").strip()
        asset = assets.get(key) if key else None
        problems = []
        if asset is None:
            problems.append(("asset", f"无此资产 “{key}” / no such asset “{key}”"))
        if not name or len(name) > 200:
            problems.append(("product", "必填 / required"))
        if not version or len(version) > 120:
            problems.append(("version", "必填 / required"))
        if problems:
            errors.extend(row_message(number, *p) for p in problems)
            continue
        assert asset is not None
        per_asset.setdefault(asset.pk, {})[name] = version
    if not rows:
        errors.append("文件中没有软件 / the file holds no software")
    if errors:
        raise ValidationError({"file": errors})
    by_pk = {a.pk: a for a in assets.values()}
    imported = [by_pk[pk] for pk in per_asset]
    _replace_inventories(
        {by_pk[pk]: packages for pk, packages in per_asset.items()}, InventorySource.CSV, now
    )
    record_many(
        (
            build_event(
                EventKind.UPDATED,
                asset,
                actor=actor,
                organisation=None,
                object_label=asset.name,
                after={"packages": len(per_asset[asset.pk])},
                summary=said(
                    "Software inventory imported: %(count)s packages",
                    count=len(per_asset[asset.pk]),
                ),
                at=now,
            )
            for asset in imported
        ),
        batch_size=BATCH,
    )
    match_assets(imported, now=now, actor=actor)
    return len(per_asset)


# -- statuses --------------------------------------------------------------------------------


MAX_BULK = 5_000


def _checked_change(
    state: str,
    *,
    change_reference: str,
    scheduled_for: dt.datetime | None,
    installed_at: dt.datetime | None,
    reason: str,
    now: dt.datetime,
    by: User | None,
) -> dict[str, Any]:
    """The fields a move to ``state`` writes, checked. Raises ValidationError."""
    if state not in PatchState.values:
        raise ValidationError({"state": f"未知状态 {state!r} / unknown status {state!r}"})
    reason = reason.strip()
    change_reference = change_reference.strip()
    if state == PatchState.NOT_APPLICABLE and not reason:
        raise ValidationError({"reason": "不适用须说明原因 / not applicable needs its reason"})
    if installed_at is not None and installed_at > now:
        raise ValidationError({"installed_at": "安装时间不能在将来 / installed in the future"})
    settled = state in (PatchState.INSTALLED, PatchState.NOT_APPLICABLE)
    return {
        "state": state,
        "reason": reason if state == PatchState.NOT_APPLICABLE else "",
        "change_reference": change_reference if state == PatchState.SCHEDULED else "",
        "scheduled_for": scheduled_for if state == PatchState.SCHEDULED else None,
        "settled_at": (installed_at or now if state == PatchState.INSTALLED else now)
        if settled
        else None,
        "settled_by": by if settled else None,
    }


def _state_event(
    actor: Actor, status: PatchStatus, before: str, fields: Mapping[str, Any], now: dt.datetime
) -> Any:
    return build_event(
        EventKind.STATE_CHANGED,
        status,
        actor=actor,
        organisation=None,
        object_label=f"{status.advisory.reference} · {status.asset}",
        parent=status.advisory,
        before={"state": before},
        after={
            "state": fields["state"],
            "change": fields["change_reference"],
            "reason": fields["reason"],
            "settled_at": fields["settled_at"],
        },
        summary=said(
            "Patch of %(reference)s on %(asset)s: %(state)s",
            reference=status.advisory.reference,
            asset=status.asset.name,
            state=said(STATE_SAID[PatchState(fields["state"])]),
        ),
        at=now,
    )


def set_state(
    actor: Actor,
    status: PatchStatus,
    state: str,
    *,
    change_reference: str = "",
    scheduled_for: dt.datetime | None = None,
    installed_at: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> PatchStatus:
    """Move a patch status. Scheduled may name the change it is in; installed records when
    (default now, never in the future) and by whom; not applicable needs its reason.

    :func:`set_states` with one id: the same checks, the row locked and read again, its
    event. ``status`` is returned as it now is."""
    (moved,) = set_states(
        actor,
        [status.pk],
        state,
        change_reference=change_reference,
        scheduled_for=scheduled_for,
        installed_at=installed_at,
        reason=reason,
        now=now,
    )
    for field in PatchStatus._meta.concrete_fields:
        setattr(status, field.attname, getattr(moved, field.attname))
    return status


@transaction.atomic
def set_states(
    actor: Actor,
    status_ids: Iterable[int],
    state: str,
    *,
    change_reference: str = "",
    scheduled_for: dt.datetime | None = None,
    installed_at: dt.datetime | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> list[PatchStatus]:
    """Move many patch statuses at once (:func:`set_state` moves one through it; each
    status its own event): a few statements whatever their number — one read, one
    UPDATE and one INSERT of events per batch of 500. Every id must name a status, or
    nothing moves (ValidationError on ``ids`` naming the unknown ones). At most
    ``MAX_BULK`` at a time. Returns the statuses as they now are."""
    require_manager(actor)
    now = now or timezone.now()
    ids = sorted({int(i) for i in status_ids})
    if not ids:
        raise ValidationError({"ids": "未选择补丁状态 / no patch status chosen"})
    if len(ids) > MAX_BULK:
        raise ValidationError({"ids": f"一次最多 {MAX_BULK} 个 / at most {MAX_BULK} at a time"})
    fields = _checked_change(
        state,
        change_reference=change_reference,
        scheduled_for=scheduled_for,
        installed_at=installed_at,
        reason=reason,
        now=now,
        by=actor if actor is not None and actor.is_authenticated else None,
    )
    statuses: list[PatchStatus] = []
    for batch in chunks(ids):
        statuses.extend(
            PatchStatus.objects.select_for_update(of=("self",))
            .select_related("advisory", "asset")
            .filter(pk__in=list(batch))
            .order_by("pk")
        )
    missing = sorted(set(ids) - {s.pk for s in statuses})
    if missing:
        shown = ", ".join(str(i) for i in missing[:20])
        raise ValidationError({"ids": f"无此补丁状态：{shown} / no such patch status: {shown}"})
    touched = timezone.now()
    for batch in chunks(ids):
        PatchStatus.objects.filter(pk__in=list(batch)).update(**fields, updated_at=touched)
    events = []
    for status in statuses:
        before = status.state
        for name, value in fields.items():
            setattr(status, name, value)
        status.updated_at = touched
        events.append(_state_event(actor, status, before, fields, now))
    record_many(events, batch_size=BATCH)
    return statuses
