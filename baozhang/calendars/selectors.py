"""Read queries for calendars, and the core Calendar of any key (built-in or operator's).

Built core calendars are cached per key together with a stamp (the calendar's version
and the ids of the imported schedules it uses), so repeated deadline computations reuse
the calendar's precomputed interval table; any change bumps the stamp and the next call
rebuilds. The cache is per process: another process sees the new stamp in the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.calendars.models import CHINA, BusinessCalendar, DateKind, ImportedSchedule
from baozhang.core.calendar import BuiltinCalendars, Calendar, builtin_calendar
from baozhang.core.calendar_country import national_schedule
from baozhang.core.calendar_schedule import Schedule, parse_schedule

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

BUILTIN_KEYS = tuple(BuiltinCalendars())
# Which built-in follows which national schedule (imports for that country apply to it).
BUILTIN_COUNTRY = {"cn-5x8": CHINA, "24x7": ""}

_cache: dict[str, tuple[tuple[Any, ...], Calendar]] = {}
_lock = threading.Lock()


def visible_calendars(user: User | AnonymousUser) -> QuerySet[BusinessCalendar]:
    """All operator-defined calendars for the operator's staff; none for anyone else."""
    qs = BusinessCalendar.objects.all()
    return qs if is_operator_staff(user) else qs.none()


def visible_schedules(user: User | AnonymousUser) -> QuerySet[ImportedSchedule]:
    qs = ImportedSchedule.objects.select_related("imported_by")
    return qs if is_operator_staff(user) else qs.none()


def require_calendar_viewer(user: User | AnonymousUser) -> None:
    """Raise Http404 unless the user is operator staff: calendars are not customers' data,
    and a customer's people should not learn that the pages exist."""
    if not is_operator_staff(user):
        raise Http404


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _imports(country: str) -> list[tuple[int, str, str]]:
    if not country:
        return []
    return list(
        ImportedSchedule.objects.filter(country=country)
        .order_by("created_at", "id")
        .values_list("pk", "name", "text")
    )


def _with_imports(base: Schedule | None, imports: list[tuple[int, str, str]]) -> Schedule | None:
    schedule = base
    for _pk, name, text in imports:
        newer = parse_schedule(text, name=name)  # validated on import
        schedule = schedule.merged(newer) if schedule is not None else newer
    return schedule


def _cached(key: str, stamp: tuple[Any, ...], build: Any) -> Calendar:
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
    calendar: Calendar = build()
    with _lock:
        _cache[key] = (stamp, calendar)
    return calendar


def build_calendar(cal: BusinessCalendar, imports: list[tuple[int, str, str]]) -> Calendar:
    """The core Calendar of an operator-defined calendar (no caching)."""
    base = national_schedule(cal.base_schedule) if cal.base_schedule else None
    schedule = _with_imports(base, imports)
    closed: dict[Any, str] = {}
    opened: dict[Any, str] = {}
    for date, kind, reason in cal.dates.values_list("date", "kind", "reason"):
        (closed if kind == DateKind.CLOSED else opened)[date] = reason
    # Stored spans are space-separated ("09:00-12:00 13:00-18:00"); core reads commas.
    week = [",".join(spans.split()) for spans in cal.week()]
    return Calendar(
        cal.key,
        cal.time_zone,
        week,
        schedule=schedule,
        closed=closed,
        opened=opened,
        workday_spans=",".join(cal.workday_spans.split()) or None,
    )


def calendar_for(key: str) -> Calendar:
    """The core Calendar for ``key``: a built-in (``24x7``, ``cn-5x8``, with any imported
    schedules of its country laid over) or an operator-defined calendar, active or not.

    Raises KeyError with a bilingual message for an unknown key.
    """
    if key in BUILTIN_COUNTRY:
        imports = _imports(BUILTIN_COUNTRY[key])
        if not imports:
            return builtin_calendar(key)
        stamp = ("builtin", tuple(pk for pk, _n, _t in imports))
        return _cached(key, stamp, lambda: _builtin_with(key, imports))
    row = BusinessCalendar.objects.filter(key=key).values_list("pk", "version", "base_schedule")
    found = row.first()
    if found is None:
        known = ", ".join([*BUILTIN_KEYS, *BusinessCalendar.objects.values_list("key", flat=True)])
        raise KeyError(
            f"unknown calendar {key!r} (known: {known}) / 未知日历 {key!r}（可用：{known}）"
        )
    pk, version, country = found
    imports = _imports(country)
    stamp = (pk, version, tuple(i for i, _n, _t in imports))
    return _cached(key, stamp, lambda: build_calendar(BusinessCalendar.objects.get(pk=pk), imports))


def _builtin_with(key: str, imports: list[tuple[int, str, str]]) -> Calendar:
    calendar = builtin_calendar(key)
    schedule = _with_imports(None, imports)
    return calendar.with_schedule(schedule) if schedule is not None else calendar


def calendar_by_key_or_404(key: str) -> Calendar:
    try:
        return calendar_for(key)
    except KeyError:
        raise Http404 from None


class AllCalendars(Mapping[str, Calendar]):
    """Every calendar by key, built-ins first, each built on first use via calendar_for."""

    def __init__(self) -> None:
        self._keys = [*BUILTIN_KEYS, *BusinessCalendar.objects.values_list("key", flat=True)]

    def __getitem__(self, key: str) -> Calendar:
        if key not in self._keys:
            raise KeyError(key)
        return calendar_for(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def all_calendars() -> Mapping[str, Calendar]:
    """Every calendar by key (built-ins and operator-defined), for the command line."""
    return AllCalendars()
