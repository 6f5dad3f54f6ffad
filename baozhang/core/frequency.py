"""Frequency targets read from reports (S3, "每隔2天备份一次"): the share of the period's
intervals that had a successful report.

The period is cut into consecutive intervals of ``every`` from its start. An interval is
covered when at least one success falls inside it (``start <= at < end``). Intervals that
have ended by ``now`` are judged; the interval running at ``now`` (or a last one cut short
by the period's end) counts only once it is covered, since it cannot be missed yet.

``every`` is wall-clock time unless ``advance`` says otherwise: ``advance(a, every)`` is the
end of an interval that starts at ``a`` and holds ``every`` of the time that counts (an
agreement's service hours on its calendar, outside announced maintenance), so that a
backup promised "every 2 working days" is not missed over a weekend or a window.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class IntervalShare:
    """``covered`` of ``judged`` intervals had a success; ``share`` in percent (None when
    no interval could be judged yet); ``missed``: the uncovered intervals' spans."""

    covered: int
    judged: int
    missed: tuple[tuple[dt.datetime, dt.datetime], ...]

    @property
    def share(self) -> Decimal | None:
        if self.judged == 0:
            return None
        return (Decimal(self.covered) * _HUNDRED / Decimal(self.judged)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


def interval_share(
    start: dt.datetime,
    end: dt.datetime,
    every: dt.timedelta,
    successes: Sequence[dt.datetime],
    now: dt.datetime,
    advance: Callable[[dt.datetime, dt.timedelta], dt.datetime] | None = None,
) -> IntervalShare:
    """The share of ``every``-long intervals of ``[start, end)`` that had a success
    (``advance``: where an interval ends, by default ``a + every``).

    Raises ValueError for naive datetimes, an empty period or a non-positive interval."""
    for name, value in (("start", start), ("end", end), ("now", now)):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be aware / {name} 必须带时区")
    if end <= start:
        raise ValueError("the period must end after it starts / 周期的结束必须晚于开始")
    if every <= dt.timedelta(0):
        raise ValueError("the interval must be positive / 间隔必须大于零")
    beats = sorted(s for s in successes if start <= s < end)
    covered = judged = 0
    missed: list[tuple[dt.datetime, dt.datetime]] = []
    a = start
    while a < end and a <= now:
        full = advance(a, every) if advance is not None else a + every
        if full <= a:
            raise ValueError("an interval must move time on / 间隔必须向后推进")
        b = min(full, end)
        i = bisect_left(beats, a)
        hit = i < len(beats) and beats[i] < b
        complete = full <= end and b <= now
        if hit:
            covered += 1
            judged += 1
        elif complete:
            judged += 1
            missed.append((a, b))
        a = b
    return IntervalShare(covered, judged, tuple(missed))
