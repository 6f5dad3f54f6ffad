"""National working-day schedules: official holidays and make-up working days (调休).

A :class:`Schedule` says, for the years it covers, which dates are closed (holidays, days
off in lieu) and which weekend dates are working days (make-up days). Outside its years a
calendar falls back to its weekly pattern and flags results as provisional.

Two sources: :func:`china_schedule` reads the State Council schedule carried by the
``holidays`` package, and :func:`parse_schedule` reads the plain text format documented in
docs/calendars.md, so that an operator can load a newly announced schedule without
upgrading any package. No I/O here: callers read files and pass the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from baozhang.core.calendar_types import MAX_YEAR, MIN_YEAR

__all__ = ["Schedule", "china_schedule", "parse_schedule"]

_HOLIDAY_WORDS = frozenset({"holiday", "off", "休"})
_WORKDAY_WORDS = frozenset({"workday", "work", "班"})
_MAX_RANGE_DAYS = 366


@dataclass(frozen=True, eq=False)
class Schedule:
    """Official closed dates and make-up working dates for a set of covered years.

    ``holidays`` and ``workdays`` map a date to its reason (shown by ``calendar show``).
    Dates may lie just outside ``years`` (a make-up day for New Year can fall in the
    previous December); ``years`` only says which years are fully known.
    """

    name: str
    years: frozenset[int]
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(
                f"schedule {self.name!r}: date {both[0].isoformat()} is both a holiday and a "
                f"working day / 日程 {self.name!r}：{both[0].isoformat()} 同时是假日和工作日"
            )

    def merged(self, newer: Schedule) -> Schedule:
        """Return this schedule with ``newer`` laid over it.

        For every year that ``newer`` covers, this schedule's entries in that year are
        dropped and replaced by ``newer``'s; ``newer``'s entries that fall in other years
        (a make-up day in the previous December) override single dates. The covered years
        are the union of both.
        """
        holidays = {d: r for d, r in self.holidays.items() if d.year not in newer.years}
        workdays = {d: r for d, r in self.workdays.items() if d.year not in newer.years}
        for d, reason in newer.holidays.items():
            workdays.pop(d, None)
            holidays[d] = reason
        for d, reason in newer.workdays.items():
            holidays.pop(d, None)
            workdays[d] = reason
        return Schedule(
            name=f"{self.name}+{newer.name}",
            years=self.years | newer.years,
            holidays=holidays,
            workdays=workdays,
        )


def _bad_line(lineno: int, en: str, zh: str) -> ValueError:
    return ValueError(f"line {lineno}: {en} / 第 {lineno} 行：{zh}")


def _parse_date(text: str, lineno: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _bad_line(
            lineno,
            f"bad date {text!r} (expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)",
            f"日期无效 {text!r}（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）",
        ) from None


def _date_range(text: str, lineno: int) -> list[dt.date]:
    first_text, sep, last_text = text.partition("..")
    first = _parse_date(first_text, lineno)
    last = _parse_date(last_text, lineno) if sep else first
    days = (last - first).days
    if days < 0 or days >= _MAX_RANGE_DAYS:
        raise _bad_line(
            lineno,
            f"bad date range {text!r} (the end must not be before the start, at most 366 days)",
            f"日期范围无效 {text!r}（结束不得早于开始，最多 366 天）",
        )
    return [first + dt.timedelta(days=n) for n in range(days + 1)]


def parse_schedule(text: str, name: str = "imported") -> Schedule:
    """Parse the schedule text format (docs/calendars.md) into a :class:`Schedule`.

    Lines are ``year YYYY`` (a year the file fully covers; at least one is required),
    ``DATE[..DATE] holiday|off|休 [reason]`` and ``DATE[..DATE] workday|work|班 [reason]``;
    ``#`` starts a comment, blank lines are ignored. Dates must lie in a declared year or
    the year just before or after it. Raises ValueError naming the line and the bad value;
    a date listed twice with different kinds is an error, twice with the same kind is not.
    """
    years: set[int] = set()
    entries: list[tuple[int, list[dt.date], bool, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if parts[0].lower() == "year":
            if len(parts) != 2 or not parts[1].isdigit() or not 1970 <= int(parts[1]) <= 2100:
                raise _bad_line(
                    lineno,
                    f"bad year line {line!r} (expected 'year YYYY', 1970-2100)",
                    f"年份行无效 {line!r}（应为 'year YYYY'，1970-2100）",
                )
            years.add(int(parts[1]))
            continue
        if len(parts) < 2:
            raise _bad_line(
                lineno,
                f"bad line {line!r} (expected 'DATE holiday|workday [reason]')",
                f"行无效 {line!r}（应为 '日期 holiday|workday [原因]'）",
            )
        kind = parts[1].lower()
        if kind not in _HOLIDAY_WORDS and kind not in _WORKDAY_WORDS:
            raise _bad_line(
                lineno,
                f"bad kind {parts[1]!r} (expected holiday, off, 休, workday, work or 班)",
                f"类型无效 {parts[1]!r}（应为 holiday、off、休、workday、work 或 班）",
            )
        dates = _date_range(parts[0], lineno)
        reason = parts[2].strip() if len(parts) == 3 else ""
        entries.append((lineno, dates, kind in _HOLIDAY_WORDS, reason))
    if not years:
        raise ValueError(
            "schedule has no 'year YYYY' line (say which years the file fully covers) / "
            "日程缺少 'year YYYY' 行（须说明文件完整覆盖的年份）"
        )
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    lo, hi = min(years) - 1, max(years) + 1
    for lineno, dates, closed, reason in entries:
        for d in dates:
            if not lo <= d.year <= hi:
                raise _bad_line(
                    lineno,
                    f"date {d.isoformat()} is outside the declared years {sorted(years)}",
                    f"日期 {d.isoformat()} 不在声明的年份 {sorted(years)} 之内",
                )
            mine, other = (holidays, workdays) if closed else (workdays, holidays)
            if d in other:
                raise _bad_line(
                    lineno,
                    f"date {d.isoformat()} is listed both as holiday and as workday",
                    f"日期 {d.isoformat()} 同时被列为假日和工作日",
                )
            mine[d] = reason or ("holiday / 假日" if closed else "make-up working day / 调休上班")
    return Schedule(name=name, years=frozenset(years), holidays=holidays, workdays=workdays)


def _china_covered_years() -> range:
    """Years for which the installed ``holidays`` carries the State Council notice.

    ``holidays`` keeps one entry per year's notice in ``special_public_holidays`` (the days
    off in lieu); every notice since 2001 has had some. Later years are computed by rule
    only, without make-up days, so we do not count them as covered.
    """
    from holidays.countries import china

    notices: Iterable[int] = getattr(china.ChinaStaticHolidays, "special_public_holidays", {})
    years = sorted(int(y) for y in notices)
    if not years:
        raise RuntimeError("the installed holidays package carries no China schedule")
    return range(2001, years[-1] + 1)


@lru_cache(maxsize=1)
def china_schedule() -> Schedule:
    """China's official schedule (State Council notices) from the ``holidays`` package.

    Covers 2001 up to the last year whose notice the installed ``holidays`` carries (2026
    for holidays 0.109). Reasons are given in Chinese and English, e.g.
    ``国庆节 / National Day``.

    Outside those years (1970-2000 and after the last notice, up to 2100) the statutory
    holidays are known by rule all the same: the fixed dates (New Year's Day, Labour Day,
    National Day), the lunar ones (Spring Festival, Qingming, Dragon Boat, Mid-Autumn),
    which ``holidays`` computes for any year, and the days off in lieu the law gives when
    one falls on a weekend. They close their dates, marked "by statutory rule"; the years
    stay out of ``years``, so results there are still provisional: only the State
    Council's swaps of working days (调休) are unknown until its notice.
    """
    from holidays.countries.china import China

    covered = _china_covered_years()
    zh = China(years=covered, language="zh_CN")  # type: ignore[no-untyped-call]
    en = China(years=covered, language="en_US")  # type: ignore[no-untyped-call]
    closed = {
        d: f"{name} / {en.get(d, name)}" for d, name in sorted(zh.items()) if d.year in covered
    }
    makeup = {
        d: "调休上班 / make-up working day"
        for d in sorted(zh.weekend_workdays)
        if covered.start - 1 <= d.year <= covered.stop
    }
    closed.update(
        _china_by_rule([*range(MIN_YEAR, covered.start), *range(covered.stop, MAX_YEAR + 1)])
    )
    return Schedule(
        name=f"cn-{covered.start}-{covered.stop - 1}",
        years=frozenset(covered),
        holidays=dict(sorted(closed.items())),
        workdays=makeup,
    )


def _china_by_rule(years: list[int]) -> dict[dt.date, str]:
    """China's statutory holidays in ``years`` as computed by rule (no notice)."""
    from holidays.countries.china import China

    if not years:
        return {}
    zh = China(years=years, language="zh_CN")  # type: ignore[no-untyped-call]
    en = China(years=years, language="en_US")  # type: ignore[no-untyped-call]
    wanted = set(years)
    return {
        d: f"{name}（按法定规则） / {en.get(d, name)} (by statutory rule)"
        for d, name in sorted(zh.items())
        if d.year in wanted
    }
