"""How a change to the catalogue is refused, and the steps every change of a catalogued
thing shares (the catalogue's own services and monitoring's catalogue of monitors use
them): fields that cannot be set, rows named by id, a delete that other records forbid.
Every message names the field, the value and what would be accepted, in English and
Chinese."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from baozhang.core.sla_text import bilingual
from baozhang.events.models import EventKind
from baozhang.events.services import record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None

__all__ = ["Refusal", "delete_recorded", "is_int", "refuse", "rows_named", "split_fields"]


class Refusal(ValidationError, ValueError):
    """A rule said no. A ValidationError keyed by field, so that a form shows each message
    beside its field and the API answers 422 with the fields; and a ValueError for callers
    that only know that."""


def refuse(errors: Mapping[str, str]) -> Refusal:
    return Refusal({k: [v] for k, v in errors.items()})


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pks(values: Iterable[Any] | None, field: str, errors: dict[str, str]) -> list[int]:
    pks: list[int] = []
    for v in values or ():
        pk = v.pk if isinstance(v, models.Model) else v
        if not is_int(pk):
            try:
                pk = int(str(pk))
            except ValueError:
                errors[field] = bilingual(f"{v!r} is not an id", f"{v!r} 不是编号")
                return []
        pks.append(pk)
    return list(dict.fromkeys(pks))


def rows_named(
    relations: Mapping[str, Any],
    querysets: Mapping[str, tuple[models.QuerySet[Any], str, str]],
) -> dict[str, list[models.Model]]:
    """The rows each relation of ``relations`` names (rows or ids), looked up in its
    queryset of ``querysets`` (queryset, English noun, Chinese noun); refused when an id
    is not one or names no row."""
    errors: dict[str, str] = {}
    rows: dict[str, list[models.Model]] = {}
    for field, values in relations.items():
        qs, en, zh = querysets[field]
        pks = _pks(values, field, errors)
        found = {row.pk: row for row in qs.filter(pk__in=pks)}
        missing = [pk for pk in pks if pk not in found]
        if missing:
            errors[field] = bilingual(
                f"There is no {en} with id {missing[0]}", f"没有编号为 {missing[0]} 的{zh}"
            )
        rows[field] = [found[pk] for pk in pks if pk in found]
    if errors:
        raise refuse(errors)
    return rows


def split_fields(
    fields: dict[str, Any], editable: Iterable[str], relations: Iterable[str]
) -> dict[str, Any]:
    """Take the relations out of ``fields``; refuse fields that cannot be set."""
    unknown = set(fields) - set(editable) - set(relations)
    if unknown:
        raise refuse(
            {k: bilingual(f"{k} cannot be set here", f"不能在此设置 {k}") for k in sorted(unknown)}
        )
    return {k: fields.pop(k) for k in list(fields) if k in relations}


def delete_recorded(
    actor: Actor, obj: models.Model, before: dict[str, Any], field: str, protected: str
) -> None:
    """Delete ``obj`` and record it (``before`` its last state), or refuse with
    ``protected`` on ``field`` while other records protect it."""
    pk, label = obj.pk, str(obj)
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError):
        raise refuse({field: protected}) from None
    record(
        EventKind.DELETED,
        None,
        actor=actor,
        before=before,
        object_type=obj._meta.label_lower,
        object_id=str(pk),
        object_label=label,
        organisation=None,
    )
