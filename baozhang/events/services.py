"""Writing events: the only code that creates Event rows. Nothing updates or deletes them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from baozhang.events.models import Event, EventKind
from baozhang.events.text import Said, in_english

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def object_type_of(obj: models.Model) -> str:
    """The stable name of a model for events: "app_label.modelname"."""
    return obj._meta.label_lower


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, foreign keys by id, ready for Event.before/after."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            data[name] = getattr(obj, field.attname)
        else:
            data[name] = getattr(obj, name)
    return data


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _organisation_of(obj: models.Model | None) -> models.Model | None:
    """The organisation an event is about: the object itself or its ``organisation``, as
    the model the event's own ``organisation`` relation names (accounts.Organisation)."""
    organisation_model = Event._meta.get_field("organisation").related_model
    if obj is None:
        return None
    if isinstance(obj, organisation_model):
        return obj
    org = getattr(obj, "organisation", None)
    return org if isinstance(org, organisation_model) else None


def record(kind: EventKind | str, obj: models.Model | None, **fields: Any) -> Event:
    """Append one event: the one :func:`build` makes of the same arguments, saved. Call it
    inside the service's transaction so that the change and its event commit together (and
    any outbox message written beside them)."""
    event = build(kind, obj, **fields)
    event.save(force_insert=True)
    return event


def record_many(events: Iterable[Event], *, batch_size: int = 1000) -> list[Event]:
    """Append events made by :func:`build` in a few INSERTs (a batch of rows each): for
    a service that changes many rows at once and owes each its own event. Call it inside
    the service's transaction, like :func:`record`."""
    return Event.objects.bulk_create(list(events), batch_size=batch_size)


def build(
    kind: EventKind | str,
    obj: models.Model | None,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str | Said = "",
    organisation: models.Model | object | None = ...,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    ip_address: str | None = None,
    at: datetime | None = None,
    parent: models.Model | None = None,
) -> Event:
    """An event, not yet saved: :func:`record` appends one, :func:`record_many` many.

    `obj` may be None for events about something that is not a row (a failed sign-in for
    an unknown user name): pass `object_type`, `object_id` and `object_label` instead.
    `parent` is the whole that `obj` is part of; the parent's timeline shows the event.
    `organisation` defaults to the object's own; pass None explicitly for an event only the
    operator's staff may see (an internal note, the reason of an escalation).
    `summary` is typed text as written, or ``said(msgid, **params)`` (events/text.py) for
    a text of ours, which each reader then reads in their own language.
    """
    summary_id, summary_params = "", None
    if isinstance(summary, Said):
        summary_id, summary_params = summary.msgid, summary.stored_params()
        summary = in_english(summary)
    user = actor if actor is not None and actor.is_authenticated else None
    return Event(
        at=at or timezone.now(),
        actor=user,
        actor_label=actor_label or (user.get_username() if user else "system"),
        kind=str(kind),
        object_type=object_type or (object_type_of(obj) if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_label=(object_label or (str(obj) if obj is not None else ""))[:300],
        organisation=_organisation_of(obj) if organisation is ... else organisation,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        summary=summary[:500],
        summary_id=summary_id,
        summary_params=summary_params,
        ip_address=ip_address,
        parent_type=object_type_of(parent) if parent is not None else "",
        parent_id=str(parent.pk) if parent is not None else "",
    )
