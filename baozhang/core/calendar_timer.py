"""Pausable business-time timers: an SLA clock that stops while a ticket waits.

A :class:`Timer` is a plain value built from facts (started at, paused at, resumed at,
target); :meth:`Timer.state` computes, on a calendar and at a given ``now``, the business
time used, the time left and the deadline. Nothing here reads the clock or keeps state
between calls, so replaying the same facts always gives the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from baozhang.core.calendar import Calendar, WorkingDays

__all__ = ["Pause", "Timer", "TimerState"]

_ZERO = dt.timedelta(0)


class Pause(NamedTuple):
    """A pause from ``at`` to ``until``; ``until`` is None while still paused."""

    at: dt.datetime
    until: dt.datetime | None = None


class TimerState(NamedTuple):
    """A timer seen at ``now``.

    ``used`` is the business time counted so far (pauses excluded), ``left`` is
    ``target - used`` (negative once overdue), ``deadline`` the moment ``used`` reaches the
    target — None while paused with time left, since it depends on the resume. ``overdue``
    is ``used > target``; ``provisional`` is set if any figure used the fallback calendar.
    """

    used: dt.timedelta
    left: dt.timedelta
    deadline: dt.datetime | None
    paused: bool
    overdue: bool
    provisional: bool


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(f"{en} / {zh}")


@dataclass(frozen=True)
class Timer:
    """A business-time clock: ``start``, a ``target`` and ordered ``pauses``.

    A :class:`WorkingDays` target is turned into the business time from ``start`` to the
    end of business on the Nth working day, so that without pauses the deadline is exactly
    ``calendar.add_working_days(start, N)``, and each pause pushes it out by the business
    time it lasted. Raises ValueError for naive datetimes, a negative target, pauses out of
    order, before ``start``, ending before they begin, or an open pause that is not last.
    """

    start: dt.datetime
    target: dt.timedelta | WorkingDays
    pauses: tuple[Pause, ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise _bad(
                f"timer start {self.start!r} must have a UTC offset",
                f"计时开始 {self.start!r} 必须带时区偏移",
            )
        if isinstance(self.target, dt.timedelta) and self.target < _ZERO:
            raise _bad(
                f"timer target {self.target} must not be negative",
                f"计时目标 {self.target} 不能为负",
            )
        prev = self.start
        for n, pause in enumerate(self.pauses):
            if pause.at.tzinfo is None or (pause.until is not None and pause.until.tzinfo is None):
                raise _bad(
                    f"pause {n + 1} must have UTC offsets", f"第 {n + 1} 次暂停必须带时区偏移"
                )
            if pause.at < prev:
                raise _bad(
                    f"pause {n + 1} at {pause.at.isoformat()} is before {prev.isoformat()}",
                    f"第 {n + 1} 次暂停 {pause.at.isoformat()} 早于 {prev.isoformat()}",
                )
            if pause.until is None:
                if n != len(self.pauses) - 1:
                    raise _bad(
                        f"pause {n + 1} has no resume but is not the last one",
                        f"第 {n + 1} 次暂停没有恢复时间，却不是最后一次",
                    )
                break
            if pause.until < pause.at:
                raise _bad(
                    f"pause {n + 1} resumes at {pause.until.isoformat()}, before it began",
                    f"第 {n + 1} 次暂停的恢复时间 {pause.until.isoformat()} 早于暂停时间",
                )
            prev = pause.until

    @property
    def paused(self) -> bool:
        """True if the last pause has not been resumed."""
        return bool(self.pauses) and self.pauses[-1].until is None

    def pause(self, at: dt.datetime) -> Timer:
        """A new timer paused at ``at``. Raises ValueError if already paused."""
        if self.paused:
            raise _bad(
                f"timer is already paused since {self.pauses[-1].at.isoformat()}",
                f"计时已于 {self.pauses[-1].at.isoformat()} 暂停",
            )
        return Timer(self.start, self.target, (*self.pauses, Pause(at)))

    def resume(self, at: dt.datetime) -> Timer:
        """A new timer resumed at ``at``. Raises ValueError if not paused."""
        if not self.paused:
            raise _bad("timer is not paused", "计时未暂停")
        last = self.pauses[-1]
        return Timer(self.start, self.target, (*self.pauses[:-1], Pause(last.at, at)))

    def state(self, calendar: Calendar, now: dt.datetime) -> TimerState:
        """Used, left and deadline at ``now`` on ``calendar``.

        Events after ``now`` are an error (ValueError): the caller passes the facts known
        at ``now``. ``now`` before ``start`` is an error too.
        """
        if now.tzinfo is None or now < self.start:
            raise _bad(
                f"now {now!r} must have a UTC offset and not be before the timer's start "
                f"{self.start.isoformat()}",
                f"当前时间 {now!r} 须带时区偏移且不早于计时开始 {self.start.isoformat()}",
            )
        for pause in self.pauses:
            last = pause.until or pause.at
            if last > now:
                raise _bad(
                    f"pause event {last.isoformat()} is after now {now.isoformat()}",
                    f"暂停事件 {last.isoformat()} 晚于当前时间 {now.isoformat()}",
                )
        provisional = False
        if isinstance(self.target, WorkingDays):
            due = calendar.add_working_days(self.start, self.target.days)
            span = calendar.between(self.start, due.at)
            target = span.duration
            provisional = due.provisional or span.provisional
        else:
            target = self.target
        # Running segments: start → first pause, each resume → next pause, last → now.
        segments: list[tuple[dt.datetime, dt.datetime]] = []
        begin: dt.datetime | None = self.start
        for pause in self.pauses:
            if begin is not None:
                segments.append((begin, pause.at))
            begin = pause.until
        if begin is not None:
            segments.append((begin, now))
        used = _ZERO
        deadline: dt.datetime | None = None
        for seg_start, seg_end in segments:
            part = calendar.between(seg_start, seg_end)
            provisional = provisional or part.provisional
            if deadline is None and used + part.duration >= target:
                hit = calendar.add(seg_start, target - used)
                deadline, provisional = hit.at, provisional or hit.provisional
            used += part.duration
        if deadline is None and begin is not None:
            # Running, target not reached yet: the deadline is ahead, from the last resume.
            last_start = segments[-1][0]
            before = used - calendar.between(last_start, now).duration
            hit = calendar.add(last_start, target - before)
            deadline, provisional = hit.at, provisional or hit.provisional
        return TimerState(used, target - used, deadline, begin is None, used > target, provisional)
