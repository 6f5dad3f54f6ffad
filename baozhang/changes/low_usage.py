"""Each service's daily low-usage period (M3: upgrades at night, when users are fewest), the
only code that reads or changes it.

A service without a period of its own has the operator's default, 00:00–06:00 in the
operator's time zone (core/changes.py). Work planned outside the period of a service it
affects needs a stated reason (services.create_change); the pages and the API show and set
the periods here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from baozhang.catalog.models import Service
from baozhang.changes.models import LowUsagePeriod, validate_time_zone
from baozhang.changes.rights import require_manager
from baozhang.core import changes as core
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

    Actor = User | AnonymousUser | None


@dataclass(frozen=True)
class Standing:
    """A service's period as it applies: its own, or the operator's default."""

    service: Service
    starts: dt.time
    ends: dt.time
    time_zone: str
    own: bool

    @property
    def crosses_midnight(self) -> bool:
        return self.ends <= self.starts and self.ends != self.starts

    @property
    def whole_day(self) -> bool:
        return self.ends == self.starts


def default_period() -> tuple[dt.time, dt.time, str]:
    return (*core.DEFAULT_LOW_USAGE, settings.TIME_ZONE)


def standing_of(service: Service) -> Standing:
    try:
        period = service.low_usage_period  # type: ignore[attr-defined]
    except LowUsagePeriod.DoesNotExist:
        return Standing(service, *default_period(), own=False)
    return Standing(service, period.starts, period.ends, period.time_zone, own=True)


def low_usage_of(service: Service) -> tuple[dt.time, dt.time, ZoneInfo]:
    """The service's daily low-usage period and its time zone; 00:00–06:00 in the
    operator's time zone when none was set."""
    standing = standing_of(service)
    return standing.starts, standing.ends, ZoneInfo(standing.time_zone)


def standings(services: Iterable[Service] | None = None) -> list[Standing]:
    """Every service (or those given) with the period that applies to it, by name."""
    qs = Service.objects.select_related("low_usage_period").order_by("name", "pk")
    if services is not None:
        qs = qs.filter(pk__in=[s.pk for s in services])
    return [standing_of(s) for s in qs]


def services_outside_low_usage(
    services: Iterable[Service], start: dt.datetime, end: dt.datetime
) -> list[Service]:
    """The services whose low-usage period does not hold ``[start, end)``; with no service
    named, the operator's default period decides (a list of no services, or [None])."""
    services = list(services)
    if not services:
        lo, hi, zone = default_period()
        inside = core.within_low_usage(start, end, lo, hi, ZoneInfo(zone))
        return [] if inside else [None]  # type: ignore[list-item]
    return [s for s in services if not core.within_low_usage(start, end, *low_usage_of(s))]


@transaction.atomic
def set_low_usage_period(
    actor: Actor, service: Service, *, starts: dt.time, ends: dt.time, time_zone: str = ""
) -> LowUsagePeriod:
    """Set a service's daily low-usage period (local times; an end not after the start
    crosses midnight, an end equal to the start is the whole day)."""
    require_manager(actor)
    time_zone = time_zone or settings.TIME_ZONE
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise ValidationError({"time_zone": exc.messages}) from None
    period, _created = LowUsagePeriod.objects.update_or_create(
        service=service, defaults={"starts": starts, "ends": ends, "time_zone": time_zone}
    )
    record(
        EventKind.UPDATED,
        service,
        actor=actor,
        organisation=None,
        after={"low_usage_period": str(period)},
        summary=said("low-usage period set to %(period)s", period=str(period)),
    )
    return period


@transaction.atomic
def reset_low_usage_period(actor: Actor, service: Service) -> bool:
    """Give the service the operator's default period again; False when it had none of its
    own (nothing changed, nothing recorded)."""
    require_manager(actor)
    deleted, _ = LowUsagePeriod.objects.filter(service=service).delete()
    if not deleted:
        return False
    lo, hi, zone = default_period()
    record(
        EventKind.UPDATED,
        service,
        actor=actor,
        organisation=None,
        after={"low_usage_period": None},
        summary=said(
            "low-usage period back to the default %(period)s",
            period=f"{lo:%H:%M}–{hi:%H:%M} {zone}",
        ),
    )
    return True
