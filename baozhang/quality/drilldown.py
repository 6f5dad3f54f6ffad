"""The records behind each figure of the quality report (Q4: "every figure drills down to
the records it was computed from").

Each function takes the report's period and scope and a few filters, and lists the
records through the same read functions the figure was computed with, so that a list's
length is the figure: the faults through incidents' ``fault_facts`` (the rows
``fault_statistics`` adds up) and ``emergency_events``, the monitors' periods as the
report's :func:`~baozhang.quality.report.collection_integrity` counts them (the page's
monitors each, the totals by its own ``collection_integrity_totals``), the complaints
through the scope's complaints (``statistics.scope_complaints``) and each one's
resolution clock, settled as the desk measures settle it. The page is
``/quality/report/records/`` (views.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.utils import timezone

from baozhang.core.desk_measures import ratio
from baozhang.desk.models import Clock, ClockKind, ClockState, Ticket
from baozhang.incidents import selectors as incidents
from baozhang.quality import desk_measures as desk
from baozhang.quality.report import (
    collection_integrity_totals,
    integrity_monitors,
    monitor_integrity,
)
from baozhang.quality.statistics import (
    Period,
    Scope,
    scope_complaints,
    scope_incidents,
    year_to_date,
)

# Which records a drill-down lists.
INCIDENTS, MONITORS, COMPLAINTS = "incidents", "monitors", "complaints"

# The filters of the faults' list (``state``).
INCIDENT_STATES = ("open", "missed", "emergency", "emergency_without_plan")
# The filters of the complaints' list (``answer``).
ANSWERS = ("settled", "within", "late", "pending", "rated")


@dataclass(frozen=True)
class Filters:
    """What a drill-down keeps. ``cls``: one fault class; ``state``: one of
    INCIDENT_STATES; ``responsibility``: inside or outside; ``year_to_date``: the faults
    from the first of the period's year to its end (the F9 yearly target); ``category``:
    a complaint category's name ("" for none; None: any); ``channel``; ``answer``: one of
    ANSWERS."""

    cls: str | None = None
    state: str | None = None
    responsibility: str | None = None
    year_to_date: bool = False
    category: str | None = None
    channel: str | None = None
    answer: str | None = None


def incident_records(period: Period, scope: Scope, filters: Filters) -> list[dict[str, Any]]:
    """The faults detected in the period (or the year to its end) of the scope that the
    filters keep, oldest first, each with ``duration`` (a timedelta), ``open``, ``missed``
    and ``plan_used`` (for emergency events)."""
    if filters.year_to_date:
        period = year_to_date(period)
    among = scope_incidents(scope)
    # The class and responsibility are the incidents' own fields: the database keeps them.
    if filters.cls is not None:
        among = among.filter(classification=filters.cls)
    if filters.responsibility is not None:
        among = among.filter(responsibility=filters.responsibility)
    plans: dict[int, str] = {}
    if filters.state in ("emergency", "emergency_without_plan"):
        plans = {
            r["pk"]: r["plan_used"]
            for r in incidents.emergency_events(period.start, period.end, among)
        }
    found = []
    for fact in incidents.fault_facts(period.start, period.end, among=among):
        if filters.state == "open" and not fact["open"]:
            continue
        if filters.state == "missed" and not fact["missed"]:
            continue
        if filters.state in ("emergency", "emergency_without_plan"):
            if fact["pk"] not in plans:
                continue
            if filters.state == "emergency_without_plan" and plans[fact["pk"]]:
                continue
            fact["plan_used"] = plans[fact["pk"]]
        found.append(fact)
    return found


class MonitorList(Sequence[dict[str, Any]]):
    """The scope's monitors, by id: its length is their number, and a slice (the page
    shown) computes the periods, abnormal and excluded periods and 完好率 of its monitors
    only, as the report's ``collection_integrity`` counts each one; ``totals`` are the
    report's own figure (``collection_integrity_totals``), not a sum of the page."""

    def __init__(self, period: Period, scope: Scope, now: dt.datetime) -> None:
        self._period, self._now = period, now
        self._monitors = integrity_monitors(scope)
        self._count: int | None = None
        self.totals = collection_integrity_totals(period, scope, now=now)

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._monitors.count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            index = index + len(self) if index < 0 else index
            if not 0 <= index < len(self):
                raise IndexError(index)
            return self[index : index + 1][0]
        monitors = list(self._monitors[index])
        names = {m.pk: m.name for m in monitors}
        return [
            {
                **m,
                "name": names[m["monitor_id"]],
                "rate": ratio(m["periods"] - m["abnormal"], m["periods"]),
            }
            for m in monitor_integrity(monitors, self._period, now=self._now)
        ]


def monitor_records(period: Period, scope: Scope, *, now: dt.datetime | None = None) -> MonitorList:
    """The scope's monitors with their periods, abnormal and excluded periods and 完好率
    in the period, as the report's ``collection_integrity`` counts them; a slice computes
    its monitors only, and ``totals`` are the report's figure."""
    return MonitorList(period, scope, now or timezone.now())


class ComplaintList(Sequence[dict[str, Any]]):
    """The complaints a drill-down keeps, in order: its length (the figure) and the
    satisfaction answers it counts (``scores``) are known from a few narrow reads of every
    complaint of the period; a slice (the page shown) reads the details of its complaints
    only, so that a year's 10,000 complaints are not read whole on every request."""

    def __init__(
        self, keys: list[tuple[int, int | None]], answer: dict[int, str], scores: list[int]
    ) -> None:
        self._keys = keys  # (ticket id, the one answer shown or None), in the list's order
        self._answer = answer  # the ticket's settled answer ("within"/"late"), where known
        self.scores = scores

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self._rows(self._keys[index : index + 1 or None])[0]
        return self._rows(self._keys[index])

    def _rows(self, keys: list[tuple[int, int | None]]) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(pk for pk, _ in keys))
        details = {
            t["pk"]: t
            for t in Ticket.objects.filter(pk__in=ids).values(
                "pk",
                "rating",
                "reference",
                "subject",
                "channel",
                "status",
                "created_at",
                "customer__name",
                "category__name",
            )
        }
        answer = dict(self._answer)
        due: dict[int, Any] = {}
        for ticket_id, stopped_at, state, due_at in _resolution_clocks(ids):
            due[ticket_id] = due_at
            if desk.settled(stopped_at, state):
                answer[ticket_id] = "within" if state == ClockState.MET else "late"
        scores = desk.callback_scores(Ticket.objects.filter(pk__in=ids).values("pk"))
        rows = []
        for pk, score in keys:
            t = dict(details[pk])
            t["answer"] = answer.get(pk, "pending")
            t["due_at"] = due.get(pk)
            t["scores"] = desk.answer_scores(t["rating"], scores[pk])
            if score is not None:
                t["score"] = score
            rows.append(t)
        return rows


def _resolution_clocks(tickets: list[int]) -> Any:
    """(ticket id, stopped_at, state, due_at) of the resolution clock of each of
    ``tickets``."""
    return Clock.objects.filter(ticket__in=tickets, kind=ClockKind.RESOLUTION).values_list(
        "ticket_id", "stopped_at", "state", "due_at"
    )


def complaint_records(period: Period, scope: Scope, filters: Filters) -> ComplaintList | None:
    """The complaints opened in the period of the scope that the filters keep, oldest
    first, each with its category's name, channel, customer, status, resolution deadline
    and ``answer``: "within" (answered within the complaint limit), "late" or "pending",
    and its satisfaction answers (``scores``; with ``answer="rated"`` one row per answer,
    with ``score``; the list's ``scores`` are all of them).
    None where the scope's complaints are not attributable (one service).
    Only what the filters need is read for every complaint (the answers for an answer's
    list, the satisfaction for the rated one); the details for the rows read only."""
    qs = scope_complaints(period.start, period.end, scope)
    if qs is None:
        return None
    if filters.category is not None:
        qs = (
            qs.filter(category=None)
            if filters.category == ""
            else qs.filter(category__name=filters.category)
        )
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    ordered = list(qs.order_by("created_at", "pk").values_list("pk", "rating"))
    answer: dict[int, str] = {}
    if filters.answer in ("settled", "within", "late", "pending"):
        clocks = Clock.objects.filter(
            ticket__in=qs.order_by().values("pk"), kind=ClockKind.RESOLUTION
        ).values_list("ticket_id", "stopped_at", "state")  # no deadlines: not shown
        for ticket_id, stopped_at, state in clocks:
            if desk.settled(stopped_at, state):
                answer[ticket_id] = "within" if state == ClockState.MET else "late"
    keys: list[tuple[int, int | None]] = []
    all_scores: list[int] = []
    if filters.answer == "rated":
        # One row per satisfaction answer, as the measures count them.
        callbacks = desk.callback_scores(qs.order_by().values("pk"))
        for pk, rating in ordered:
            for score in desk.answer_scores(rating, callbacks[pk]):
                keys.append((pk, score))
                all_scores.append(score)
        return ComplaintList(keys, answer, all_scores)
    for pk, _rating in ordered:
        got = answer.get(pk, "pending")
        if filters.answer == "settled" and got == "pending":
            continue
        if filters.answer in ("within", "late", "pending") and got != filters.answer:
            continue
        keys.append((pk, None))
    return ComplaintList(keys, answer, all_scores)
