"""Desk measures (D2, A3) from plain ticket and call facts: response and resolution times,
SLA attainment, reopen rate, satisfaction and the hotline connection rate (接通率).

No Django, no clock: the caller gathers the facts (who, when, which clocks met) and this
module only counts. Rates are fractions in [0, 1], or None when the denominator is zero —
"no calls offered" is not "0 % answered".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

_ZERO = dt.timedelta(0)


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What one ticket contributes to the measures.

    ``first_response`` and ``resolution`` are wall-clock durations from opening, None when
    not (yet) reached; the ``*_business`` twins are the same spans in business time of the
    ticket's calendar, None when unknown. ``ever_resolved`` counts a ticket that was
    resolved and then reopened (its current resolution time may be None).
    ``clocks_finished`` counts SLA clocks whose outcome is settled, ``clocks_met`` those of
    them that met their target. ``scores`` are satisfaction answers (1–5): the customer's
    rating and any callback's satisfaction.
    """

    first_response: dt.timedelta | None = None
    resolution: dt.timedelta | None = None
    first_response_business: dt.timedelta | None = None
    resolution_business: dt.timedelta | None = None
    ever_resolved: bool = False
    reopened: bool = False
    clocks_met: int = 0
    clocks_finished: int = 0
    scores: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "first_response",
            "resolution",
            "first_response_business",
            "resolution_business",
        ):
            value = getattr(self, name)
            if value is not None and value < _ZERO:
                raise ValueError(f"{name} {value} must not be negative / {name} {value} 不能为负")
        if not 0 <= self.clocks_met <= self.clocks_finished:
            raise ValueError(
                f"clocks_met {self.clocks_met} must be between 0 and clocks_finished "
                f"{self.clocks_finished} / 达标时钟数 {self.clocks_met} 须在 0 与已结束时钟数 "
                f"{self.clocks_finished} 之间"
            )
        for score in self.scores:
            if not 1 <= score <= 5:
                raise ValueError(
                    f"satisfaction {score} must be 1–5 / 满意度 {score} 须为 1–5 之间的整数"
                )


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and 90th percentile of some durations; both None when there are none."""

    count: int = 0
    median: dt.timedelta | None = None
    p90: dt.timedelta | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """The measures of one group of tickets (an agent's, a team's, a customer's, or all)."""

    tickets: int = 0
    first_response: Spread = field(default_factory=Spread)
    first_response_business: Spread = field(default_factory=Spread)
    resolution: Spread = field(default_factory=Spread)
    resolution_business: Spread = field(default_factory=Spread)
    clocks_met: int = 0
    clocks_finished: int = 0
    resolved: int = 0
    reopened: int = 0
    satisfaction_count: int = 0
    satisfaction_sum: int = 0

    @property
    def sla_attainment(self) -> float | None:
        """Clocks met / clocks finished; None when no clock has finished."""
        return ratio(self.clocks_met, self.clocks_finished)

    @property
    def reopen_rate(self) -> float | None:
        """Tickets reopened / tickets resolved; None when none was resolved."""
        return ratio(self.reopened, self.resolved)

    @property
    def satisfaction(self) -> float | None:
        """The average satisfaction (1–5); None when nobody answered."""
        if self.satisfaction_count == 0:
            return None
        return self.satisfaction_sum / self.satisfaction_count


@dataclass(frozen=True, slots=True)
class CallFigures:
    """Offered (inbound) calls and how many were answered."""

    offered: int = 0
    answered: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.answered <= self.offered:
            raise ValueError(
                f"answered {self.answered} must be between 0 and offered {self.offered} / "
                f"接通数 {self.answered} 须在 0 与呼入数 {self.offered} 之间"
            )

    @property
    def missed(self) -> int:
        return self.offered - self.answered

    @property
    def connection_rate(self) -> float | None:
        """接通率 = answered / offered; None when no call was offered."""
        return ratio(self.answered, self.offered)


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when whole is 0. Raises ValueError for negative counts."""
    if part < 0 or whole < 0:
        raise ValueError(
            f"counts {part}/{whole} must not be negative / 计数 {part}/{whole} 不能为负"
        )
    return None if whole == 0 else part / whole


def percentile(values: Sequence[dt.timedelta], q: float) -> dt.timedelta | None:
    """The q-th percentile (0 ≤ q ≤ 100) by linear interpolation between closest ranks
    (the method of numpy's default and of spreadsheets' PERCENTILE), so the 50th is the
    ordinary median. None for no values; ValueError for q outside 0–100."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} must be 0–100 / 百分位 {q} 须在 0–100 之间")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    # Interpolate in whole microseconds so the result is exact for exact inputs.
    a, b = ordered[low], ordered[high]
    return a + dt.timedelta(microseconds=round((b - a) / dt.timedelta(microseconds=1) * fraction))


def spread(values: Iterable[dt.timedelta | None]) -> Spread:
    """Median and 90th percentile of the durations that are not None."""
    known = [v for v in values if v is not None]
    return Spread(len(known), percentile(known, 50), percentile(known, 90))


def measure(facts: Iterable[TicketFacts]) -> Figures:
    """The figures of a group of tickets."""
    rows = list(facts)
    scores = [s for f in rows for s in f.scores]
    return Figures(
        tickets=len(rows),
        first_response=spread(f.first_response for f in rows),
        first_response_business=spread(f.first_response_business for f in rows),
        resolution=spread(f.resolution for f in rows),
        resolution_business=spread(f.resolution_business for f in rows),
        clocks_met=sum(f.clocks_met for f in rows),
        clocks_finished=sum(f.clocks_finished for f in rows),
        resolved=sum(1 for f in rows if f.ever_resolved or f.resolution is not None),
        reopened=sum(1 for f in rows if f.reopened),
        satisfaction_count=len(scores),
        satisfaction_sum=sum(scores),
    )


def measure_by(items: Iterable[tuple[K, TicketFacts]]) -> dict[K, Figures]:
    """Figures per key, from (key, facts) pairs; keys in order of first appearance."""
    groups: dict[K, list[TicketFacts]] = {}
    for key, facts in items:
        groups.setdefault(key, []).append(facts)
    return {key: measure(rows) for key, rows in groups.items()}


def count_calls(answered: Iterable[bool]) -> CallFigures:
    """Call figures from the answered flag of each offered call."""
    flags = list(answered)
    return CallFigures(offered=len(flags), answered=sum(1 for a in flags if a))


def calls_by(items: Iterable[tuple[K, bool]]) -> dict[K, CallFigures]:
    """Call figures per key, from (key, answered) pairs of offered calls."""
    groups: dict[K, list[bool]] = {}
    for key, answered in items:
        groups.setdefault(key, []).append(answered)
    return {key: count_calls(flags) for key, flags in groups.items()}


def as_percent(value: float | None, digits: int = 1) -> float | None:
    """A fraction as a percentage rounded to ``digits`` (2/3 → 66.7); None stays None."""
    return None if value is None else round(value * 100, digits)


__all__ = [
    "CallFigures",
    "Figures",
    "Spread",
    "TicketFacts",
    "as_percent",
    "calls_by",
    "count_calls",
    "measure",
    "measure_by",
    "percentile",
    "ratio",
    "spread",
]
