"""Short bilingual texts for SLA evidence: durations, spans, numbers, exclusion kinds.

Every evidence line is ``"english / 中文"``. Times are shown in the calendar's time zone,
to the minute (seconds only when they are not zero).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from baozhang.core.calendar_types import WorkingDays

__all__ = [
    "ExclusionKind",
    "bilingual",
    "duration_text",
    "every_text",
    "kind_text",
    "limit_text",
    "moment_text",
    "money_text",
    "number_text",
    "span_text",
    "spoken_duration",
    "spoken_limit",
]


class ExclusionKind(StrEnum):
    """Well-known kinds of exemption (免责条款). Exclusions may use other kinds too; these
    are the ones with a label in both languages. ``not_observed`` is added by the
    evaluator itself for time the data source was not watching."""

    FORCE_MAJEURE = "force_majeure"
    CUSTOMER_CAUSED = "customer_caused"
    ANNOUNCED_MAINTENANCE = "announced_maintenance"
    NOT_OBSERVED = "not_observed"


_KIND_LABELS: dict[str, tuple[str, str]] = {
    ExclusionKind.FORCE_MAJEURE: ("force majeure", "不可抗力"),
    ExclusionKind.CUSTOMER_CAUSED: ("caused by the customer", "客户原因"),
    ExclusionKind.ANNOUNCED_MAINTENANCE: ("announced maintenance", "已通告的维护"),
    ExclusionKind.NOT_OBSERVED: ("not observed", "无监测数据"),
    "": ("exclusion", "免责"),
}


def bilingual(en: str, zh: str) -> str:
    """``"en / zh"``: the form of every evidence line and error message."""
    return f"{en} / {zh}"


def kind_text(kind: str) -> tuple[str, str]:
    """English and Chinese label of an exclusion kind; unknown kinds show as given, and a
    merged kind (``a+b``) shows each part."""
    if kind in _KIND_LABELS:
        return _KIND_LABELS[kind]
    parts = [_KIND_LABELS.get(k, (k, k)) for k in kind.split("+")]
    return " + ".join(p[0] for p in parts), " + ".join(p[1] for p in parts)


def number_text(value: Decimal | int) -> str:
    """A number without exponent or trailing zeros, thousands grouped: ``44,640``,
    ``99.8991``, ``0.5``."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def money_text(value: Decimal) -> str:
    """An amount with two decimals and grouped thousands: ``1,000.00``."""
    return f"{value:,.2f}"


def duration_text(td: dt.timedelta) -> tuple[str, str]:
    """``"45 min"`` / ``"45 分钟"``; from an hour up, days, hours and minutes plus the
    total in minutes (``"1 d 2 h (1,560 min)"``) so a reviewer can check sums."""
    sign = "-" if td < dt.timedelta(0) else ""
    td = abs(td)
    total_s = td.days * 86400 + td.seconds
    days, rest = divmod(total_s, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    en: list[str] = []
    zh: list[str] = []
    for amount, e, z in ((days, "d", "天"), (hours, "h", "小时"), (minutes, "min", "分钟")):
        if amount:
            en.append(f"{amount} {e}")
            zh.append(f"{amount} {z}")
    if seconds or td.microseconds:
        s = Decimal(seconds) + Decimal(td.microseconds).scaleb(-6)
        en.append(f"{number_text(s)} s")
        zh.append(f"{number_text(s)} 秒")
    if not en:
        return "0 min", "0 分钟"
    en_text, zh_text = sign + " ".join(en), sign + " ".join(zh)
    if total_s >= 3600:
        exact = Decimal(total_s) / 60
        # A reviewer checks sums in minutes: to 0.1 min, never a long repeating decimal.
        mins = number_text(exact if total_s % 6 == 0 else exact.quantize(Decimal("0.1")))
        en_text += f" ({mins} min)"
        zh_text += f"（{mins} 分钟）"
    return en_text, zh_text


def limit_text(limit: dt.timedelta | WorkingDays) -> tuple[str, str]:
    """A limit as people say it: ``"10 working day(s)"`` / ``"10 个工作日"`` for working
    days, otherwise :func:`duration_text`."""
    if isinstance(limit, WorkingDays):
        return f"{limit.days} working day(s)", f"{limit.days} 个工作日"
    return duration_text(limit)


def moment_text(t: dt.datetime, tz: dt.tzinfo) -> str:
    """``2026-10-03 02:10`` in ``tz`` (``02:10:30`` if seconds are not zero)."""
    local = t.astimezone(tz)
    fmt = "%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M"
    return local.strftime(fmt)


def span_text(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """``2026-10-03 02:10–02:55``; the end's date is repeated only if it differs."""
    a = moment_text(start, tz)
    b = moment_text(end, tz)
    if a[:10] == b[:10]:
        b = b[11:]
    return f"{a}–{b}"


# -- as people say them (pages; the API keeps the ISO forms) --------------------------

_UNITS: tuple[tuple[int, str, str, str], ...] = (
    (86400, "day", "days", "天"),
    (3600, "hour", "hours", "小时"),
    (60, "minute", "minutes", "分钟"),
    (1, "second", "seconds", "秒"),
)
_EVERY: dict[int, tuple[str, str]] = {
    604800: ("weekly", "每周"),
    86400: ("daily", "每天"),
    3600: ("hourly", "每小时"),
    60: ("every minute", "每分钟"),
    1: ("every second", "每秒"),
}


def spoken_duration(td: dt.timedelta, *, units: int = 2) -> tuple[str, str]:
    """A duration as people say it, in English and Chinese: ``"2 hours"`` / ``"2 小时"``,
    ``"29 days 23 hours"`` / ``"29 天 23 小时"``, ``"40 seconds"`` / ``"40 秒"``.

    At most ``units`` units, the largest first, rounded to the smallest unit shown, so a
    page never shows a sum to check (:func:`duration_text` is for evidence).
    ``units=0`` keeps every unit: exact, for limits and intervals."""
    sign = "-" if td < dt.timedelta(0) else ""
    rest = round(abs(td).total_seconds())
    if units:
        # Rounded to the smallest unit shown: 19 d 23 h 59 min 50 s is "20 days".
        largest = next((i for i, u in enumerate(_UNITS) if rest >= u[0]), len(_UNITS) - 1)
        step = _UNITS[min(largest + units - 1, len(_UNITS) - 1)][0]
        rest = (rest + step // 2) // step * step
    en: list[str] = []
    zh: list[str] = []
    positions = 0  # units looked at since the largest one shown
    for size, one, many, z in _UNITS:
        amount, rest = divmod(rest, size)
        if en or amount:
            positions += 1
        if units and positions > units:
            break
        if amount:
            en.append(f"{amount:,} {one if amount == 1 else many}")
            zh.append(f"{amount:,} {z}")
    if not en:
        if td and abs(td) < dt.timedelta(minutes=1):
            return "0 seconds", "0 秒"
        return "0 minutes", "0 分钟"
    return sign + " ".join(en), sign + " ".join(zh)


def spoken_limit(limit: dt.timedelta | WorkingDays) -> tuple[str, str]:
    """A limit or target as people say it, exactly: ``"10 working days"`` /
    ``"10 个工作日"``, ``"4 hours 30 minutes"`` / ``"4 小时 30 分钟"``."""
    if isinstance(limit, WorkingDays):
        n = limit.days
        return f"{n} working day{'' if n == 1 else 's'}", f"{n} 个工作日"
    return spoken_duration(limit, units=0)


def every_text(period: dt.timedelta) -> tuple[str, str]:
    """How often, as people say it: ``"daily"`` / ``"每天"``, ``"hourly"`` / ``"每小时"``,
    ``"every 5 minutes"`` / ``"每 5 分钟"``, ``"every 2 days"`` / ``"每 2 天"``."""
    seconds = period.total_seconds()
    if seconds.is_integer() and int(seconds) in _EVERY:
        return _EVERY[int(seconds)]
    en, zh = spoken_duration(period, units=0)
    return f"every {en}", f"每 {zh}"
