"""ISO 8601 text for the calendar: moments with an offset, business durations, ``Nwd``.

Shared by the command line and the HTTP API so that both accept and print the same forms.
"""

from __future__ import annotations

import datetime as dt
import re

from baozhang.core.calendar import WorkingDays

__all__ = [
    "format_duration",
    "parse_date",
    "parse_duration",
    "parse_moment",
    "parse_spoken_duration",
]

_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_WORKING_DAYS = re.compile(r"(?P<n>\d+)wd")


def parse_moment(text: str, what: str = "start time", what_zh: str = "开始时间") -> dt.datetime:
    """Parse an ISO 8601 date-time that carries a UTC offset (``Z`` or ``+08:00``).

    Raises ValueError naming ``what`` and the bad value, in English and Chinese, for text
    that does not parse or has no offset.
    """
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None or "T" not in text.upper():
        raise ValueError(
            f"bad {what} {text!r} (expected ISO 8601 with offset, e.g. "
            f"2026-09-30T16:00:00+08:00) / {what_zh}无效 {text!r}（应为带时区偏移的 ISO 8601，"
            f"如 2026-09-30T16:00:00+08:00）"
        )
    return value


def parse_date(text: str, what: str = "date", what_zh: str = "日期") -> dt.date:
    """Parse ``YYYY-MM-DD``; raises a bilingual ValueError naming the bad value."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"bad {what} {text!r} (expected YYYY-MM-DD, e.g. 2026-10-01) / "
            f"{what_zh}无效 {text!r}（应为 YYYY-MM-DD，如 2026-10-01）"
        ) from None


def parse_duration(text: str) -> dt.timedelta | WorkingDays:
    """Parse a business duration: ``PT4H30M``, ``PT90S``, ``P1DT2H`` or ``10wd``.

    An ISO day (``P1D``) is 24 hours of business time, not a working day: use ``Nwd`` for
    working days (N >= 1). Years, months and weeks are refused (their length in business
    time is not defined). Raises a bilingual ValueError naming the bad value.
    """
    wd = _WORKING_DAYS.fullmatch(text.lower())
    if wd is not None and int(wd["n"]) >= 1:
        return WorkingDays(int(wd["n"]))
    iso = text.upper()
    m = _DURATION.fullmatch(iso)
    if m is not None and iso not in ("P", "PT") and not iso.endswith("T"):
        seconds = (
            float(m["d"] or 0) * 86400
            + float(m["h"] or 0) * 3600
            + float(m["m"] or 0) * 60
            + float(m["s"] or 0)
        )
        try:
            return dt.timedelta(seconds=seconds)
        except OverflowError:
            pass
    raise ValueError(
        f"bad duration {text!r} (expected an ISO 8601 business duration such as PT4H30M, "
        f"or working days such as 10wd) / 时长无效 {text!r}（应为 ISO 8601 业务时长，如 PT4H30M，"
        f"或工作日数，如 10wd）"
    )


def format_duration(value: dt.timedelta) -> str:
    """``PT…`` with hours, minutes and seconds (hours may exceed 24; no days).

    Zero is ``PT0S``; a negative value is ``-PT…``; fractions of a second are kept
    (``PT1.5S``).
    """
    sign = "-" if value < dt.timedelta(0) else ""
    us = abs(value) // dt.timedelta(microseconds=1)
    hours, rest = divmod(us, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micro = divmod(rest, 1_000_000)
    out = sign + "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if seconds or micro:
        out += f"{seconds}.{micro:06d}".rstrip("0").rstrip(".") + "S"
    if out.endswith("T"):
        out += "0S"
    return out


_SPOKEN_UNITS: dict[str, str] = {
    **dict.fromkeys(("d", "day", "days", "天"), "D"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "小时", "时"), "H"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "分钟", "分"), "M"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "秒"), "S"),
}
_WORKING_DAY_WORDS = ("wd", "working day", "working days", "个工作日", "工作日")
_SPOKEN_PART = re.compile(r"(\d+)\s*([^\d\s]+(?:\s+days?)?)")


def parse_spoken_duration(text: str) -> dt.timedelta | WorkingDays:
    """What people type for a duration, as well as the ISO forms :func:`parse_duration`
    takes: ``4h30m``, ``4 hours 30 minutes``, ``4 小时 30 分钟``, ``10 working days``,
    ``10 个工作日``. Raises the same bilingual ValueError for anything else."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned or cleaned[0] not in "0123456789":
        return parse_duration(text.strip())
    parts = _SPOKEN_PART.findall(cleaned)
    if "".join(f"{n}{u}" for n, u in parts).replace(" ", "") != cleaned.replace(" ", ""):
        return parse_duration(text.strip())
    if len(parts) == 1 and parts[0][1] in _WORKING_DAY_WORDS:
        return parse_duration(f"{parts[0][0]}wd")
    amounts: dict[str, str] = {}
    for number, unit in parts:
        key = _SPOKEN_UNITS.get(unit)
        if key is None or key in amounts:
            return parse_duration(text.strip())
        amounts[key] = number
    iso = "P" + (f"{amounts['D']}D" if "D" in amounts else "")
    time = "".join(f"{amounts[k]}{k}" for k in "HMS" if k in amounts)
    return parse_duration(iso + ("T" + time if time else ""))
