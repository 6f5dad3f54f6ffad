"""How much of a period a figure has really watched, and whether that is enough to state
the figure as it is or only as provisional (a monitor a minute old has not measured a
month's availability: it has watched a minute of it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

from baozhang.core.intervals import Interval

__all__ = ["MEANINGFUL_SHARE", "is_provisional", "watched_time"]

#: The share of a period that must have been watched before a figure over it is stated
#: without "provisional": a tenth (three days of a 30-day window).
MEANINGFUL_SHARE = Fraction(1, 10)

_NOT_OBSERVED = "not_observed"


def watched_time(
    start: dt.datetime, end: dt.datetime, excluded: Iterable[Interval]
) -> dt.timedelta:
    """The time of ``[start, end)`` not excluded as not observed (an exclusion whose kind
    is ``not_observed`` or a merged kind naming it). Maintenance was watched: it counts."""
    unseen = sum(
        (
            min(x.end, end) - max(x.start, start)
            for x in excluded
            if _NOT_OBSERVED in x.kind.split("+") and x.end > start and x.start < end
        ),
        dt.timedelta(0),
    )
    return max(end - start - unseen, dt.timedelta(0))


def is_provisional(watched: dt.timedelta, period: dt.timedelta) -> bool:
    """True while less than :data:`MEANINGFUL_SHARE` of ``period`` has been watched."""
    if period <= dt.timedelta(0):
        return True
    return Fraction(watched.total_seconds()) < MEANINGFUL_SHARE * Fraction(period.total_seconds())
