"""What pages and the API both show: built-in calendars as rows, computations on a core
Calendar with field errors for bad input, and the days of a range. One copy of the steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from baozhang.calendars.models import CHINA, WEEKDAYS, BusinessCalendar
from baozhang.calendars.selectors import BUILTIN_COUNTRY, BUILTIN_KEYS, calendar_for
from baozhang.core.calendar import Calendar, DayInfo, WorkingDays
from baozhang.core.calendar_country import country_name, supported_countries
from baozhang.core.calendar_iso import format_duration, parse_date, parse_duration, parse_moment

MAX_DAYS = 366
# English here and in the API; pages translate them ({% translate row.name %}).
_BUILTIN_NAMES = {
    "24x7": gettext_noop("24x7 (every day, all day)"),
    "cn-5x8": gettext_noop("cn-5x8 (China working days, 09:00-12:00 13:00-18:00)"),
}


def calendar_label(key: str) -> str:
    """A calendar as people read it, in the reader's language: a built-in one by its
    description, the operator's own by its name, else the key."""
    if key in _BUILTIN_NAMES:
        return gettext(_BUILTIN_NAMES[key])
    name = BusinessCalendar.objects.filter(key=key).values_list("name", flat=True).first()
    return name or key


def country_label(code: str) -> str:
    """A country whose national schedule a calendar may follow, named in the reader's
    language (the catalogue has each English name the holidays package gives)."""
    return gettext(country_name(code))


def countries_in_reader_language() -> dict[str, str]:
    """Code → name in the reader's language of every supported country, in the order
    of the English names."""
    return {code: gettext(name) for code, name in supported_countries().items()}


@dataclass
class BuiltinRow:
    """A built-in calendar in the shape of a BusinessCalendar, for lists and the API."""

    key: str
    name: str
    time_zone: str
    base_schedule: str
    monday: str
    tuesday: str
    wednesday: str
    thursday: str
    friday: str
    saturday: str
    sunday: str
    workday_spans: str
    id: None = None
    builtin: bool = True
    description: str = ""
    is_active: bool = True

    def week(self) -> list[str]:
        return [getattr(self, day) for day in WEEKDAYS]


def _spans_text(spans: Any) -> str:
    return " ".join(str(s) for s in spans)


def builtin_rows() -> list[BuiltinRow]:
    rows = []
    for key in BUILTIN_KEYS:
        cal = calendar_for(key)
        week = dict(zip(WEEKDAYS, (_spans_text(w) for w in cal.week), strict=True))
        rows.append(
            BuiltinRow(
                key=key,
                name=_BUILTIN_NAMES.get(key, key),
                time_zone=cal.tz.key,
                base_schedule=CHINA if BUILTIN_COUNTRY.get(key) == CHINA else "",
                workday_spans=_spans_text(cal.workday_spans),
                **week,
            )
        )
    return rows


def _field(name: str, exc: ValueError) -> ValidationError:
    return ValidationError({name: [str(exc)]})


def compute_add(key: str, calendar: Calendar, start: str, duration: str) -> dict[str, Any]:
    """``calendar.add`` on text input. Raises ValidationError with errors under
    ``start``/``duration`` for text that does not parse or a result out of range."""
    errors: dict[str, list[str]] = {}
    try:
        moment = parse_moment(start.strip(), "start time", "开始时间")
    except ValueError as exc:
        errors["start"] = [str(exc)]
    try:
        span = parse_duration(duration.strip())
    except ValueError as exc:
        errors["duration"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    try:
        result = calendar.add(moment, span)
    except ValueError as exc:
        raise _field("duration", exc) from None
    shown = f"{span.days}wd" if isinstance(span, WorkingDays) else format_duration(span)
    return {
        "calendar": key,
        "start": moment.isoformat(),
        "duration": shown,
        "end": result.at.isoformat(),
        "provisional": result.provisional,
    }


def compute_between(key: str, calendar: Calendar, start: str, end: str) -> dict[str, Any]:
    """``calendar.between`` on text input; ValidationError under ``start``/``end``."""
    errors: dict[str, list[str]] = {}
    try:
        a = parse_moment(start.strip(), "start time", "开始时间")
    except ValueError as exc:
        errors["start"] = [str(exc)]
    try:
        b = parse_moment(end.strip(), "end time", "结束时间")
    except ValueError as exc:
        errors["end"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    try:
        result = calendar.between(a, b)
    except ValueError as exc:
        raise _field("end", exc) from None
    return {
        "calendar": key,
        "start": a.isoformat(),
        "end": b.isoformat(),
        "duration": format_duration(result.duration),
        "seconds": result.duration.total_seconds(),
        "provisional": result.provisional,
    }


def day_rows(calendar: Calendar, first: str, last: str) -> list[DayInfo]:
    """Each date from ``first`` to ``last`` (text, YYYY-MM-DD), at most 366 days."""
    errors: dict[str, list[str]] = {}
    dates: dict[str, dt.date] = {}
    for name, text in (("first", first), ("last", last)):
        try:
            dates[name] = parse_date(text.strip(), name, "日期")
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    span = (dates["last"] - dates["first"]).days
    if not 0 <= span < MAX_DAYS:
        raise ValidationError(
            {
                "last": [
                    f"bad date range {first}..{last} (last must not be before first, at most "
                    f"{MAX_DAYS} days) / 日期范围无效 {first}..{last}（结束不得早于开始，"
                    f"最多 {MAX_DAYS} 天）"
                ]
            }
        )
    try:
        return list(calendar.days(dates["first"], dates["last"]))
    except ValueError as exc:
        raise _field("first", exc) from None


def month_days(calendar: Calendar, month: dt.date) -> list[DayInfo]:
    """Each day of the month that contains ``month``."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return list(calendar.days(first, nxt - dt.timedelta(days=1)))
