"""S3, F2, F4, D3 (DESIGN "SLA clocks"): a clock's stored due time, warning time and state
are only a cache. Replaying random sequences of ticket events through the desk services —
waiting for the customer (the clocks pause), the customer's reply or staff taking the work
back (they resume), staff replies (the first response stops, a next update starts),
priority changes (new targets), category changes (new targets and calendars), resolution
(the clocks stop) and reopening (a new resolution clock) — leaves on every clock exactly
what core computes from the ticket's event record and the calendar alone.

The recomputation below reads the ticket's events (created, status changes, updates,
messages), the categories and the desk's default limits; it never reads a clock's stored
start, pauses, target, calendar or results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from baozhang.calendars.selectors import calendar_for
from baozhang.core.calendar_iso import parse_duration
from baozhang.core.calendar_timer import Pause, Timer
from baozhang.desk import services
from baozhang.desk.models import (
    FINISHED_STATUSES,
    PAUSING_STATUSES,
    Category,
    ClockKind,
    ClockState,
    Priority,
    Status,
    Ticket,
    TicketMessage,
    Visibility,
)
from baozhang.desk.policy import DEFAULT_LIMITS
from baozhang.events.models import Event, EventKind
from baozhang.events.services import object_type_of

CST = dt.timezone(dt.timedelta(hours=8))
# A Friday afternoon before China's National Day holidays: gaps of up to three days cross
# nights, weekends, the holidays and the make-up working days of cn-5x8.
T0 = dt.datetime(2026, 9, 25, 17, 30, tzinfo=CST)

# Categories by letter: a resolution limit and the calendar it is counted on ("" is the
# desk's calendar).
CATEGORIES = {"a": ("PT6H", "24x7"), "b": ("2wd", "cn-5x8"), "c": ("PT3H", "")}

PRIORITIES = [p.value for p in Priority]
SIMPLE_ACTIONS = ["wait", "customer_reply", "staff_resumes", "staff_reply", "resolve"]
ACTION = st.one_of(
    st.sampled_from(SIMPLE_ACTIONS),
    st.tuples(st.just("priority"), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("category"), st.sampled_from([None, *CATEGORIES])),
)
STEPS = st.lists(st.tuples(st.integers(1, 3 * 24 * 60), ACTION), max_size=14)


@dataclass(frozen=True)
class Expected:
    kind: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    target: str
    calendar_key: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    state: str


@dataclass
class _Life:
    """One clock as the events tell it."""

    kind: str
    start: dt.datetime
    target: str
    calendar_key: str
    pauses: list[Pause] = field(default_factory=list)
    paused_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    seen: dt.datetime | None = None


def _replay(personas: Any, first: tuple[str, str | None], steps: list[Any]) -> Ticket:
    """Open a fault and apply `steps` (minutes after the last step, action) through the
    services."""
    categories = {
        letter: Category.objects.create(
            name=f"category {letter}", resolution_limit=limit, calendar_key=key
        )
        for letter, (limit, key) in CATEGORIES.items()
    }
    priority, category = first
    ticket = services.open_ticket(
        None,
        customer=personas.org_a,
        kind="fault",
        subject="线路中断 Line down",
        contact=personas.contact_a,
        priority=priority,
        category=categories[category] if category else None,
        now=T0,
    )
    at = T0
    for minutes, action in steps:
        at += dt.timedelta(minutes=minutes)
        ticket.refresh_from_db()
        if action == "wait":
            services.change_status(personas.agent, ticket, Status.WAITING_CUSTOMER, now=at)
        elif action == "customer_reply":
            services.reply(personas.contact_a, ticket, "已重启 restarted", now=at)
        elif action == "staff_resumes":
            services.change_status(personas.agent, ticket, Status.OPEN, now=at)
        elif action == "staff_reply":
            services.reply(personas.agent, ticket, "正在处理 working on it", now=at)
        elif action == "resolve":
            services.change_status(personas.agent, ticket, Status.RESOLVED, now=at)
        elif action[0] == "priority":
            services.update_ticket(personas.agent, ticket, now=at, priority=action[1])
        else:
            chosen = categories[action[1]] if action[1] else None
            services.update_ticket(personas.agent, ticket, now=at, category=chosen)
    ticket.refresh_from_db()
    return ticket


def _target(kind: str, priority: str, category_id: int | None) -> tuple[str, str]:
    """The limit and calendar of a clock of a fault with this priority and category."""
    category = Category.objects.filter(pk=category_id).first() if category_id else None
    if kind == ClockKind.RESOLUTION and category is not None and category.resolution_limit:
        return category.resolution_limit, category.calendar_key or settings.DESK_CALENDAR
    return DEFAULT_LIMITS[kind][priority], settings.DESK_CALENDAR


def _lives(ticket: Ticket) -> list[_Life]:
    """Every clock of `ticket` from its event record, in the order they started."""
    ticket_type, message_type = object_type_of(ticket), object_type_of(TicketMessage())
    events = Event.objects.filter(
        Q(object_type=ticket_type, object_id=str(ticket.pk))
        | Q(parent_type=ticket_type, parent_id=str(ticket.pk))
    ).order_by("id")
    lives: list[_Life] = []
    status, priority, category_id = Status.NEW, "", None

    def start(kind: str, at: dt.datetime) -> None:
        target, calendar_key = _target(kind, priority, category_id)
        life = _Life(kind, at, target, calendar_key, seen=at)
        if status in PAUSING_STATUSES:
            life.paused_at = at  # started while waiting for the customer
        lives.append(life)

    def stop(life: _Life, at: dt.datetime) -> None:
        if life.paused_at is not None:
            life.pauses.append(Pause(life.paused_at, at))
            life.paused_at = None
        life.stopped_at = life.seen = at

    def running(kind: str | None = None) -> list[_Life]:
        return [x for x in lives if x.stopped_at is None and kind in (None, x.kind)]

    for event in events:
        at = event.at
        if event.object_type == ticket_type and event.kind == EventKind.CREATED:
            priority, category_id = event.after["priority"], event.after["category"]
            start(ClockKind.FIRST_RESPONSE, at)
            start(ClockKind.RESOLUTION, at)
        elif event.object_type == ticket_type and event.kind == EventKind.UPDATED:
            priority = event.after.get("priority", priority)
            category_id = event.after.get("category", category_id)
            if {"priority", "category", "kind"} & set(event.after):
                for life in running():  # a new target: the open clocks are recomputed
                    life.target, life.calendar_key = _target(life.kind, priority, category_id)
                    life.seen = at
        elif event.object_type == ticket_type and event.kind == EventKind.STATE_CHANGED:
            before, status = event.before["status"], event.after["status"]
            if status in FINISHED_STATUSES and before not in FINISHED_STATUSES:
                for life in running():
                    stop(life, at)
            elif status in PAUSING_STATUSES and before not in PAUSING_STATUSES:
                for life in running():
                    life.paused_at, life.seen = at, at
            elif before in PAUSING_STATUSES and status not in PAUSING_STATUSES:
                for life in running():
                    stop_pause = life.paused_at
                    assert stop_pause is not None
                    life.pauses.append(Pause(stop_pause, at))
                    life.paused_at, life.seen = None, at
            if before == Status.RESOLVED and status not in FINISHED_STATUSES:
                start(ClockKind.RESOLUTION, at)  # reopened: the promise starts again
        elif event.object_type == message_type and event.kind == EventKind.CREATED:
            message = TicketMessage.objects.get(pk=event.object_id)
            if not message.from_customer and message.visibility == Visibility.PUBLIC:
                for life in running(ClockKind.FIRST_RESPONSE):
                    stop(life, at)
                for life in running(ClockKind.NEXT_UPDATE):
                    stop(life, at)
                if status not in FINISHED_STATUSES:
                    start(ClockKind.NEXT_UPDATE, at)
    return lives


def _expected(life: _Life) -> Expected:
    """What core computes for one clock, seen when the events last touched it."""
    pauses = (*life.pauses, *([Pause(life.paused_at)] if life.paused_at else []))
    calendar = calendar_for(life.calendar_key)
    seen = life.seen or life.start
    timer = Timer(life.start, parse_duration(life.target), pauses)
    now = timer.state(calendar, seen)
    warn = Timer(life.start, (now.used + now.left) * settings.DESK_WARN_SHARE, pauses).state(
        calendar, seen
    )
    if life.stopped_at is not None:
        state = ClockState.BREACHED if now.overdue else ClockState.MET
    elif life.paused_at is not None:
        state = ClockState.PAUSED
    else:
        state = ClockState.BREACHED if now.overdue else ClockState.RUNNING
    return Expected(
        life.kind,
        life.start,
        life.stopped_at,
        life.target,
        life.calendar_key,
        now.deadline,
        warn.deadline,
        state,
    )


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.tuples(st.sampled_from(PRIORITIES), st.sampled_from([None, *CATEGORIES])),
    steps=STEPS,
)
def test_stored_clocks_equal_a_recomputation_from_the_events(
    personas: Any, settings: Any, first: tuple[str, str | None], steps: list[Any]
) -> None:
    # Given a desk whose default limits count on the working-day calendar
    settings.DESK_CALENDAR = "cn-5x8"
    with transaction.atomic():
        # When a random sequence of events happens to a fault
        ticket = _replay(personas, first, steps)

        # Then its clocks are the ones its events start, each holding what core computes
        stored = [
            Expected(
                c.kind,
                c.started_at,
                c.stopped_at,
                c.target,
                c.calendar_key,
                c.due_at,
                c.warn_at,
                c.state,
            )
            for c in ticket.clocks.order_by("id")
        ]
        assert stored == [_expected(life) for life in _lives(ticket)], (first, steps)
        transaction.set_rollback(True)  # each example starts from the same database
