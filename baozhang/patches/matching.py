"""Matching inventories against advisories: one :class:`PatchStatus` per affected asset and
advisory, pending, due by the severity's allowance on the business calendar; an open one
whose asset now reports the fixed version becomes installed. Called by the services that
enter advisories and inventories (services.py), inside their transactions; each outcome is
written set-based, a batch at a time, and each status owes its own event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from baozhang.assets.models import Asset
from baozhang.calendars.selectors import calendar_for
from baozhang.core import patches as core
from baozhang.events.models import EventKind
from baozhang.events.services import build as build_event
from baozhang.events.services import record_many
from baozhang.events.text import said
from baozhang.patches.models import (
    OPEN_STATES,
    Advisory,
    InstalledSoftware,
    PatchState,
    PatchStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None


# Rows read or written per statement: the IN lists and the bulk INSERTs/UPDATEs stay within
# SQLite's and PostgreSQL's parameter limits whatever the size of a match.
BATCH = 500


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- deadlines -------------------------------------------------------------------------------


def policy() -> dict[core.Severity, core.Allowance]:
    """The allowance of each severity (settings.PATCH_DEADLINES, core.parse_policy)."""
    return core.parse_policy(getattr(settings, "PATCH_DEADLINES", ""))


def calendar_key() -> str:
    return str(getattr(settings, "PATCH_CALENDAR", "cn-5x8"))


def deadline_of(severity: str, start: dt.datetime) -> dt.datetime:
    """When a patch of ``severity`` known at ``start`` is due."""
    calendar = calendar_for(calendar_key())
    return core.deadline(
        start,
        policy()[core.Severity(severity)],
        lambda at, days: calendar.add_working_days(at, days).at,
    )


# -- matching --------------------------------------------------------------------------------


def _label(advisory: Advisory, installed: InstalledSoftware) -> str:
    return f"{advisory.reference} · {installed.asset}"


def _match_pairs(
    pairs: Iterable[tuple[Advisory, InstalledSoftware, PatchStatus | None]],
    *,
    now: dt.datetime,
    actor: Actor,
) -> None:
    """Match installed products against advisories (``status``: the existing one of the
    advisory and asset, read by the caller for all of them at once) and write the outcome
    set-based: the new statuses in one INSERT per batch, the ones the inventory shows
    installed in one UPDATE per batch, and each its own event (one INSERT per batch)."""
    by = actor if actor is not None and actor.is_authenticated else None
    touched = timezone.now()  # updated_at, as auto_now would set it (bulk_update does not)
    due: dict[str, dt.datetime] = {}  # severity → deadline: every match shares ``now``
    new: list[tuple[PatchStatus, Advisory, InstalledSoftware]] = []
    settled: list[tuple[PatchStatus, str, Advisory, InstalledSoftware]] = []
    moved: list[PatchStatus] = []
    for advisory, installed, status in pairs:
        try:
            affected = core.is_affected(
                installed.version,
                affected=advisory.affected,
                fixed=advisory.fixed_version,
                scheme=advisory.scheme,
            )
            fixed = core.is_fixed(
                installed.version, fixed=advisory.fixed_version, scheme=advisory.scheme
            )
        except ValueError:
            # A version the scheme cannot read (a vendor's own numbering) is not guessed at.
            continue
        if status is None:
            if affected:
                if advisory.severity not in due:
                    due[advisory.severity] = deadline_of(advisory.severity, now)
                status = PatchStatus(
                    advisory=advisory,
                    asset_id=installed.asset_id,
                    installed_version=installed.version,
                    matched_at=now,
                    due_at=due[advisory.severity],
                )
                new.append((status, advisory, installed))
            continue
        if status.state in OPEN_STATES and fixed:
            before = status.state
            status.state = PatchState.INSTALLED
            status.settled_at = now
            status.settled_by = by
            status.installed_version = installed.version
            status.updated_at = touched
            settled.append((status, before, advisory, installed))
        elif status.installed_version != installed.version and status.state in OPEN_STATES:
            status.installed_version = installed.version
            status.updated_at = touched
            moved.append(status)
    # bulk_create sets the primary keys (PostgreSQL and SQLite return them), which the
    # events name.
    PatchStatus.objects.bulk_create([n[0] for n in new], batch_size=BATCH)
    PatchStatus.objects.bulk_update(
        [s[0] for s in settled],
        ["state", "settled_at", "settled_by", "installed_version", "updated_at"],
        batch_size=BATCH,
    )
    PatchStatus.objects.bulk_update(moved, ["installed_version", "updated_at"], batch_size=BATCH)
    events = [
        build_event(
            EventKind.CREATED,
            status,
            actor=actor,
            organisation=None,
            object_label=_label(advisory, installed),
            parent=advisory,
            summary=said(
                "Asset %(asset)s needs the patch of %(reference)s (version %(version)s)",
                asset=installed.asset.name,
                reference=advisory.reference,
                version=installed.version,
            ),
            at=now,
        )
        for status, advisory, installed in new
    ]
    events.extend(
        build_event(
            EventKind.STATE_CHANGED,
            status,
            actor=actor,
            organisation=None,
            object_label=_label(advisory, installed),
            parent=advisory,
            before={"state": before},
            after={"state": status.state, "version": installed.version},
            summary=said(
                "Inventory shows the fixed version %(version)s installed",
                version=installed.version,
            ),
            at=now,
        )
        for status, before, advisory, installed in settled
    )
    record_many(events, batch_size=BATCH)


def match_advisories(
    advisories: Sequence[Advisory], *, now: dt.datetime, actor: Actor = None
) -> None:
    """Match advisories against every inventory that has their products: the inventories
    and the existing statuses read a batch of advisories at a time, the outcome written
    set-based (:func:`_match_pairs`)."""
    for batch in chunks(list(advisories)):
        by_product: dict[str, list[Advisory]] = {}
        for advisory in batch:
            by_product.setdefault(advisory.product, []).append(advisory)
        existing = {
            (s.advisory_id, s.asset_id): s
            for s in PatchStatus.objects.filter(advisory__in=[a.pk for a in batch])
        }
        rows = (
            InstalledSoftware.objects.filter(name__in=list(by_product))
            .select_related("asset")
            .order_by("name", "asset_id")
        )
        _match_pairs(
            (
                (advisory, installed, existing.get((advisory.pk, installed.asset_id)))
                for installed in rows
                for advisory in by_product[installed.name]
            ),
            now=now,
            actor=actor,
        )


def match(advisory: Advisory, *, now: dt.datetime, actor: Actor = None) -> None:
    """Match one advisory against every inventory that has its product."""
    match_advisories([advisory], now=now, actor=actor)


def match_assets(assets: Sequence[Asset], *, now: dt.datetime, actor: Actor = None) -> None:
    """Match assets' inventories against every advisory of their products, a batch of
    assets at a time, the outcome written set-based (:func:`_match_pairs`)."""
    for batch in chunks(list(assets)):
        by_pk = {a.pk: a for a in batch}
        installed = list(
            InstalledSoftware.objects.filter(asset__in=list(by_pk)).order_by("asset_id", "name")
        )
        for row in installed:
            row.asset = by_pk[row.asset_id]
        names = sorted({row.name for row in installed})
        advisories: dict[str, list[Advisory]] = {}
        for names_batch in chunks(names):
            for advisory in Advisory.objects.filter(product__in=list(names_batch)).order_by("pk"):
                advisories.setdefault(advisory.product, []).append(advisory)
        existing = {
            (s.advisory_id, s.asset_id): s
            for s in PatchStatus.objects.filter(asset__in=list(by_pk))
        }
        _match_pairs(
            (
                (advisory, row, existing.get((advisory.pk, row.asset_id)))
                for row in installed
                for advisory in advisories.get(row.name, ())
            ),
            now=now,
            actor=actor,
        )


def match_asset(asset: Asset, *, now: dt.datetime, actor: Actor = None) -> None:
    """Match one asset's inventory against every advisory of its products."""
    match_assets([asset], now=now, actor=actor)
