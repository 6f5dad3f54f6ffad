"""Maintenance plans and work orders (M1, I4): the periods of a plan, the time limit of a
work order, and the verdict of a measured value against a step's technical requirement.
No Django, no I/O, no clock.

A **requirement** is one of

- a range: ``low ≤ value ≤ high`` (either bound may be open: "at least 13.2 V");
- a value: ``|value − target| ≤ tolerance`` (tolerance 0: exactly the target);
- yes or no: the answer must be the expected one ("fans running: yes").

A value that was not measured is **missing**, never a pass: the completeness check lists it.

A plan's **periods** are calendar days, ISO weeks (Monday first), calendar months, quarters
and years, or every N days counted from the plan's first day. On a business calendar a daily
plan has one period per working day and "every N days" counts working days; the longer
periods stay what they are and only their time limit counts working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from baozhang.core.calendar import Calendar

Working = Callable[[dt.date], bool]

# Far enough for a plan generated years ahead, near enough that a bad loop ends.
MAX_SCAN_DAYS = 366 * 20


class RequirementKind(StrEnum):
    RANGE = "range"
    VALUE = "value"
    YES_NO = "yes_no"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"


class PeriodKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    EVERY_N_DAYS = "every_n_days"


@dataclass(frozen=True)
class Requirement:
    """A step's technical requirement. Raises ValueError (bilingual) when it says nothing
    or contradicts itself (a range with low above high, a negative tolerance)."""

    kind: RequirementKind
    low: Decimal | None = None
    high: Decimal | None = None
    target: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    expected_yes: bool | None = None

    def __post_init__(self) -> None:
        if self.kind == RequirementKind.RANGE:
            if self.low is None and self.high is None:
                raise ValueError("a range needs a low or a high bound / 范围至少需要下限或上限")
            if self.low is not None and self.high is not None and self.low > self.high:
                raise ValueError(
                    f"the low bound {self.low} is above the high bound {self.high} / "
                    f"下限 {self.low} 高于上限 {self.high}"
                )
        elif self.kind == RequirementKind.VALUE:
            if self.target is None:
                raise ValueError("a value requirement needs its value / 定值要求需要给出数值")
            if self.tolerance < 0:
                raise ValueError(
                    f"the tolerance {self.tolerance} is negative / 允许偏差 {self.tolerance} 为负数"
                )
        elif self.expected_yes is None:
            raise ValueError(
                "a yes/no requirement needs the expected answer / 是否项需要给出期望答案"
            )

    @property
    def numeric(self) -> bool:
        return self.kind != RequirementKind.YES_NO

    def text(self, unit: str = "") -> str:
        """The requirement as an engineer writes it: ``13.2–13.8 V``, ``≥ 18 °C``,
        ``= 0 ± 0.5 Ω``, ``yes`` (the words yes/no are the caller's to translate)."""
        suffix = f" {unit}" if unit else ""
        if self.kind == RequirementKind.RANGE:
            if self.low is not None and self.high is not None:
                return f"{_num(self.low)}–{_num(self.high)}{suffix}"
            if self.low is not None:
                return f"≥ {_num(self.low)}{suffix}"
            return f"≤ {_num(self.high)}{suffix}"  # type: ignore[arg-type]
        if self.kind == RequirementKind.VALUE:
            assert self.target is not None
            plus = f" ± {_num(self.tolerance)}" if self.tolerance else ""
            return f"= {_num(self.target)}{plus}{suffix}"
        return "yes" if self.expected_yes else "no"


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def judge(requirement: Requirement, value: Decimal | bool | None) -> Verdict:
    """PASS or FAIL of ``value`` against ``requirement``; MISSING when nothing was measured.

    A numeric requirement takes a Decimal (a bool is refused); yes/no takes a bool. Raises
    ValueError (bilingual) for a value of the wrong kind."""
    if value is None:
        return Verdict.MISSING
    if requirement.kind == RequirementKind.YES_NO:
        if not isinstance(value, bool):
            raise ValueError(f"a yes/no step takes yes or no, got {value!r} / 是否项只能填是或否")
        return Verdict.PASS if value == requirement.expected_yes else Verdict.FAIL
    if isinstance(value, bool) or not isinstance(value, Decimal):
        raise ValueError(f"a measured step takes a number, got {value!r} / 测量项需要填写数值")
    if not value.is_finite():
        raise ValueError(f"{value} is not a measurement / {value} 不是测量值")
    if requirement.kind == RequirementKind.RANGE:
        if requirement.low is not None and value < requirement.low:
            return Verdict.FAIL
        if requirement.high is not None and value > requirement.high:
            return Verdict.FAIL
        return Verdict.PASS
    assert requirement.target is not None
    return (
        Verdict.PASS if abs(value - requirement.target) <= requirement.tolerance else Verdict.FAIL
    )


# -- periods --------------------------------------------------------------------------------


def _month_start(day: dt.date, months: int) -> dt.date:
    first = (day.month - 1) // months * months + 1
    return dt.date(day.year, first, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _check(kind: PeriodKind, every: int | None) -> int:
    if kind == PeriodKind.EVERY_N_DAYS:
        if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= 3660:
            raise ValueError(
                f"every N days needs N from 1 to 3660, got {every!r} / "
                "每 N 天需要 N 在 1 到 3660 之间"
            )
        return every
    return 1


def _calendar_periods(
    kind: PeriodKind, every: int, anchor: dt.date, first: dt.date
) -> Iterator[tuple[dt.date, dt.date]]:
    if kind == PeriodKind.DAILY:
        day = max(anchor, first)
        while True:
            yield day, day + dt.timedelta(days=1)
            day += dt.timedelta(days=1)
    if kind == PeriodKind.WEEKLY:
        start = max(anchor, first)
        start -= dt.timedelta(days=start.weekday())
        while True:
            yield start, start + dt.timedelta(days=7)
            start += dt.timedelta(days=7)
    if kind in (PeriodKind.MONTHLY, PeriodKind.QUARTERLY, PeriodKind.YEARLY):
        months = {PeriodKind.MONTHLY: 1, PeriodKind.QUARTERLY: 3, PeriodKind.YEARLY: 12}[kind]
        start = _month_start(max(anchor, first), months)
        while True:
            end = _add_months(start, months)
            yield start, end
            start = end
    # every N days from the anchor
    skip = max(0, (first - anchor).days) // every
    start = anchor + dt.timedelta(days=skip * every)
    while True:
        yield start, start + dt.timedelta(days=every)
        start += dt.timedelta(days=every)


def _working_periods(
    kind: PeriodKind, every: int, anchor: dt.date, working: Working
) -> Iterator[tuple[dt.date, dt.date]]:
    """Daily: each working day; every N days: every N-th working day from the anchor, the
    period running to the next one."""
    one = dt.timedelta(days=1)
    previous: dt.date | None = None
    count = 0
    day = anchor
    for _ in range(MAX_SCAN_DAYS):
        if working(day):
            if kind == PeriodKind.DAILY:
                yield day, day + one
            elif count % every == 0:
                if previous is not None:
                    yield previous, day
                previous = day
            count += 1
        day += one


def periods(
    kind: PeriodKind | str,
    anchor: dt.date,
    first: dt.date,
    last: dt.date,
    *,
    every: int | None = None,
    working: Working | None = None,
) -> list[tuple[dt.date, dt.date]]:
    """The periods ``(start, end)`` (end excluded) of a plan that began on ``anchor`` whose
    start lies in ``[first, last]``, plus the one running on ``first`` if it began before
    (a plan created mid-month still has this month's work). No period starts before the
    period containing the anchor. ``working`` (a business calendar's "is this a working
    day") makes daily and every-N-days plans count working days only."""
    kind = PeriodKind(kind)
    n = _check(kind, every)
    if last < first:
        return []
    out: list[tuple[dt.date, dt.date]] = []
    if working is not None and kind in (PeriodKind.DAILY, PeriodKind.EVERY_N_DAYS):
        source = _working_periods(kind, n, anchor, working)
    else:
        source = _calendar_periods(kind, n, anchor, first)
    for start, end in source:
        if start > last:
            break
        if end > first:
            out.append((start, end))
    return out


def due_at(
    start: dt.date,
    limit_days: int,
    tz: ZoneInfo,
    calendar: Calendar | None = None,
) -> dt.datetime:
    """When a work order of the period starting on ``start`` must be done: the end of the
    ``limit_days``-th day counting the start's own day (local midnight after it), or on a
    business calendar the close of the ``limit_days``-th working day, the start's day
    counted when it is a working day. Raises ValueError for a limit below 1."""
    if isinstance(limit_days, bool) or not isinstance(limit_days, int) or limit_days < 1:
        raise ValueError(
            f"the time limit {limit_days!r} must be at least 1 day / 时限 {limit_days!r} 至少 1 天"
        )
    if calendar is None:
        return dt.datetime.combine(start + dt.timedelta(days=limit_days), dt.time(), tz)
    # add_working_days does not count its start's day: start from the day before.
    day_before = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(12), calendar.tz)
    return calendar.add_working_days(day_before, limit_days).at


def warn_at(due: dt.datetime, period_start: dt.datetime, warn_hours: int) -> dt.datetime:
    """``warn_hours`` before ``due``, never before the period starts."""
    return max(period_start, due - dt.timedelta(hours=max(0, warn_hours)))
