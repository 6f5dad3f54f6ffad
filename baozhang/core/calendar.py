"""Business calendars and deadline arithmetic. No Django, no I/O, no clock.

A :class:`Calendar` is a time zone, working spans per weekday (several per day: a lunch
break is normal), an optional national :class:`Schedule` (holidays and make-up working
days), and the operator's own closed and extra working dates.

Every query works on a table of working intervals (UTC microseconds) with cumulative
business time, built per calendar for a range of years and extended lazily; a query is two
binary searches. Times are exact to the microsecond for the years 1970-2100.

A deadline that falls at the end of a span is that end (12:00, not 13:00). Results that
relied on the Monday-Friday fallback (a year the schedule does not cover) carry
``provisional=True``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baozhang.core.calendar_schedule import Schedule, china_schedule, parse_schedule
from baozhang.core.calendar_types import (
    DAY_MINUTES,
    MAX_YEAR,
    MIN_YEAR,
    DayInfo,
    DurationResult,
    Span,
    TimeResult,
    WorkingDays,
    check_aware,
    check_spans,
    out_of_range,
    parse_spans,
)

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "BuiltinCalendars",
    "Calendar",
    "DayInfo",
    "DurationResult",
    "Schedule",
    "Span",
    "TimeResult",
    "WorkingDays",
    "builtin_calendar",
    "parse_schedule",
    "parse_spans",
]

_US = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_new_tuple = tuple.__new__
_TIMEDELTA = dt.timedelta
_fromtimestamp = dt.datetime.fromtimestamp


class _Table:
    """Working intervals for local dates ``first``..``last`` (ordinals), in UTC µs.

    Index 0 is an empty sentinel at ``lo`` so that every time in [lo, hi) has an interval
    at or before it. ``cum[i]`` is the business time before interval i, ``cumend[i]`` the
    business time at its end. ``wd_*`` list the working days with their end of business.
    """

    __slots__ = (
        "cum",
        "cumend",
        "ends",
        "first",
        "hi",
        "last",
        "lo",
        "starts",
        "wd_ends",
        "wd_ords",
        "years",
    )

    def __init__(self, first: int, last: int, lo: int, hi: int) -> None:
        self.first, self.last, self.lo, self.hi = first, last, lo, hi
        self.starts: list[int] = [lo]
        self.ends: list[int] = [lo]
        self.cum: list[int] = [0]
        self.cumend: list[int] = [0]
        self.years: list[int] = [dt.date.fromordinal(first).year]
        self.wd_ords: list[int] = []
        self.wd_ends: list[int] = []


_EMPTY = _Table(dt.date(1970, 1, 1).toordinal(), dt.date(1970, 1, 1).toordinal(), 0, 0)


class Calendar:
    """A business calendar. Immutable; safe to share between threads.

    ``week`` gives the spans for Monday..Sunday. ``schedule`` is a national schedule
    (its holidays close a day, its make-up days open it with ``workday_spans``). ``closed``
    and ``opened`` are the operator's own dates (date → reason); they win over the schedule.
    ``workday_spans`` default to the first non-empty weekday's spans.
    """

    def __init__(
        self,
        name: str,
        tz: str | ZoneInfo,
        week: Sequence[Sequence[Span] | str],
        *,
        schedule: Schedule | None = None,
        closed: Mapping[dt.date, str] | None = None,
        opened: Mapping[dt.date, str] | None = None,
        workday_spans: Sequence[Span] | str | None = None,
    ) -> None:
        if isinstance(tz, str):
            try:
                tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {tz!r} (expected an IANA name such as Asia/Shanghai) / "
                    f"未知时区 {tz!r}（应为 IANA 名称，如 Asia/Shanghai）"
                ) from None
        if len(week) != 7:
            raise ValueError(
                f"week must give spans for 7 days (Monday first), got {len(week)} / "
                f"week 须给出 7 天的时段（周一起），实际为 {len(week)}"
            )
        self.name = name
        self.tz = tz
        self.week: tuple[tuple[Span, ...], ...] = tuple(
            parse_spans(w) if isinstance(w, str) else check_spans(w) for w in week
        )
        if workday_spans is None:
            workday_spans = next((w for w in self.week if w), ())
        self.workday_spans = (
            parse_spans(workday_spans)
            if isinstance(workday_spans, str)
            else check_spans(workday_spans)
        )
        self.schedule = schedule
        self.closed: dict[dt.date, str] = dict(closed or {})
        self.opened: dict[dt.date, str] = dict(opened or {})
        both = sorted(set(self.closed) & set(self.opened))
        if both:
            raise ValueError(
                f"date {both[0].isoformat()} is both closed and opened / "
                f"日期 {both[0].isoformat()} 同时被设为关闭和开放"
            )
        years = schedule.years if schedule is not None else frozenset(range(MIN_YEAR, MAX_YEAR + 1))
        # One flag per year: does this year use the weekly fallback?
        self._fallback = bytes(0 if y in years else 1 for y in range(MIN_YEAR, MAX_YEAR + 1))
        self._table = _EMPTY

    def __repr__(self) -> str:
        return f"Calendar({self.name!r}, {self.tz.key!r})"

    # -- variations -------------------------------------------------------------------

    def with_schedule(self, schedule: Schedule, name: str | None = None) -> Calendar:
        """Return a copy with ``schedule`` laid over this calendar's schedule.

        Used to load a newly announced official schedule (see :func:`parse_schedule`): the
        new file's years replace the old data for those years and stop being provisional.
        """
        merged = self.schedule.merged(schedule) if self.schedule is not None else schedule
        return Calendar(
            name or self.name,
            self.tz,
            self.week,
            schedule=merged,
            closed=self.closed,
            opened=self.opened,
            workday_spans=self.workday_spans,
        )

    # -- days -------------------------------------------------------------------------

    def is_provisional_date(self, day: dt.date) -> bool:
        """True if ``day`` lies in a year the schedule does not cover (fallback used)."""
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise out_of_range(day)
        return bool(self._fallback[day.year - MIN_YEAR])

    def day(self, day: dt.date) -> DayInfo:
        """The working spans of a local date and the reason, e.g. a holiday's name.

        Precedence: the operator's closed and opened dates, then the schedule's holidays
        and make-up days, then the weekly pattern (provisional outside the schedule).
        """
        provisional = self.is_provisional_date(day)
        if day in self.closed:
            return DayInfo(day, (), self.closed[day] or "closed / 关闭", provisional)
        if day in self.opened:
            return DayInfo(day, self.workday_spans, self.opened[day] or "open / 开放", provisional)
        if self.schedule is not None:
            if day in self.schedule.holidays:
                return DayInfo(day, (), self.schedule.holidays[day], provisional)
            if day in self.schedule.workdays:
                return DayInfo(day, self.workday_spans, self.schedule.workdays[day], provisional)
        spans = self.week[day.weekday()]
        if provisional:
            en, zh = ("working day", "工作日") if spans else ("weekly rest day", "休息日")
            reason = (
                f"{en} (weekly pattern, no official schedule for {day.year}) / "
                f"{zh}（按每周规律，{day.year} 年无官方安排）"
            )
        else:
            reason = "working day / 工作日" if spans else "weekly rest day / 休息日"
        return DayInfo(day, spans, reason, provisional)

    def days(self, first: dt.date, last: dt.date) -> Iterator[DayInfo]:
        """Each date from ``first`` to ``last`` inclusive; empty if ``last < first``."""
        for n in range((last - first).days + 1):
            yield self.day(first + dt.timedelta(days=n))

    # -- the interval table --------------------------------------------------------------

    def _midnight_us(self, ordinal: int) -> int:
        d = dt.date.fromordinal(ordinal)
        return (dt.datetime(d.year, d.month, d.day, tzinfo=self.tz) - _EPOCH) // _US

    def _build(self, first_year: int, last_year: int) -> _Table:
        first = dt.date(first_year, 1, 1).toordinal()
        last = dt.date(last_year, 12, 31).toordinal()
        tab = _Table(first, last, self._midnight_us(first), self._midnight_us(last + 1))
        tz = self.tz
        starts, ends, cum, cumend, years = tab.starts, tab.ends, tab.cum, tab.cumend, tab.years
        total = 0
        prev_end = tab.lo
        for ordinal in range(first, last + 1):
            day = dt.date.fromordinal(ordinal)
            spans = self.day(day).spans
            if not spans:
                continue
            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
            day_end = -1
            for span in spans:
                s = (midnight + dt.timedelta(minutes=span.start) - _EPOCH) // _US
                if span.end == DAY_MINUTES:
                    e = self._midnight_us(ordinal + 1)
                else:
                    e = (midnight + dt.timedelta(minutes=span.end) - _EPOCH) // _US
                # A span edge inside a DST gap can map before the previous edge: clip.
                s = max(s, prev_end)
                if e <= s:
                    continue
                starts.append(s)
                ends.append(e)
                cum.append(total)
                total += e - s
                cumend.append(total)
                years.append(day.year)
                prev_end = day_end = e
            if day_end >= 0:
                tab.wd_ords.append(ordinal)
                tab.wd_ends.append(day_end)
        return tab

    def _table_for(self, t: int, tab: _Table | None = None) -> _Table:
        """A table in which ``t`` (UTC µs) lies in [lo, hi), extending ``tab`` if needed."""
        if tab is None:
            tab = self._table
        if tab is not None and tab.lo <= t < tab.hi:
            return tab
        year = self._year_of(t)
        return self._extend(tab, year, year)

    def _year_of(self, t: int) -> int:
        when = _EPOCH + dt.timedelta(microseconds=t)
        year = when.astimezone(self.tz).year
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise out_of_range(when)
        return year

    def _extend(self, tab: _Table | None, lo_year: int, hi_year: int) -> _Table:
        """A new table covering ``tab``'s years and ``lo_year``..``hi_year``.

        Tables are never changed once built; the new one replaces ``self._table`` in one
        attribute assignment, so concurrent readers see the old or the new table.
        """
        if tab is None or tab is _EMPTY:
            first, last = lo_year - 1, hi_year + 2
        else:
            first = dt.date.fromordinal(tab.first).year
            last = dt.date.fromordinal(tab.last).year
            size = last - first + 1
            # Grow by at least the current size so that repeated extension stays linear.
            if lo_year < first:
                first = min(lo_year, first - size)
            if hi_year > last:
                last = max(hi_year, last + size)
        new = self._build(max(first, MIN_YEAR), min(last, MAX_YEAR))
        self._table = new
        return new

    def _extend_forward(self, tab: _Table) -> _Table:
        last = dt.date.fromordinal(tab.last).year
        if last >= MAX_YEAR:
            raise ValueError(
                f"not enough working time in calendar {self.name!r} before {MAX_YEAR + 1} / "
                f"日历 {self.name!r} 在 {MAX_YEAR + 1} 年之前没有足够的工作时间"
            )
        return self._extend(tab, last + 1, last + 1)

    def _start_year(self, tab: _Table, t: int, i: int) -> int:
        """Local year of ``t``, which lies in interval i or in the gap after it."""
        years = tab.years
        if t < tab.ends[i] or (i + 1 < len(years) and years[i + 1] == years[i]):
            return years[i]
        return self._year_of(t)

    def _provisional(self, y0: int, y1: int) -> bool:
        fb = self._fallback
        if y0 == y1:
            return fb[y0 - MIN_YEAR] == 1
        return 1 in fb[y0 - MIN_YEAR : y1 - MIN_YEAR + 1]

    def _at(self, us: int) -> dt.datetime:
        # us / 1e6 is correctly rounded and fromtimestamp rounds half-even to µs: exact
        # for |us| < 2**32 seconds (until 2106).
        return dt.datetime.fromtimestamp(us / 1_000_000, self.tz)

    # -- queries -----------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: dt.timedelta | WorkingDays) -> TimeResult:
        """The moment when ``duration`` of business time has elapsed after ``start``.

        A zero duration gives ``start`` itself (in the calendar's zone), even when closed.
        A deadline at the end of a span is that end (12:00, not 13:00). A
        :class:`WorkingDays` duration is :meth:`add_working_days`. Raises ValueError for a
        naive start, a negative duration or a result past :data:`MAX_YEAR`.
        """
        # Fast path (the benchmark's 300,000 adds per second live here): a timedelta, a
        # start and a result inside the current table. Anything unusual (a naive start, no
        # table yet, a result past the table, a gap across New Year) raises or falls
        # through to the general path, which validates and extends.
        tab = self._table
        try:
            t = (start - _EPOCH) // _US
            d = duration // _US  # type: ignore[operator]  # WorkingDays: TypeError
            if d > 0 and tab.lo <= t < tab.hi:
                starts = tab.starts
                years = tab.years
                i = bisect_right(starts, t) - 1
                y0 = years[i]
                if t < tab.ends[i]:
                    target = tab.cum[i] + t - starts[i] + d
                else:
                    target = tab.cumend[i] + d
                    if years[i + 1] != y0:
                        y0 = 0
                j = bisect_left(tab.cumend, target)
                y1 = years[j]
                if y0:
                    fb = self._fallback
                    return _new_tuple(
                        TimeResult,
                        (
                            _fromtimestamp(
                                (starts[j] + target - tab.cum[j]) / 1e6,
                                self.tz,
                            ),
                            fb[y0 - MIN_YEAR] == 1
                            if y0 == y1
                            else 1 in fb[y0 - MIN_YEAR : y1 - MIN_YEAR + 1],
                        ),
                    )
        except (TypeError, AttributeError, IndexError):
            pass
        return self._add(start, duration)

    def _add(self, start: dt.datetime, duration: dt.timedelta | WorkingDays) -> TimeResult:
        if isinstance(duration, WorkingDays):
            return self.add_working_days(start, duration.days)
        if not isinstance(duration, dt.timedelta):
            raise ValueError(
                f"duration {duration!r} must be a timedelta or WorkingDays / "
                f"时长 {duration!r} 须为 timedelta 或 WorkingDays"
            )
        check_aware(start, "start")
        t = (start - _EPOCH) // _US
        d = duration // _US
        if d <= 0:
            if d == 0:
                return TimeResult(start.astimezone(self.tz), self._provisional_at(t))
            raise ValueError(f"duration {duration} must not be negative / 时长 {duration} 不能为负")
        tab = self._table_for(t)
        while True:
            i = bisect_right(tab.starts, t) - 1
            inside = t < tab.ends[i]
            target = (tab.cum[i] + t - tab.starts[i] if inside else tab.cumend[i]) + d
            j = bisect_left(tab.cumend, target)
            if j < len(tab.cumend):
                break
            tab = self._extend_forward(tab)
        years = tab.years
        y0 = years[i] if t < tab.ends[i] else self._start_year(tab, t, i)
        return TimeResult(
            self._at(tab.starts[j] + target - tab.cum[j]), self._provisional(y0, years[j])
        )

    def _provisional_at(self, t: int) -> bool:
        y = self._position(self._table_for(t), t)[1]
        return self._provisional(y, y)

    def _position(self, tab: _Table, t: int) -> tuple[int, int]:
        """(business time since the table's start, local year) of ``t`` in UTC µs."""
        i = bisect_right(tab.starts, t) - 1
        if t < tab.ends[i]:
            return tab.cum[i] + t - tab.starts[i], tab.years[i]
        return tab.cumend[i], self._start_year(tab, t, i)

    def between(self, a: dt.datetime, b: dt.datetime) -> DurationResult:
        """Business time from ``a`` to ``b``; negative if ``b`` is before ``a``.

        ``between(a, add(a, d).at) == d`` for every d >= 0. Raises ValueError for naive
        datetimes or years outside 1970-2100.
        """
        tab = self._table
        try:  # fast path, as in add(): both ends inside the current table
            ta = (a - _EPOCH) // _US
            tb = (b - _EPOCH) // _US
            if tab.lo <= ta <= tb < tab.hi:
                starts, ends, years = tab.starts, tab.ends, tab.years
                i = bisect_right(starts, ta) - 1
                ya = years[i]
                if ta < ends[i]:
                    pa = tab.cum[i] + ta - starts[i]
                else:
                    pa = tab.cumend[i]
                    if years[i + 1] != ya:
                        ya = 0
                j = bisect_right(starts, tb) - 1
                yb = years[j]
                if tb < ends[j]:
                    pb = tab.cum[j] + tb - starts[j]
                else:
                    pb = tab.cumend[j]
                    if years[j + 1] != yb:
                        yb = 0
                if ya and yb:
                    fb = self._fallback
                    return _new_tuple(
                        DurationResult,
                        (
                            _TIMEDELTA(0, 0, pb - pa),
                            fb[ya - MIN_YEAR] == 1
                            if ya == yb
                            else 1 in fb[ya - MIN_YEAR : yb - MIN_YEAR + 1],
                        ),
                    )
        except (TypeError, IndexError):
            pass
        return self._between(a, b)

    def _between(self, a: dt.datetime, b: dt.datetime) -> DurationResult:
        if a.tzinfo is None:
            check_aware(a, "start")
        if b.tzinfo is None:
            check_aware(b, "end")
        ta = (a - _EPOCH) // _US
        tb = (b - _EPOCH) // _US
        if ta > tb:
            back = self.between(b, a)
            return DurationResult(-back.duration, back.provisional)
        tab = self._table
        if tab is None or not (tab.lo <= ta and tb < tab.hi):
            # Both ends must be read from one table: positions are relative to its start.
            tab = self._table_for(tb, self._table_for(ta))
        pa, ya = self._position(tab, ta)
        pb, yb = self._position(tab, tb)
        return DurationResult(dt.timedelta(microseconds=pb - pa), self._provisional(ya, yb))

    def is_open(self, t: dt.datetime) -> bool:
        """True if ``t`` lies inside a working span (start included, end excluded)."""
        check_aware(t, "time")
        us = (t - _EPOCH) // _US
        tab = self._table_for(us)
        i = bisect_right(tab.starts, us) - 1
        return us < tab.ends[i]

    def next_open(self, t: dt.datetime) -> TimeResult:
        """``t`` itself if open, else the start of the next working span.

        Raises ValueError if there is no working time before :data:`MAX_YEAR` ends.
        """
        check_aware(t, "time")
        us = (t - _EPOCH) // _US
        tab = self._table_for(us)
        i = bisect_right(tab.starts, us) - 1
        y0 = self._start_year(tab, us, i)
        if us < tab.ends[i]:
            return TimeResult(t.astimezone(self.tz), self._provisional(y0, y0))
        while i + 1 >= len(tab.starts):
            tab = self._extend_forward(tab)
            i = bisect_right(tab.starts, us) - 1
        return TimeResult(self._at(tab.starts[i + 1]), self._provisional(y0, tab.years[i + 1]))

    def add_working_days(self, start: dt.datetime, days: int) -> TimeResult:
        """End of business on the ``days``-th working day after the start's local date.

        The start's own day is not counted, whatever the time of day (自受理之日起N个工作日):
        a complaint on Wednesday with ``days=1`` is due at Thursday's close. A working day
        is a date with at least one span. Raises ValueError if ``days < 1``.
        """
        check_aware(start, "start")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(
                f"working days {days!r} must be a whole number of at least 1 / "
                f"工作日数 {days!r} 须为不小于 1 的整数"
            )
        local = start.astimezone(self.tz).date()
        if not MIN_YEAR <= local.year <= MAX_YEAR:
            raise out_of_range(start)
        ordinal = local.toordinal()
        tab = self._table_for((start - _EPOCH) // _US)
        while True:
            k = bisect_right(tab.wd_ords, ordinal) + days - 1
            if k < len(tab.wd_ords):
                break
            tab = self._extend_forward(tab)
        end_day = dt.date.fromordinal(tab.wd_ords[k])
        return TimeResult(self._at(tab.wd_ends[k]), self._provisional(local.year, end_day.year))


def _china_5x8() -> Calendar:
    work = "09:00-12:00,13:00-18:00"
    return Calendar(
        "cn-5x8",
        "Asia/Shanghai",
        [work] * 5 + ["", ""],
        schedule=china_schedule(),
        workday_spans=work,
    )


def _always() -> Calendar:
    return Calendar("24x7", "Asia/Shanghai", ["00:00-24:00"] * 7)


_BUILTINS = {"24x7": _always, "cn-5x8": _china_5x8}


@cache
def builtin_calendar(name: str) -> Calendar:
    """The built-in calendar ``24x7`` (Asia/Shanghai) or ``cn-5x8``; cached, so shared.

    Raises KeyError with a bilingual message for an unknown name.
    """
    try:
        factory = _BUILTINS[name]
    except KeyError:
        known = ", ".join(_BUILTINS)
        raise KeyError(
            f"unknown calendar {name!r} (known: {known}) / 未知日历 {name!r}（可用：{known}）"
        ) from None
    return factory()


class BuiltinCalendars(Mapping[str, Calendar]):
    """The built-in calendars as a mapping, built on first use (cn-5x8 loads holidays)."""

    def __getitem__(self, name: str) -> Calendar:
        return builtin_calendar(name)

    def __iter__(self) -> Iterator[str]:
        return iter(_BUILTINS)

    def __len__(self) -> int:
        return len(_BUILTINS)
