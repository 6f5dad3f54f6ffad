"""S3, F2, D3 (DESIGN "SLA clocks"): a clock's stored due time, warning time and state are
only a cache. Replaying random sequences of ticket events through the desk services —
waiting for the customer (the clocks pause), the customer's reply or staff reopening the
work (they resume), priority changes (new targets), category changes (new targets and
calendars) and, at the end, maybe resolution (the clocks stop) — leaves on every clock
exactly what core computes from the ticket's event record and the calendar alone.

The recomputation below reads the ticket's events (created, status changes, updates), the
categories and the desk's default limits; it never reads a clock's stored pauses, target,
calendar or results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
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
STATUS_ACTIONS = ["wait", "customer_reply", "staff_resumes"]
ACTION = st.one_of(
    st.sampled_from(STATUS_ACTIONS),
    st.tuples(st.just("priority"), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("category"), st.sampled_from([None, *CATEGORIES])),
)
STEPS = st.lists(st.tuples(st.integers(1, 3 * 24 * 60), ACTION), max_size=12)


@dataclass(frozen=True)
class Expected:
    target: str
    calendar_key: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    state: str


def _replay(
    personas: Any, first: tuple[str, str | None], steps: list[Any], resolve: bool
) -> Ticket:
    """Open a fault and apply `steps` (minutes after the last step, action) through the
    services, then maybe resolve it a minute later."""
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
        elif action[0] == "priority":
            services.update_ticket(personas.agent, ticket, now=at, priority=action[1])
        else:
            chosen = categories[action[1]] if action[1] else None
            services.update_ticket(personas.agent, ticket, now=at, category=chosen)
    if resolve:
        ticket.refresh_from_db()
        at += dt.timedelta(minutes=1)
        services.change_status(personas.agent, ticket, Status.RESOLVED, now=at)
    ticket.refresh_from_db()
    return ticket


def _recompute(ticket: Ticket, kind: str) -> Expected:
    """A clock of `ticket` from its event record and the calendar alone."""
    events = list(
        Event.objects.filter(object_type=object_type_of(ticket), object_id=str(ticket.pk)).order_by(
            "at", "id"
        )
    )
    created = events[0]
    assert created.kind == EventKind.CREATED
    start = seen = created.at
    priority = created.after["priority"]
    category_id = created.after["category"]
    pauses: list[Pause] = []
    paused_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    for event in events[1:]:
        if event.kind == EventKind.UPDATED and event.after:
            priority = event.after.get("priority", priority)
            category_id = event.after.get("category", category_id)
            if {"priority", "category", "kind"} & set(event.after):
                seen = event.at  # a new target: the open clocks are recomputed
        elif event.kind == EventKind.STATE_CHANGED:
            before, after = event.before["status"], event.after["status"]
            if after in PAUSING_STATUSES and before not in PAUSING_STATUSES:
                paused_at, seen = event.at, event.at
            elif before in PAUSING_STATUSES and after not in PAUSING_STATUSES:
                assert paused_at is not None
                pauses.append(Pause(paused_at, event.at))
                paused_at, seen = None, event.at
            if after in FINISHED_STATUSES and stopped_at is None:
                stopped_at = seen = event.at
    if paused_at is not None:
        pauses.append(Pause(paused_at))

    category = Category.objects.filter(pk=category_id).first() if category_id else None
    if kind == ClockKind.RESOLUTION and category is not None and category.resolution_limit:
        target, calendar_key = category.resolution_limit, category.calendar_key
    else:
        target, calendar_key = DEFAULT_LIMITS[kind][priority], ""
    calendar_key = calendar_key or settings.DESK_CALENDAR
    calendar = calendar_for(calendar_key)

    timer = Timer(start, parse_duration(target), tuple(pauses))
    at = timer.state(calendar, seen)
    warn = Timer(start, (at.used + at.left) * settings.DESK_WARN_SHARE, tuple(pauses)).state(
        calendar, seen
    )
    if stopped_at is not None:
        state = ClockState.BREACHED if at.overdue else ClockState.MET
    elif paused_at is not None:
        state = ClockState.PAUSED
    else:
        state = ClockState.BREACHED if at.overdue else ClockState.RUNNING
    return Expected(target, calendar_key, at.deadline, warn.deadline, state)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.tuples(st.sampled_from(PRIORITIES), st.sampled_from([None, *CATEGORIES])),
    steps=STEPS,
    resolve=st.booleans(),
)
def test_stored_deadlines_equal_a_recomputation_from_the_events(
    personas: Any, settings: Any, first: tuple[str, str | None], steps: list[Any], resolve: bool
) -> None:
    # Given a desk whose default limits count on the working-day calendar
    settings.DESK_CALENDAR = "cn-5x8"
    with transaction.atomic():
        # When a random sequence of events happens to a fault
        ticket = _replay(personas, first, steps, resolve)

        # Then each clock holds what its events and the calendar give
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
            clock = ticket.clocks.get(kind=kind)
            stored = Expected(
                clock.target, clock.calendar_key, clock.due_at, clock.warn_at, clock.state
            )
            assert stored == _recompute(ticket, kind), (kind, first, steps, resolve)
        transaction.set_rollback(True)  # each example starts from the same database
