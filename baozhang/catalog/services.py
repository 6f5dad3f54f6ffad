"""The only code that changes the catalogue of services.

One function per action; each checks the actor's right, validates up front, owns its
transaction and records its event (staff-only: ``organisation=None``). A refusal is a
:class:`~baozhang.catalog.rules.Refusal` whose messages name the field, the value and what
would be accepted, in English and Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.text import slugify

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import Capability, require
from baozhang.catalog.models import Service
from baozhang.catalog.rules import (
    Refusal,
    delete_recorded,
    is_int,
    refuse,
    rows_named,
    split_fields,
)
from baozhang.core.sla_text import bilingual
from baozhang.events.models import EventKind
from baozhang.events.services import changed, record, snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

__all__ = [
    "SERVICE_FIELDS",
    "SERVICE_RELATIONS",
    "create_service",
    "delete_service",
    "update_service",
]

SERVICE_FIELDS = ("name", "name_en", "slug", "description", "is_public", "region", "position")
SERVICE_RELATIONS = ("customers",)


def _require(actor: Actor) -> None:
    # None is the system itself (seeding, commands): trusted code, no person to check.
    # Those who manage monitors keep the catalogue of what they measure.
    if actor is not None:
        require(actor, Capability.MANAGE_MONITORS)


def _customers() -> tuple[models.QuerySet[Any], str, str]:
    return Organisation.objects.filter(kind=OrganisationKind.CUSTOMER), "customer", "客户"


def _check_service(service: Service, errors: dict[str, str]) -> None:
    service.name = str(service.name or "").strip()
    service.name_en = str(service.name_en or "").strip()
    service.region = " ".join(str(service.region or "").split())
    if not service.name:
        errors["name"] = bilingual("A service needs a (Chinese) name", "服务需要（中文）名称")
    elif Service.objects.filter(name=service.name).exclude(pk=service.pk).exists():
        errors["name"] = bilingual(
            f"There is already a service named {service.name}", f"已有名为 {service.name} 的服务"
        )
    service.slug = str(service.slug or "").strip() or slugify(service.name_en or service.name)
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", service.slug):
        errors["slug"] = bilingual(
            f"The short name {service.slug!r} must be 1–60 letters, digits, - or _; "
            "e.g. cloud-hosting",
            f"简称 {service.slug!r} 必须是 1–60 个字母、数字、- 或 _，例如 cloud-hosting",
        )
    elif Service.objects.filter(slug=service.slug).exclude(pk=service.pk).exists():
        errors["slug"] = bilingual(
            f"There is already a service with the short name {service.slug}",
            f"已有简称为 {service.slug} 的服务",
        )
    if not is_int(service.position) or service.position < 0:
        errors["position"] = bilingual(
            "The position is a whole number of at least 0", "位置必须是不小于 0 的整数"
        )


def _service_snapshot(service: Service) -> dict[str, Any]:
    data = snapshot(service, SERVICE_FIELDS)
    if service.pk:
        data["customers"] = sorted(service.customers.values_list("pk", flat=True))
    return data


def _save_service(service: Service, relations: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    _check_service(service, errors)
    rows: dict[str, list[models.Model]] = {}
    try:
        rows = rows_named(relations, {"customers": _customers()})
    except Refusal as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise refuse(errors)
    service.full_clean()
    service.save()
    if "customers" in rows:
        service.customers.set(rows["customers"])


@transaction.atomic
def create_service(actor: Actor, **fields: Any) -> Service:
    """A new service from ``fields`` (SERVICE_FIELDS and ``customers`` as rows or ids).
    Without a short name one is made from the English name. Raises PermissionDenied or
    Refusal."""
    _require(actor)
    relations = split_fields(fields, SERVICE_FIELDS, SERVICE_RELATIONS)
    service = Service(**fields)
    _save_service(service, relations)
    record(
        EventKind.CREATED, service, actor=actor, after=_service_snapshot(service), organisation=None
    )
    return service


@transaction.atomic
def update_service(actor: Actor, service: Service, **fields: Any) -> Service:
    """Change the given fields of ``service`` (SERVICE_FIELDS and ``customers``); records
    only what changed. Raises PermissionDenied or Refusal."""
    _require(actor)
    relations = split_fields(fields, SERVICE_FIELDS, SERVICE_RELATIONS)
    row = Service.objects.select_for_update().get(pk=service.pk)
    before = _service_snapshot(row)
    for name, value in fields.items():
        setattr(row, name, value)
    _save_service(row, relations)
    old, new = changed(before, _service_snapshot(row))
    if new:
        record(EventKind.UPDATED, row, actor=actor, before=old, after=new, organisation=None)
    return row


@transaction.atomic
def delete_service(actor: Actor, service: Service) -> None:
    """Delete a service nothing refers to. Refused while monitors measure it or incidents
    and maintenance windows name it."""
    _require(actor)
    label = str(service)
    # The monitors that measure a service are its reverse relation (monitoring refers to
    # the catalogue, never the other way round).
    names = list(service.monitors.values_list("name", flat=True)[:5])
    if names:
        raise refuse(
            {
                "service": bilingual(
                    f"Service {label} is measured by monitors ({', '.join(names)}); "
                    "take it off them first",
                    f"服务 {label} 仍被监控项（{', '.join(names)}）使用，请先取消关联",
                )
            }
        )
    delete_recorded(
        actor,
        service,
        _service_snapshot(service),
        "service",
        bilingual(
            f"Service {label} is named by incidents or maintenance windows; "
            "it stays for their record",
            f"服务 {label} 被事件单或维护窗口引用，需保留以备查",
        ),
    )
