"""Changes and emergency plans (S6, M3, I2, F10): the rules that need no database and no
clock.

- :func:`within_low_usage`: whether a planned stretch of work ``[start, end)`` lies inside
  one occurrence of a service's daily low-usage period (by default 00:00–06:00 local time,
  where upgrades are done "at night, when users are fewest"). A period whose end is not
  after its start crosses midnight (22:00–06:00); equal bounds mean the whole day.
- :func:`covers`: whether a window ``[w_start, w_end)`` contains ``[start, end)``.
- :func:`drill_state`: whether an emergency plan's drill is overdue, due soon, scheduled
  or not needed yet, from the last drill held, the next one scheduled and the interval.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

#: The low-usage period of a service nobody has set one for: midnight to six in the morning.
DEFAULT_LOW_USAGE = (dt.time(0, 0), dt.time(6, 0))


def _aware(t: dt.datetime, name: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime / {name} 须带时区")


def within_low_usage(
    start: dt.datetime,
    end: dt.datetime,
    period_start: dt.time,
    period_end: dt.time,
    tz: ZoneInfo,
) -> bool:
    """True when ``[start, end)`` lies inside one occurrence of the daily period
    ``[period_start, period_end)`` in ``tz`` (local wall-clock times; an occurrence crossing
    a change of UTC offset is taken as its wall-clock bounds). ``end`` must be after
    ``start``; both aware. Work spanning two nights is outside: it runs through a day."""
    _aware(start, "start")
    _aware(end, "end")
    if end <= start:
        raise ValueError("the end must be after the start / 结束时间必须晚于开始时间")
    if period_start == period_end:
        return True
    local_start = start.astimezone(tz)
    crosses = period_end <= period_start
    # The occurrence that may hold the start began on the start's local day or the day before.
    for back in (0, 1):
        day = local_start.date() - dt.timedelta(days=back)
        lo = dt.datetime.combine(day, period_start, tzinfo=tz)
        hi_day = day + dt.timedelta(days=1) if crosses else day
        hi = dt.datetime.combine(hi_day, period_end, tzinfo=tz)
        if lo <= start and end <= hi:
            return True
    return False


def covers(w_start: dt.datetime, w_end: dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    """True when the window ``[w_start, w_end)`` contains ``[start, end)``."""
    return w_start <= start and end <= w_end


class DrillState(StrEnum):
    OVERDUE = "overdue"  # the scheduled date, or the interval since the last drill, passed
    DUE = "due"  # due within ``warn_days``
    SCHEDULED = "scheduled"  # a drill is scheduled, not yet due
    NONE_YET = "none_yet"  # never drilled and nothing scheduled: due now
    OK = "ok"


def drill_due_on(
    last_held: dt.date | None, next_scheduled: dt.date | None, interval_days: int
) -> dt.date | None:
    """The date by which the next drill is due: the scheduled one if any, else the last
    drill plus the interval; None when the plan was never drilled and none is scheduled
    (due at once). The interval is at least one day."""
    if interval_days < 1:
        raise ValueError("the interval is at least 1 day / 演练间隔至少 1 天")
    by_interval = last_held + dt.timedelta(days=interval_days) if last_held else None
    candidates = [d for d in (next_scheduled, by_interval) if d is not None]
    return min(candidates) if candidates else None


def drill_state(
    last_held: dt.date | None,
    next_scheduled: dt.date | None,
    interval_days: int,
    today: dt.date,
    warn_days: int = 30,
) -> DrillState:
    """Where a plan stands with its drills on ``today`` (see :class:`DrillState`). A
    scheduled drill earlier than the interval's due date decides; a scheduled drill later
    than the interval allows does not excuse it."""
    due = drill_due_on(last_held, next_scheduled, interval_days)
    if due is None:
        return DrillState.NONE_YET
    if due < today:
        return DrillState.OVERDUE
    if (due - today).days <= warn_days:
        return DrillState.DUE
    if next_scheduled is not None:
        return DrillState.SCHEDULED
    return DrillState.OK
