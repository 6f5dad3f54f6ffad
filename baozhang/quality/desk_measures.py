"""Desk measures (D2, A3) over a period, grouped by agent, group or customer, scoped to
the viewer: the operator's staff see every customer's tickets and calls, a customer's
people only their own organisation's.

The cohort is the tickets opened in the period [start, end): their first-response and
resolution times (wall clock, and business time on the calendar of the ticket's clock),
their SLA clocks, reopenings and satisfaction answers. Calls are those that started in
the period. The counting itself is baozhang.core.desk_measures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.core.calendar import Calendar
from baozhang.core.desk_measures import (
    CallFigures,
    Figures,
    TicketFacts,
    measure,
    measure_by,
)
from baozhang.desk.models import Clock, ClockKind, ClockState
from baozhang.desk.selectors import visible_tickets

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

BY_CHOICES = ("agent", "group", "customer")
_BY_FIELD = {"agent": "assignee", "group": "group", "customer": "customer"}


@dataclass(frozen=True)
class Row:
    key: int | None  # the agent's, group's or customer's id; None: nobody / no group
    label: str
    figures: Figures


@dataclass(frozen=True)
class Measures:
    start: dt.datetime
    end: dt.datetime
    by: str
    rows: list[Row]
    totals: Figures
    calls: CallFigures
    calls_by_channel: dict[str, CallFigures] = field(default_factory=dict)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) covering the local days ``first`` to ``last`` inclusive, in the
    current time zone. Raises ValueError when ``last`` is before ``first``."""
    if last < first:
        raise ValueError(
            f"the end {last} is before the start {first} / 结束日期 {last} 早于开始日期 {first}"
        )
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def _callback_model() -> Any:
    """desk.Callback with a satisfaction field, or None before that model exists."""
    try:
        model = apps.get_model("desk", "Callback")
        model._meta.get_field("satisfaction")
    except (LookupError, FieldDoesNotExist):
        return None
    return model


class _Calendars:
    """Core calendars by key, each looked up once per request; unknown keys give None."""

    def __init__(self) -> None:
        self._known: dict[str, Calendar | None] = {}

    def between(self, key: str, a: dt.datetime, b: dt.datetime) -> dt.timedelta | None:
        from baozhang.calendars.selectors import calendar_for

        if key not in self._known:
            try:
                self._known[key] = calendar_for(key)
            except KeyError:
                self._known[key] = None
        calendar = self._known[key]
        if calendar is None or b < a:
            return None
        try:
            return calendar.between(a, b).duration
        except ValueError:  # outside the calendar's years
            return None


def _label(by: str, row: dict[str, Any]) -> str:
    if by == "agent":
        if row["assignee_id"] is None:
            return _("Unassigned")
        full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        return full or str(row["assignee__username"])
    if by == "group":
        return str(row["group__name"]) if row["group_id"] is not None else _("No group")
    return str(row["customer__name"])


def settled(stopped_at: dt.datetime | None, state: str) -> bool:
    """A clock counts once its outcome is settled: stopped, or already breached (it can no
    longer be met, and leaving it out would flatter an open backlog)."""
    return stopped_at is not None or state == ClockState.BREACHED


def callback_scores(ticket_ids: QuerySet[Any]) -> dict[int, list[int]]:
    """The satisfaction each callback of the tickets ``ticket_ids`` (a query of ids)
    recorded, by ticket id."""
    scores: dict[int, list[int]] = defaultdict(list)
    callback = _callback_model()
    if callback is not None:
        answers = callback.objects.filter(ticket__in=ticket_ids, satisfaction__isnull=False)
        for ticket_id, satisfaction in answers.order_by("pk").values_list(
            "ticket_id", "satisfaction"
        ):
            scores[ticket_id].append(satisfaction)
    return scores


def answer_scores(rating: int | None, callbacks: list[int]) -> tuple[int, ...]:
    """The satisfaction answers (1–5) a ticket counts in the measures: its customer's
    rating, then each callback's."""
    answers = ([rating] if rating is not None else []) + callbacks
    return tuple(s for s in answers if 1 <= s <= 5)


def ticket_facts(
    tickets: QuerySet[Any], by: str, *, key: str = ""
) -> tuple[list[tuple[Any, TicketFacts]], dict[Any, str]]:
    """(key, facts) per ticket of ``tickets``, and the label of each key. The key is the
    agent's, group's or customer's id (``by``), or the ticket's ``key`` field when named
    (``"created_at"``: to split one read into periods)."""
    key_field = key or f"{_BY_FIELD[by]}_id"
    rows = list(
        tickets.order_by().values(
            "id",
            "created_at",
            "first_response_at",
            "resolved_at",
            "reopen_count",
            "rating",
            "assignee_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "group_id",
            "group__name",
            "customer_id",
            "customer__name",
        )
    )
    ids = tickets.order_by().values("id")
    met: dict[int, int] = defaultdict(int)
    finished: dict[int, int] = defaultdict(int)
    calendar_of: dict[tuple[int, str], str] = {}
    clock_rows = Clock.objects.filter(ticket__in=ids).values_list(
        "ticket_id", "kind", "state", "stopped_at", "calendar_key"
    )
    for ticket_id, kind, state, stopped_at, calendar_key in clock_rows:
        if settled(stopped_at, state):
            finished[ticket_id] += 1
            if state == ClockState.MET:
                met[ticket_id] += 1
        calendar_of.setdefault((ticket_id, kind), calendar_key)
    scores = callback_scores(ids)
    calendars = _Calendars()
    facts: list[tuple[int | None, TicketFacts]] = []
    labels: dict[int | None, str] = {}
    for row in rows:
        tid, created = row["id"], row["created_at"]
        first, resolved = row["first_response_at"], row["resolved_at"]
        fr_key = calendar_of.get((tid, ClockKind.FIRST_RESPONSE))
        res_key = calendar_of.get((tid, ClockKind.RESOLUTION))
        facts.append(
            (
                row[key_field],
                TicketFacts(
                    first_response=first - created if first and first >= created else None,
                    resolution=resolved - created if resolved and resolved >= created else None,
                    first_response_business=(
                        calendars.between(fr_key, created, first) if fr_key and first else None
                    ),
                    resolution_business=(
                        calendars.between(res_key, created, resolved)
                        if res_key and resolved
                        else None
                    ),
                    ever_resolved=resolved is not None or row["reopen_count"] > 0,
                    reopened=row["reopen_count"] > 0,
                    clocks_met=met[tid],
                    clocks_finished=finished[tid],
                    scores=answer_scores(row["rating"], scores[tid]),
                ),
            )
        )
        labels.setdefault(row[key_field], _label(by, row))
    return facts, labels


def call_figures(
    user: User | AnonymousUser, start: dt.datetime, end: dt.datetime
) -> tuple[CallFigures, dict[str, CallFigures]]:
    """Offered (inbound) and answered calls in [start, end), in all and by channel; ({}, 0)
    when the call log is not installed."""
    try:
        apps.get_model("calls", "CallRecord")
    except LookupError:
        return CallFigures(), {}
    from baozhang.calls.models import Direction
    from baozhang.calls.selectors import visible_calls

    offered = visible_calls(user).filter(
        direction=Direction.IN, started_at__gte=start, started_at__lt=end
    )
    per_channel = (
        offered.order_by()
        .values("channel")
        .annotate(offered=Count("id"), answered=Count("id", filter=Q(answered=True)))
    )
    by_channel = {
        r["channel"]: CallFigures(offered=r["offered"], answered=r["answered"]) for r in per_channel
    }
    total = CallFigures(
        offered=sum(c.offered for c in by_channel.values()),
        answered=sum(c.answered for c in by_channel.values()),
    )
    return total, dict(sorted(by_channel.items()))


def desk_measures(
    user: User | AnonymousUser, start: dt.datetime, end: dt.datetime, by: str = "agent"
) -> Measures:
    """The figures the viewer may see for tickets opened in [start, end), one row per
    agent, group or customer (sorted by label, "nobody" last), with totals and calls.
    Raises ValueError for an unknown ``by`` or an end before the start."""
    if by not in BY_CHOICES:
        raise ValueError(
            f"unknown grouping {by!r}; use agent, group or customer / "
            f"未知的分组方式 {by!r}，可用 agent、group、customer"
        )
    if end < start:
        raise ValueError(f"the end {end} is before the start {start} / 结束早于开始")
    tickets = visible_tickets(user).filter(created_at__gte=start, created_at__lt=end)
    facts, labels = ticket_facts(tickets, by)
    grouped = measure_by(facts)
    rows = [Row(key, labels[key], figures) for key, figures in grouped.items()]
    rows.sort(key=lambda r: (r.key is None, r.label.casefold()))
    calls, calls_by_channel = call_figures(user, start, end)
    return Measures(
        start=start,
        end=end,
        by=by,
        rows=rows,
        totals=measure(f for _k, f in facts),
        calls=calls,
        calls_by_channel=calls_by_channel,
    )


def totals_by_period(
    user: User | AnonymousUser, bounds: Sequence[tuple[dt.datetime, dt.datetime]]
) -> list[Figures]:
    """For each [start, end) of ``bounds``, the totals of the tickets opened in it that the
    viewer may see: what ``desk_measures(user, start, end).totals`` gives, read from the
    database once for the whole span (tickets, their clocks, satisfaction answers)
    whatever the number of periods. Calls are not counted here."""
    if not bounds:
        return []
    if any(end < start for start, end in bounds):
        raise ValueError("a period ends before it starts / 时段的结束早于开始")
    tickets = visible_tickets(user).filter(
        created_at__gte=min(start for start, _end in bounds),
        created_at__lt=max(end for _start, end in bounds),
    )
    facts, _labels = ticket_facts(tickets, "group", key="created_at")
    return [measure(f for created, f in facts if start <= created < end) for start, end in bounds]


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 1)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def figures_dict(figures: Figures) -> dict[str, Any]:
    """Figures as JSON-ready values: durations in seconds, rates as percentages (one
    decimal), None where there is nothing to measure."""
    return {
        "tickets": figures.tickets,
        "first_response": {
            "count": figures.first_response.count,
            "median_seconds": _seconds(figures.first_response.median),
            "p90_seconds": _seconds(figures.first_response.p90),
            "business_median_seconds": _seconds(figures.first_response_business.median),
            "business_p90_seconds": _seconds(figures.first_response_business.p90),
        },
        "resolution": {
            "count": figures.resolution.count,
            "median_seconds": _seconds(figures.resolution.median),
            "p90_seconds": _seconds(figures.resolution.p90),
            "business_median_seconds": _seconds(figures.resolution_business.median),
            "business_p90_seconds": _seconds(figures.resolution_business.p90),
        },
        "sla": {
            "clocks_met": figures.clocks_met,
            "clocks_finished": figures.clocks_finished,
            "attainment_percent": _percent(figures.sla_attainment),
        },
        "reopen": {
            "reopened": figures.reopened,
            "resolved": figures.resolved,
            "rate_percent": _percent(figures.reopen_rate),
        },
        "satisfaction": {
            "count": figures.satisfaction_count,
            "average": (None if figures.satisfaction is None else round(figures.satisfaction, 2)),
        },
    }


def calls_dict(calls: CallFigures) -> dict[str, Any]:
    return {
        "offered": calls.offered,
        "answered": calls.answered,
        "missed": calls.missed,
        "connection_rate_percent": _percent(calls.connection_rate),
    }


def measures_dict(m: Measures, rows: Iterable[Row] | None = None) -> dict[str, Any]:
    return {
        "start": m.start.isoformat(),
        "end": m.end.isoformat(),
        "by": m.by,
        "rows": [
            {"key": r.key, "label": r.label, **figures_dict(r.figures)}
            for r in (m.rows if rows is None else rows)
        ],
        "totals": figures_dict(m.totals),
        "calls": {
            **calls_dict(m.calls),
            "by_channel": {k: calls_dict(v) for k, v in m.calls_by_channel.items()},
        },
    }
