"""Numbers and times on pages as people say them, in the reader's language (issue 18 §2).

One helper for every page: durations (``PT2H`` → "2 小时" / "2 hours", ``10wd`` → "10 个工作日"
/ "10 working days"), how often (86400 s → "每天" / "daily") and moments in the reader's
zone (never a raw UTC ISO string). The words come from baozhang/core/sla_text.py; the API
keeps the ISO forms. Templates use them through the ``plain`` tag library
(baozhang/ui/plain_tags.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from baozhang.core.calendar_iso import parse_duration
from baozhang.core.calendar_types import WorkingDays
from baozhang.core.sla_text import every_text, spoken_duration, spoken_limit

__all__ = [
    "duration",
    "every",
    "in_reader_language",
    "limit",
    "moment",
    "moments_in",
    "shown_value",
]

# An ISO date-time with a time and an offset, as JSON and ``isoformat`` write them.
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)")
_ISO_DURATION = re.compile(r"P(?=\d|T\d)(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?|\d+wd")


def in_reader_language(pair: tuple[str, str], language: str | None = None) -> str:
    """The English or the Chinese of an ``(en, zh)`` pair, by ``language`` (default: the
    language of the request being answered)."""
    lang = (language or get_language() or "zh-hans").lower()
    return pair[0] if lang.startswith("en") else pair[1]


def _as_seconds(value: Any) -> dt.timedelta | None:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    return None


def duration(value: Any, *, exact: bool = False) -> str:
    """A length of time: a timedelta, seconds, or an ISO/``Nwd`` string. Two units at most
    ("29 天 23 小时") unless ``exact``; ISO strings and working days are limits, always
    exact. Empty for nothing; anything else is shown as given."""
    if isinstance(value, str) and value:
        try:
            return limit(parse_duration(value))
        except ValueError:
            return value
    if isinstance(value, WorkingDays):
        return limit(value)
    td = _as_seconds(value)
    if td is None:
        return "" if value in (None, "") else str(value)
    return in_reader_language(spoken_duration(td, units=0 if exact else 2))


def limit(value: dt.timedelta | WorkingDays) -> str:
    """A limit or target, exactly: "10 个工作日" / "10 working days", "4 小时 30 分钟"."""
    return in_reader_language(spoken_limit(value))


def every(value: Any) -> str:
    """How often: seconds or a timedelta → "每天" / "daily", "每 5 分钟" / "every 5 minutes"."""
    td = _as_seconds(value)
    if td is None or td <= dt.timedelta(0):
        return ""
    return in_reader_language(every_text(td))


def moment(value: Any, fmt: str = "%Y-%m-%d %H:%M", *, own_zone: bool = False) -> str:
    """A moment in the reader's zone (the active time zone, the operator's by default):
    ``2026-12-21 18:00``; with ``own_zone``, in the zone it carries (a calendar's answer
    in the calendar's zone). Accepts aware datetimes and ISO strings with an offset; a
    naive value or other text is shown as given."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        value = parsed
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        return "" if value is None else str(value)
    if own_zone:
        return value.strftime(fmt)
    return timezone.localtime(value).strftime(fmt)


def shown_value(value: Any) -> str:
    """A stored value (an event's before/after field) as a person reads it: ISO moments
    in the reader's zone, ISO durations and ``Nwd`` in words; lists item by item."""
    if isinstance(value, list):
        return ", ".join(shown_value(v) for v in value)
    if isinstance(value, str):
        if _ISO_MOMENT.fullmatch(value):
            return moment(value)
        if _ISO_DURATION.fullmatch(value):
            return duration(value)
    return "" if value is None else str(value)


def moments_in(text: str) -> str:
    """``text`` with every ISO moment in it shown in the reader's zone (a summary stored
    as "Roster gap … 2026-12-21T10:00:00+00:00 – …")."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return _ISO_MOMENT.sub(lambda m: moment(m.group(0)), text)
