"""Who may see which incidents and updates, and the fault statistics of Q4."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from baozhang.accounts.permissions import is_operator_staff
from baozhang.incidents.models import (
    OPEN_STATUSES,
    Classification,
    Incident,
    IncidentUpdate,
    ReviewAction,
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


def visible_review_actions(user: User | AnonymousUser) -> QuerySet[ReviewAction]:
    """Preventive actions are the operator's own work: staff only."""
    qs = ReviewAction.objects.select_related("review__incident", "owner")
    return qs if is_operator_staff(user) else qs.none()


def open_first(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    """Unresolved incidents first (oldest detection first), then the rest, newest first."""
    return qs.annotate(
        _closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_closed", "-detected_at", "-id")


def fault_statistics(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
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
    found = Incident.objects.filter(detected_at__gte=start, detected_at__lt=end).values_list(
        "classification", "status", "detected_at", "resolved_at", "restore_due_at", "is_emergency"
    )
    for classification, status, detected, resolved, due, emergency in found.iterator():
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
        still_open = status in OPEN_STATUSES or resolved is None
        stop = end if still_open else resolved
        row["duration"] += max(stop - detected, dt.timedelta(0))
        if still_open:
            row["open"] += 1
            row["missed"] += due < end
        else:
            row["missed"] += resolved > due
        row["emergencies"] += bool(emergency)
    return list(rows.values())
