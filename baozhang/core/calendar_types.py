"""Value types of business calendars: spans, results, working days, day descriptions.

Split from calendar.py to keep modules small; import them from ``baozhang.core.calendar``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "DayInfo",
    "DurationResult",
    "Span",
    "TimeResult",
    "WorkingDays",
    "parse_spans",
]

# Times are exact to the microsecond in this range (float seconds stay below 2**32).
MIN_YEAR = 1970
MAX_YEAR = 2100
DAY_MINUTES = 24 * 60


class Span(NamedTuple):
    """A working span within a day, in minutes after local midnight (end up to 1440)."""

    start: int
    end: int

    def __str__(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"
        )


class TimeResult(NamedTuple):
    """A moment in the calendar's time zone; ``provisional`` if the fallback was used."""

    at: dt.datetime
    provisional: bool


class DurationResult(NamedTuple):
    """Business time between two moments; ``provisional`` if the fallback was used."""

    duration: dt.timedelta
    provisional: bool


class WorkingDays(NamedTuple):
    """A duration of N working days (``10wd``): end of business on the Nth working day
    after the start's day; the start's day is not counted (自受理之日起N个工作日)."""

    days: int


class DayInfo(NamedTuple):
    """One local date: its working spans (empty if closed) and why."""

    date: dt.date
    spans: tuple[Span, ...]
    reason: str
    provisional: bool


def _minutes(text: str, what: str) -> int:
    hh, sep, mm = text.strip().partition(":")
    if sep and hh.isdigit() and mm.isdigit() and len(mm) == 2:
        value = int(hh) * 60 + int(mm)
        if int(mm) < 60 and value <= DAY_MINUTES:
            return value
    raise ValueError(
        f"bad time {text!r} in span {what!r} (expected HH:MM, 00:00-24:00) / "
        f"时段 {what!r} 中的时间 {text!r} 无效（应为 HH:MM，00:00-24:00）"
    )


def parse_spans(text: str) -> tuple[Span, ...]:
    """Parse ``"09:00-12:00,13:00-18:00"`` into spans; ``""`` or ``"closed"`` gives ().

    Raises ValueError if a span is empty, reversed or overlaps the previous one.
    """
    text = text.strip()
    if text in ("", "closed"):
        return ()
    spans: list[Span] = []
    for part in text.split(","):
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(
                f"bad span {part!r} (expected HH:MM-HH:MM) / 时段无效 {part!r}（应为 HH:MM-HH:MM）"
            )
        spans.append(Span(_minutes(start, part), _minutes(end, part)))
    return check_spans(spans)


def check_spans(spans: Iterable[Span]) -> tuple[Span, ...]:
    out = tuple(Span(int(s), int(e)) for s, e in spans)
    prev_end = 0
    for span in out:
        if not 0 <= span.start < span.end <= DAY_MINUTES or span.start < prev_end:
            raise ValueError(
                f"bad span {span} (spans must be non-empty, within 00:00-24:00, in order and "
                f"not overlapping) / 时段无效 {span}（须非空、在 00:00-24:00 之内、按顺序且不重叠）"
            )
        prev_end = span.end
    return out


def check_aware(t: dt.datetime, what: str) -> None:
    if not isinstance(t, dt.datetime) or t.tzinfo is None:
        raise ValueError(
            f"{what} {t!r} must be an aware datetime (with a UTC offset) / "
            f"{what} {t!r} 必须带时区偏移"
        )


def out_of_range(t: object) -> ValueError:
    return ValueError(
        f"time {t} is outside the supported years {MIN_YEAR}-{MAX_YEAR} / "
        f"时间 {t} 超出支持的年份 {MIN_YEAR}-{MAX_YEAR}"
    )
