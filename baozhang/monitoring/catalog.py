"""What is monitored: the only code that changes monitors and probe regions (services are
the catalogue's: baozhang.catalog.services).

One function per action; each checks the actor's right, validates up front, owns its
transaction and records its event (staff-only: ``organisation=None``). A refusal is a
:class:`Refusal` whose messages name the field, the value and what would be accepted, in
English and Chinese. Nothing here touches a monitor's judged state: the probe engine
re-reads the configuration on its own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, require

# One rule for hashing secrets at rest, shared with API tokens.
from baozhang.accounts.services import _digest as token_digest
from baozhang.assets.models import Asset
from baozhang.catalog.models import Service
from baozhang.catalog.rules import delete_recorded, rows_named, split_fields
from baozhang.core.sla_text import bilingual
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot
from baozhang.events.text import said
from baozhang.monitoring.models import (
    LOCAL_REGION,
    PUSH_REGION,
    SNMP_SECRETS,
    Monitor,
    MonitorKind,
    ProbeRegion,
)
from baozhang.monitoring.rules import (
    COMMON_FIELDS,
    MONITOR_FIELDS,
    MONITOR_RELATIONS,
    Refusal,
    check_monitor,
    kind_fields,
    parse_expected_status,
    refuse,
    split_list,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

__all__ = [
    "MONITOR_FIELDS",
    "MONITOR_RELATIONS",
    "Refusal",
    "create_monitor",
    "create_region",
    "deactivate_region",
    "delete_monitor",
    "kind_fields",
    "monitor_spec_dict",
    "parse_expected_status",
    "push_url",
    "region_for_token",
    "rotate_push_token",
    "rotate_region_token",
    "set_enabled",
    "update_monitor",
]


def _require(actor: Actor) -> None:
    # None is the system itself (seeding, commands): trusted code, no person to check.
    if actor is not None:
        require(actor, Capability.MANAGE_MONITORS)


# -- monitors -------------------------------------------------------------------------------


def _active_region_names() -> set[str]:
    return set(ProbeRegion.objects.filter(is_active=True).values_list("name", flat=True))


def _relation_rows(relations: Mapping[str, Any]) -> dict[str, list[models.Model]]:
    """The rows named by ``services``, ``customers`` and ``targets`` (rows or ids)."""
    # The agreement targets a monitor feeds: the model its relation names (sla.Target), not
    # an import of the agreements, which sit above monitoring (docs/architecture.md).
    targets = Monitor._meta.get_field("targets").related_model._default_manager.all()
    querysets: dict[str, tuple[models.QuerySet[Any], str, str]] = {
        "services": (Service.objects.all(), "service", "服务"),
        "customers": (
            Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
            "customer",
            "客户",
        ),
        "targets": (targets, "agreement target", "协议指标"),
        "registered_assets": (Asset.objects.all(), "asset", "资产"),
    }
    return rows_named(relations, querysets)


def _monitor_snapshot(monitor: Monitor, *, with_relations: bool = True) -> dict[str, Any]:
    data = snapshot(monitor, MONITOR_FIELDS)
    if with_relations and monitor.pk:
        for rel in MONITOR_RELATIONS:
            data[rel] = sorted(getattr(monitor, rel).values_list("pk", flat=True))
    return data


def _masked(data: dict[str, Any], *, changed_to: bool = False) -> dict[str, Any]:
    """``data`` for an event: an SNMP secret shows only that it is set (or, with
    ``changed_to``, that it changed), never its value."""
    out = dict(data)
    for name in SNMP_SECRETS:
        if out.get(name):
            out[name] = "•••• (changed / 已更改)" if changed_to else "••••"
    return out


def _new_push_token() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def create_monitor(actor: Actor, **fields: Any) -> Monitor:
    """A new monitor from ``fields`` (any of MONITOR_FIELDS, and ``services``,
    ``customers``, ``targets`` as rows or ids). A push monitor gets its token here.
    Settings of other kinds keep their defaults. Raises PermissionDenied or Refusal."""
    _require(actor)
    relations = split_fields(fields, MONITOR_FIELDS, MONITOR_RELATIONS)
    kind = fields.get("kind")
    relevant = set(COMMON_FIELDS) | set(kind_fields(str(kind)))
    monitor = Monitor(**{k: v for k, v in fields.items() if k in relevant})
    errors: dict[str, str] = {}
    try:
        check_monitor(monitor, active_regions=_active_region_names())
    except Refusal as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        rows = _relation_rows(relations)
    except Refusal as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise refuse(errors)
    if monitor.kind == MonitorKind.PUSH:
        monitor.push_token = _new_push_token()
    monitor.full_clean(exclude=["push_token"])
    monitor.save()
    for rel, related in rows.items():
        getattr(monitor, rel).set(related)
    record(
        EventKind.CREATED,
        monitor,
        actor=actor,
        after=_masked(_monitor_snapshot(monitor)),
        organisation=None,
    )
    return monitor


@transaction.atomic
def update_monitor(actor: Actor, monitor: Monitor, **fields: Any) -> Monitor:
    """Change the given settings of ``monitor``; the kind cannot change (a different kind
    measures something else: create a new monitor). Settings of other kinds are ignored.
    Records only what changed. Raises PermissionDenied or Refusal."""
    _require(actor)
    relations = split_fields(fields, MONITOR_FIELDS, MONITOR_RELATIONS)
    row = Monitor.objects.select_for_update().get(pk=monitor.pk)
    if "kind" in fields and fields["kind"] != row.kind:
        raise refuse(
            {
                "kind": bilingual(
                    f"A {row.kind} monitor cannot become {fields['kind']!r}; create a new "
                    "monitor and delete or disable this one",
                    f"{row.kind} 监控项不能改为 {fields['kind']!r}；请新建监控项，再删除或停用此项",
                )
            }
        )
    relevant = set(COMMON_FIELDS) | set(kind_fields(row.kind))
    fields = {k: v for k, v in fields.items() if k in relevant}
    before = _monitor_snapshot(row)
    for name, value in fields.items():
        setattr(row, name, value)
    errors: dict[str, str] = {}
    try:
        check_monitor(row, active_regions=_active_region_names() if "regions" in fields else None)
    except Refusal as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        rows = _relation_rows(relations)
    except Refusal as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise refuse(errors)
    row.full_clean(exclude=["push_token"])
    after = snapshot(row, MONITOR_FIELDS)
    to_save = [k for k in MONITOR_FIELDS if before[k] != after[k]]
    if to_save:
        row.save(update_fields=[*to_save, "updated_at"])
    for rel, related in rows.items():
        getattr(row, rel).set(related)
    old, new = changed(before, _monitor_snapshot(row))
    if new:
        record(
            EventKind.UPDATED,
            row,
            actor=actor,
            before=_masked(old),
            after=_masked(new, changed_to=True),
            organisation=None,
        )
    return row


@transaction.atomic
def set_enabled(actor: Actor, monitor: Monitor, enabled: bool) -> Monitor:
    """Start (``True``) or stop checking ``monitor``. Nothing happens when it already is."""
    _require(actor)
    row = Monitor.objects.select_for_update().get(pk=monitor.pk)
    if row.enabled != bool(enabled):
        row.enabled = bool(enabled)
        row.save(update_fields=["enabled", "updated_at"])
        record(
            EventKind.STATE_CHANGED,
            row,
            actor=actor,
            before={"enabled": not row.enabled},
            after={"enabled": row.enabled},
            organisation=None,
        )
    return row


@transaction.atomic
def delete_monitor(actor: Actor, monitor: Monitor) -> None:
    """Delete ``monitor`` with its results, spells and rollups. Refused while records
    elsewhere (incidents …) protect it: disable it instead."""
    _require(actor)
    label = str(monitor)
    delete_recorded(
        actor,
        monitor,
        _masked(_monitor_snapshot(monitor)),
        "monitor",
        bilingual(
            f"Monitor {label} is referred to by other records (incidents …); "
            "disable it instead of deleting it",
            f"监控项 {label} 被其他记录（事件单等）引用，请停用而不是删除",
        ),
    )


@transaction.atomic
def rotate_push_token(actor: Actor, monitor: Monitor) -> Monitor:
    """A new heartbeat token (and so URL) for a push monitor; the old one stops working.
    The event says that it changed, never the token."""
    _require(actor)
    row = Monitor.objects.select_for_update().get(pk=monitor.pk)
    if row.kind != MonitorKind.PUSH:
        raise refuse(
            {
                "kind": bilingual(
                    f"Monitor {row} is a {row.kind} monitor; only push monitors have a token",
                    f"监控项 {row} 是 {row.kind} 类型，只有推送监控有令牌",
                )
            }
        )
    row.push_token = _new_push_token()
    row.save(update_fields=["push_token", "updated_at"])
    record(
        EventKind.UPDATED,
        row,
        actor=actor,
        summary=said("heartbeat token rotated"),
        organisation=None,
    )
    return row


def monitor_spec_dict(monitor: Monitor) -> dict[str, Any]:
    """What the probe engine needs to check ``monitor`` (the fields of its MonitorSpec),
    as JSON-ready values: headers as [name, value] pairs, expected DNS answers as a list.
    SNMP secrets are included: the probe (a remote region's agent, over its token's
    HTTPS) must send them to the agent it asks."""
    return {
        "id": monitor.pk,
        "kind": str(monitor.kind),
        "target": monitor.target,
        "interval": monitor.interval_s,
        "timeout": float(monitor.timeout_s),
        "http_method": str(monitor.http_method),
        "http_headers": [[str(k), str(v)] for k, v in (monitor.http_headers or {}).items()],
        "http_body": monitor.http_body,
        "expected_status": monitor.expected_status,
        "keyword": monitor.keyword,
        "keyword_absent": monitor.keyword_absent,
        "latency_limit_ms": monitor.latency_limit_ms,
        "cert_min_days": monitor.cert_min_days,
        "verify_tls": monitor.verify_tls,
        "dns_record_type": str(monitor.dns_record_type),
        "dns_expected": split_list(monitor.dns_expected),
        "dns_server": monitor.dns_server,
        "snmp_version": str(monitor.snmp_version),
        "snmp_community": monitor.snmp_community,
        "snmp_user": monitor.snmp_user,
        "snmp_auth_protocol": str(monitor.snmp_auth_protocol),
        "snmp_auth_key": monitor.snmp_auth_key,
        "snmp_priv_protocol": str(monitor.snmp_priv_protocol),
        "snmp_priv_key": monitor.snmp_priv_key,
        "snmp_oid": monitor.snmp_oid,
        "snmp_expected": monitor.snmp_expected,
        "snmp_scale": float(monitor.snmp_scale or 1.0),
        "snmp_min": monitor.snmp_min,
        "snmp_max": monitor.snmp_max,
        "snmp_unit": monitor.snmp_unit,
    }


def push_url(monitor: Monitor) -> str:
    """The heartbeat URL a push monitor's job calls. ValueError for other kinds."""
    if not monitor.push_token:
        raise ValueError(
            bilingual(
                f"Monitor {monitor} has no heartbeat URL (it is not a push monitor)",
                f"监控项 {monitor} 没有心跳网址（不是推送监控）",
            )
        )
    return f"{settings.BAOZHANG_BASE_URL}/ping/{monitor.push_token}"


# -- probe regions --------------------------------------------------------------------------

REGION_TOKEN_PREFIX = "bzp_"


def _new_region_token() -> str:
    return REGION_TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def create_region(actor: Actor, *, name: str, description: str = "") -> tuple[ProbeRegion, str]:
    """A new probe region; returns it and its agent token, which is stored only as a hash
    and cannot be shown again. Raises PermissionDenied or Refusal."""
    _require(actor)
    name = str(name or "").strip().lower()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", name):
        errors["name"] = bilingual(
            f"A region's name {name!r} must be 1–40 lower-case letters, digits, - or _; "
            "e.g. beijing-1",
            f"区域名称 {name!r} 必须是 1–40 个小写字母、数字、- 或 _，例如 beijing-1",
        )
    elif name in {LOCAL_REGION, PUSH_REGION}:
        errors["name"] = bilingual(
            f"{name} is reserved (the server itself / heartbeats); choose another name",
            f"{name} 为保留名称（服务器自身 / 心跳），请另选名称",
        )
    elif ProbeRegion.objects.filter(name=name).exists():
        errors["name"] = bilingual(
            f"There is already a region named {name}", f"已有名为 {name} 的区域"
        )
    description = str(description or "").strip()
    if len(description) > 200:
        errors["description"] = bilingual(
            "The description has at most 200 characters", "描述最多 200 个字符"
        )
    if errors:
        raise refuse(errors)
    token = _new_region_token()
    region = ProbeRegion.objects.create(
        name=name, description=description, token_hash=token_digest(token)
    )
    record(
        EventKind.CREATED,
        region,
        actor=actor,
        after={"name": name, "description": description},
        organisation=None,
    )
    return region, token


@transaction.atomic
def rotate_region_token(actor: Actor, region: ProbeRegion) -> str:
    """A new agent token for ``region``; the old one stops working at once."""
    _require(actor)
    token = _new_region_token()
    ProbeRegion.objects.filter(pk=region.pk).update(token_hash=token_digest(token))
    region.token_hash = token_digest(token)
    record(
        EventKind.UPDATED,
        region,
        actor=actor,
        summary=said("agent token rotated"),
        organisation=None,
    )
    return token


@transaction.atomic
def deactivate_region(actor: Actor, region: ProbeRegion) -> ProbeRegion:
    """Stop ``region``: its token no longer works and new monitors cannot name it.
    Monitors that name it keep it until edited (their other regions carry on)."""
    _require(actor)
    row = ProbeRegion.objects.select_for_update().get(pk=region.pk)
    if row.is_active:
        row.is_active = False
        row.save(update_fields=["is_active"])
        record(
            EventKind.STATE_CHANGED,
            row,
            actor=actor,
            before={"is_active": True},
            after={"is_active": False},
            organisation=None,
        )
    return row


def region_for_token(raw: str) -> ProbeRegion | None:
    """The active region whose token is ``raw``, or None. Looked up by the token's hash,
    so no token is ever compared character by character."""
    if not raw or not isinstance(raw, str):
        return None
    return ProbeRegion.objects.filter(token_hash=token_digest(raw), is_active=True).first()
