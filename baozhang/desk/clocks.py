"""Deriving a clock's deadline, warning time and state from its facts with core's Timer.

The stored due_at / warn_at / state are a cache for the worker's index; `refresh` always
recomputes them from the facts, so replaying the same facts gives the same answer.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from baozhang.calendars.selectors import calendar_for
from baozhang.core.calendar_iso import parse_duration
from baozhang.core.calendar_timer import Pause, Timer
from baozhang.desk.models import Clock, ClockState


def timer_of(clock: Clock) -> Timer:
    pauses = tuple(
        Pause(dt.datetime.fromisoformat(p[0]), dt.datetime.fromisoformat(p[1]) if p[1] else None)
        for p in clock.pauses
    )
    return Timer(clock.started_at, parse_duration(clock.target), pauses)


def refresh(clock: Clock, now: dt.datetime) -> Clock:
    """Recompute due_at, warn_at, state and provisional (unsaved). A stopped clock is seen
    at its stop; a paused one has no due time until it resumes."""
    calendar = calendar_for(clock.calendar_key)
    timer = timer_of(clock)
    seen_at = clock.stopped_at or now
    state = timer.state(calendar, seen_at)
    clock.provisional = state.provisional
    target = state.used + state.left
    share = getattr(settings, "DESK_WARN_SHARE", 0.75)
    warn = Timer(timer.start, target * share, timer.pauses).state(calendar, seen_at)
    clock.due_at = state.deadline
    clock.warn_at = warn.deadline
    if clock.stopped_at is not None:
        clock.state = ClockState.BREACHED if state.overdue else ClockState.MET
        clock.breached = state.overdue
    elif state.paused:
        clock.state = ClockState.PAUSED
    else:
        clock.state = ClockState.BREACHED if state.overdue else ClockState.RUNNING
        clock.breached = state.overdue
        if not state.overdue:
            clock.breach_handled = False  # a later target may be missed again
    return clock


def time_left(clock: Clock, now: dt.datetime) -> dt.timedelta:
    """Business time left at `now` (negative when overdue)."""
    state = timer_of(clock).state(calendar_for(clock.calendar_key), clock.stopped_at or now)
    return state.left


def pause(clock: Clock, at: dt.datetime) -> None:
    if clock.stopped_at is None and not (clock.pauses and clock.pauses[-1][1] is None):
        clock.pauses = [*clock.pauses, [at.isoformat(), None]]


def resume(clock: Clock, at: dt.datetime) -> None:
    if clock.pauses and clock.pauses[-1][1] is None:
        clock.pauses = [*clock.pauses[:-1], [clock.pauses[-1][0], at.isoformat()]]
