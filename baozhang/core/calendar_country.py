"""National schedules of other countries, from the ``holidays`` package. No Django, no I/O.

China has its own source (:func:`baozhang.core.calendar_schedule.china_schedule`), which
knows which years the State Council's notices cover. For every other country ``holidays``
computes the public holidays by rule for each year from the country's first supported
year up to its last (2100 at most here), so those years count as covered; weekends stay
the calendar's own weekly spans (what a country calls a weekend is out of scope).
Make-up working days are taken where ``holidays`` knows them (``weekend_workdays``).
"""

from __future__ import annotations

from functools import lru_cache

from baozhang.core.calendar_schedule import Schedule, china_schedule
from baozhang.core.calendar_types import MAX_YEAR, MIN_YEAR

__all__ = ["country_name", "national_schedule", "supported_countries"]


@lru_cache(maxsize=1)
def supported_countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English name of every country ``holidays`` supports.

    Names come from the package's registry (``"UnitedStates"`` becomes ``"United
    States"``); sorted by name.
    """
    from holidays import list_supported_countries
    from holidays.registry import COUNTRIES

    names: dict[str, str] = {}
    for class_name, *codes in COUNTRIES.values():
        for code in codes:
            if len(code) == 2 and code.isupper():
                names[code] = _spaced(class_name)
    supported = list_supported_countries()
    return dict(
        sorted(((c, names.get(c, c)) for c in supported if len(c) == 2), key=lambda kv: kv[1])
    )


def _spaced(class_name: str) -> str:
    out = ""
    for k, ch in enumerate(class_name):
        if ch.isupper() and k and not class_name[k - 1].isupper():
            out += " "
        out += ch
    return out


def country_name(code: str) -> str:
    """The English name of a supported country code, or the code itself."""
    return supported_countries().get(code, code)


def _check_code(code: str) -> str:
    if code not in supported_countries():
        raise ValueError(
            f"unknown country {code!r} (expected an ISO 3166-1 alpha-2 code that the holidays "
            f"package supports, e.g. CN, DE, US) / 未知国家 {code!r}（应为 holidays 包支持的 "
            f"ISO 3166-1 两字母代码，如 CN、DE、US）"
        )
    return code


@lru_cache(maxsize=32)
def national_schedule(code: str) -> Schedule:
    """The official schedule of country ``code`` (``"CN"``, ``"DE"`` …).

    ``CN`` is China's State Council schedule with make-up days (years covered by the
    notices the installed package carries). Any other code gives the public holidays that
    ``holidays`` computes for its supported years within 1970-2100, plus the make-up
    working days it knows. Reasons are the package's holiday names in the country's
    default language. Cached per code. Raises ValueError for an unsupported code.
    """
    if code == "CN":
        return china_schedule()
    import holidays

    _check_code(code)
    probe = holidays.country_holidays(code)
    first = max(MIN_YEAR, int(getattr(probe, "start_year", MIN_YEAR)))
    last = min(MAX_YEAR, int(getattr(probe, "end_year", MAX_YEAR)))
    covered = range(first, last + 1)
    data = holidays.country_holidays(code, years=covered)
    closed = {d: str(name) for d, name in sorted(data.items()) if first <= d.year <= last}
    makeup = {
        d: "make-up working day / 调休上班"
        for d in sorted(getattr(data, "weekend_workdays", ()) or ())
        if first <= d.year <= last and d not in closed
    }
    return Schedule(
        name=f"{code.lower()}-{first}-{last}",
        years=frozenset(covered),
        holidays=closed,
        workdays=makeup,
    )
