"""Who may see which incidents and updates, and the fault statistics of Q4."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from baozhang.accounts.permissions import is_operator_staff
from baozhang.incidents.models import (
    OPEN_STATUSES,
    Classification,
    Incident,
    IncidentUpdate,
    Responsibility,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

# F9: at most 3 software faults a year.
SOFTWARE_FAULTS_PER_YEAR = 3


def visible_incidents(user: User | AnonymousUser) -> QuerySet[Incident]:
    """Staff see every incident; a customer's people only those that affect their
    organisation (public or not: they were told of it); anyone else none."""
    qs = Incident.objects.select_related("service", "engineer")
    if is_operator_staff(user):
        return qs
    if not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    if not user.organisation.is_active:
        return qs.none()
    ids = Incident.customers.through.objects.filter(organisation_id=user.organisation_id)
    return qs.filter(pk__in=ids.values("incident_id"))


def visible_updates(user: User | AnonymousUser, incident: Incident) -> QuerySet[IncidentUpdate]:
    """The timeline of an incident: a customer's people see only the public updates."""
    qs = incident.updates.select_related("author").order_by("at", "id")
    return qs if is_operator_staff(user) else qs.filter(is_public=True)


def open_first(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    """Unresolved incidents first (oldest detection first), then the rest, newest first."""
    return qs.annotate(
        _closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_closed", "-detected_at", "-id")


def fault_statistics(
    start: dt.datetime, end: dt.datetime, *, among: QuerySet[Incident] | None = None
) -> list[dict[str, Any]]:
    """Faults detected in [start, end) per classification (Q4 (1)(3), Q5), one row per
    class in the order of Classification, each:

    - ``classification`` and ``label``;
    - ``count``; ``open``: how many are not resolved yet;
    - ``duration``: total time from detection to restoration (a timedelta); an unresolved
      incident counts up to ``end``;
    - ``missed``: restore targets missed (resolved after restore_due_at, or unresolved
      with its deadline before ``end``);
    - ``emergencies``: how many were recorded as emergency events (F10);
    - ``limit``: the yearly ceiling of the class, if any (F9: 3 software faults).

    ``among``: only these incidents (a scope, see :func:`scoped_incidents`); default all.

    Raises ValueError for naive times or an empty window.
    """
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise ValueError(f"{name} 须带时区 / {name} must be an aware datetime")
    if end <= start:
        raise ValueError(
            f"结束须晚于开始 / end {end.isoformat()} must be after start {start.isoformat()}"
        )
    rows: dict[str, dict[str, Any]] = {
        value: {
            "classification": value,
            "label": label,
            "count": 0,
            "open": 0,
            "duration": dt.timedelta(0),
            "missed": 0,
            "emergencies": 0,
            "limit": SOFTWARE_FAULTS_PER_YEAR if value == Classification.SOFTWARE else None,
        }
        for value, label in Classification.choices
    }
    for fact in fault_facts(start, end, among=among):
        classification = fact["classification"]
        row = rows.setdefault(
            classification,
            {
                "classification": classification,
                "label": classification,
                "count": 0,
                "open": 0,
                "duration": dt.timedelta(0),
                "missed": 0,
                "emergencies": 0,
                "limit": None,
            },
        )
        row["count"] += 1
        row["duration"] += fact["duration"]
        row["open"] += fact["open"]
        row["missed"] += fact["missed"]
        row["emergencies"] += bool(fact["is_emergency"])
    return list(rows.values())


FAULT_FIELDS = (
    "pk",
    "reference",
    "title",
    "classification",
    "responsibility",
    "status",
    "detected_at",
    "resolved_at",
    "restore_due_at",
    "is_emergency",
)


def fault_facts(
    start: dt.datetime, end: dt.datetime, *, among: QuerySet[Incident] | None = None
) -> Iterator[dict[str, Any]]:
    """The incidents :func:`fault_statistics` counts (detected in [start, end)), oldest
    first, each as a dict of FAULT_FIELDS with what it adds to the figures: ``open`` (not
    restored yet), ``duration`` (detection to restoration, or to ``end`` while open) and
    ``missed`` (its restore target missed: restored after restore_due_at, or open with
    that deadline before ``end``). The one place these rules live: the statistics add them
    up, the quality report's drill-downs list them."""
    base = Incident.objects.all() if among is None else among
    found = (
        base.filter(detected_at__gte=start, detected_at__lt=end)
        .order_by("detected_at", "pk")
        .values(*FAULT_FIELDS)
    )
    for fact in found.iterator():
        detected, resolved, due = fact["detected_at"], fact["resolved_at"], fact["restore_due_at"]
        still_open = fact["status"] in OPEN_STATUSES or resolved is None
        stop = end if still_open else resolved
        fact["open"] = still_open
        fact["duration"] = max(stop - detected, dt.timedelta(0))
        fact["missed"] = due < end if still_open else resolved > due
        yield fact


def scoped_incidents(
    customer_id: int | None = None, service_id: int | None = None
) -> QuerySet[Incident]:
    """The operator's incidents, or those affecting one customer or one service."""
    qs = Incident.objects.all()
    if customer_id is not None:
        qs = qs.filter(pk__in=Incident.objects.filter(customers=customer_id).values("pk"))
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    return qs


def detected_between(
    start: dt.datetime, end: dt.datetime, among: QuerySet[Incident] | None = None
) -> QuerySet[Incident]:
    """The incidents detected in [start, end) (the cohort fault statistics count)."""
    base = Incident.objects.all() if among is None else among
    return base.filter(detected_at__gte=start, detected_at__lt=end)


def responsibility_counts(
    start: dt.datetime, end: dt.datetime, among: QuerySet[Incident] | None = None
) -> dict[str, int]:
    """Incidents detected in [start, end) per responsibility (F8: inside or outside the
    operations department's), every value of Responsibility present."""
    counts = {value: 0 for value in Responsibility.values}
    rows = detected_between(start, end, among).order_by().values("responsibility")
    for row in rows.annotate(n=Count("pk")):
        counts[row["responsibility"]] = row["n"]
    return counts


def emergency_events(
    start: dt.datetime, end: dt.datetime, among: QuerySet[Incident] | None = None
) -> list[dict[str, Any]]:
    """The incidents detected in [start, end) recorded as emergency events (F10), oldest
    first: reference, title, severity, detection and resolution, and the procedure applied
    as recorded ('' when none was written down), and the emergency plan used
    (``emergency_plan_id``, ``emergency_plan_name``, ``emergency_plan_version``; None when
    no plan was linked). ``plan_used`` is what the report shows: the plan's name and
    version when one was linked, else the procedure as written ('' when neither)."""
    rows = (
        detected_between(start, end, among)
        .filter(is_emergency=True)
        .order_by("detected_at", "pk")
        .values(
            "pk",
            "reference",
            "title",
            "severity",
            "classification",
            "detected_at",
            "resolved_at",
            "emergency_procedure",
            "emergency_plan_id",
            emergency_plan_name=F("emergency_plan__name"),
            emergency_plan_version=F("emergency_plan__version"),
        )
    )
    return [{**r, "plan_used": _plan_used(r)} for r in rows]


def _plan_used(row: dict[str, Any]) -> str:
    if row["emergency_plan_id"] is None:
        return str(row["emergency_procedure"] or "")
    return f"{row['emergency_plan_name']} v{row['emergency_plan_version']}"
