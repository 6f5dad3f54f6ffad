"""Pausable SLA timers on cn-5x8: used, left and deadline from plain facts."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.core.calendar import WorkingDays, builtin_calendar
from baozhang.core.calendar_timer import Pause, Timer

H = dt.timedelta(hours=1)
CN = builtin_calendar("cn-5x8")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_running_timer_without_pauses() -> None:
    # Given a ticket opened Monday 09:00 with an 8-hour resolution target,
    timer = Timer(at("2026-09-28T09:00:00+08:00"), 8 * H)
    # when it is 11:00,
    state = timer.state(CN, at("2026-09-28T11:00:00+08:00"))
    # then 2 hours are used, 6 left, and it is due at the close of business.
    assert (state.used, state.left) == (2 * H, 6 * H)
    assert state.deadline == at("2026-09-28T18:00:00+08:00")
    assert (state.paused, state.overdue, state.provisional) == (False, False, False)


def test_pause_pushes_the_deadline_by_the_business_time_paused() -> None:
    # Waiting for the customer 10:00-14:00 stops 3 business hours (10-12, 13-14).
    timer = (
        Timer(at("2026-09-28T09:00:00+08:00"), 8 * H)
        .pause(at("2026-09-28T10:00:00+08:00"))
        .resume(at("2026-09-28T14:00:00+08:00"))
    )
    state = timer.state(CN, at("2026-09-28T15:00:00+08:00"))
    assert state.used == 2 * H
    # 6 hours left from 15:00: 3 today, 3 tomorrow morning, ending at 12:00 (not 13:00).
    assert state.deadline == at("2026-09-29T12:00:00+08:00")


def test_paused_timer_has_no_deadline_and_keeps_its_time() -> None:
    timer = Timer(at("2026-09-28T09:00:00+08:00"), 8 * H).pause(at("2026-09-28T10:30:00+08:00"))
    state = timer.state(CN, at("2026-10-09T10:00:00+08:00"))
    assert (state.used, state.left, state.deadline, state.paused) == (
        1.5 * H,
        6.5 * H,
        None,
        True,
    )


def test_overdue_timer_reports_when_it_was_due() -> None:
    timer = Timer(at("2026-09-28T09:00:00+08:00"), 2 * H)
    state = timer.state(CN, at("2026-09-28T14:00:00+08:00"))
    assert state.overdue is True
    assert state.left == -2 * H
    assert state.deadline == at("2026-09-28T11:00:00+08:00")
    # Breached before a pause: the deadline stays in the past, even while paused.
    paused = timer.pause(at("2026-09-28T14:00:00+08:00"))
    assert paused.state(CN, at("2026-09-30T10:00:00+08:00")).deadline == at(
        "2026-09-28T11:00:00+08:00"
    )


def test_working_day_target_matches_add_working_days() -> None:
    start = at("2026-09-30T16:00:00+08:00")
    timer = Timer(start, WorkingDays(10))
    state = timer.state(CN, start)
    assert state.deadline == CN.add_working_days(start, 10).at == at("2026-10-20T18:00:00+08:00")
    # A pause of one business day (Oct 8) moves it by one business day.
    paused = timer.pause(at("2026-10-08T09:00:00+08:00")).resume(at("2026-10-09T09:00:00+08:00"))
    later = paused.state(CN, at("2026-10-12T09:00:00+08:00"))
    assert later.deadline == at("2026-10-21T18:00:00+08:00")


@pytest.mark.parametrize(
    ("pauses", "message"),
    [
        ((Pause(at("2026-09-28T08:00:00+08:00"), None),), "before"),
        ((Pause(at("2026-09-28T10:00:00+08:00"), at("2026-09-28T09:30:00+08:00")),), "before it"),
        (
            (Pause(at("2026-09-28T10:00:00+08:00")), Pause(at("2026-09-28T11:00:00+08:00"))),
            "not the last",
        ),
    ],
)
def test_bad_pauses_are_refused(pauses: tuple[Pause, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Timer(at("2026-09-28T09:00:00+08:00"), H, pauses)


def test_events_after_now_are_refused() -> None:
    timer = Timer(at("2026-09-28T09:00:00+08:00"), H).pause(at("2026-09-28T12:00:00+08:00"))
    with pytest.raises(ValueError, match="after now"):
        timer.state(CN, at("2026-09-28T11:00:00+08:00"))
    with pytest.raises(ValueError, match="already paused"):
        timer.pause(at("2026-09-28T13:00:00+08:00"))
