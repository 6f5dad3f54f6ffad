"""Patches (M5): whether an installed version is affected by an advisory, the deadline of
each severity, and the patch compliance rate of a period. No Django, no clock.

Versions are compared by a scheme: ``debian`` (dpkg's ordering, epochs and tildes
included, through python-debian's ``Version``) or ``pep440`` (Python's, through
``packaging``). An advisory's affected versions are a spec: constraints joined by commas,
all of which must hold (``>=2.0, <2.4.1``), or empty for "every version below the fixed
one". An installed version at or above the fixed version is never affected.

Errors are ValueErrors in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from debian.debian_support import Version as DebianVersion
from packaging.version import InvalidVersion
from packaging.version import Version as Pep440Version


class Scheme(StrEnum):
    DEBIAN = "debian"
    PEP440 = "pep440"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "=": lambda a, b: a == b,
}
_CONSTRAINT = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*(\S+)\s*$")
# dpkg's rule: an upstream version starts with a digit; then letters, digits and . + ~ -.
_DEBIAN = re.compile(r"^(?:\d+:)?[0-9][A-Za-z0-9.+~:-]*$")


def parse_version(text: str, scheme: Scheme | str) -> Any:
    """The comparable version of ``text`` in ``scheme``. Raises ValueError."""
    text = text.strip()
    scheme = Scheme(scheme)
    if scheme is Scheme.DEBIAN:
        if not _DEBIAN.match(text):
            raise ValueError(f"“{text}” is not a Debian version / “{text}” 不是 Debian 版本号")
        return DebianVersion(text)
    try:
        return Pep440Version(text)
    except InvalidVersion:
        raise ValueError(
            f"“{text}” is not a PEP 440 version / “{text}” 不是 PEP 440 版本号"
        ) from None


@dataclass(frozen=True)
class Constraint:
    operator: str
    version: Any

    def holds(self, installed: Any) -> bool:
        return _OPERATORS[self.operator](installed, self.version)


def parse_spec(spec: str, scheme: Scheme | str) -> tuple[Constraint, ...]:
    """The constraints of an affected-versions spec (``"<1.2, >=1.0"``; a bare version
    means ``==``; ``*`` or empty means none). Raises ValueError naming the bad part."""
    spec = spec.strip()
    if spec in {"", "*"}:
        return ()
    out = []
    for part in spec.split(","):
        found = _CONSTRAINT.match(part)
        if not found:
            raise ValueError(
                f"“{part.strip()}” is not a version constraint (such as <1.2 or >=1.0) / "
                f"“{part.strip()}” 不是版本约束（如 <1.2 或 >=1.0）"
            )
        operator = found.group(1) or "=="
        out.append(Constraint(operator, parse_version(found.group(2), scheme)))
    return tuple(out)


def is_affected(
    installed: str, *, affected: str = "", fixed: str = "", scheme: Scheme | str
) -> bool:
    """Whether ``installed`` is affected: every constraint of ``affected`` holds and it is
    below ``fixed`` (when given). With neither, every version is affected. Raises
    ValueError for a version or spec the scheme cannot read."""
    version = parse_version(installed, scheme)
    if fixed.strip() and version >= parse_version(fixed, scheme):
        return False
    return all(c.holds(version) for c in parse_spec(affected, scheme))


def is_fixed(installed: str, *, fixed: str, scheme: Scheme | str) -> bool:
    """Whether ``installed`` is at or above ``fixed`` (False without a fixed version)."""
    if not fixed.strip():
        return False
    return bool(parse_version(installed, scheme) >= parse_version(fixed, scheme))


# -- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """The time a severity allows: ``days`` working days of a business calendar, or
    calendar days."""

    days: int
    working: bool

    def __str__(self) -> str:
        return f"{self.days}{'w' if self.working else 'd'}"


DEFAULT_POLICY: Mapping[Severity, Allowance] = {
    Severity.CRITICAL: Allowance(2, working=True),
    Severity.HIGH: Allowance(10, working=True),
    Severity.MEDIUM: Allowance(30, working=True),
    Severity.LOW: Allowance(90, working=False),
}


def parse_policy(text: str) -> dict[Severity, Allowance]:
    """A policy written ``critical=2w,high=10w,medium=30w,low=90d`` (w: working days on the
    calendar, d: calendar days); a severity left out keeps its default. Raises ValueError."""
    policy = dict(DEFAULT_POLICY)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, amount = part.partition("=")
        found = re.fullmatch(r"\s*(\d{1,4})\s*([wd])\s*", amount)
        try:
            severity = Severity(name.strip().lower())
        except ValueError:
            severity = None
        if severity is None or not found or int(found.group(1)) < 1:
            raise ValueError(
                f"“{part}” is not severity=N w|d (such as critical=2w or low=90d) / "
                f"“{part}” 不是 严重程度=N w|d（如 critical=2w 或 low=90d）"
            )
        policy[severity] = Allowance(int(found.group(1)), working=found.group(2) == "w")
    return policy


def deadline(
    start: dt.datetime,
    allowance: Allowance,
    add_working_days: Callable[[dt.datetime, int], dt.datetime],
) -> dt.datetime:
    """When a patch known at ``start`` is due: the end of the ``days``-th working day after
    it (``add_working_days``, the business calendar's), or ``days`` × 24 hours later."""
    if start.tzinfo is None:
        raise ValueError("start must be aware / 开始时间须带时区")
    if allowance.working:
        return add_working_days(start, allowance.days)
    return start + dt.timedelta(days=allowance.days)


# -- compliance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """One asset's patch for one advisory: when it was due, and when it was settled
    (installed, or judged not applicable), if it was."""

    due_at: dt.datetime
    settled_at: dt.datetime | None


@dataclass(frozen=True)
class Compliance:
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """on_time / due, or None when nothing fell due."""
        return self.on_time / self.due if self.due else None


def compliance(
    obligations: Iterable[Obligation], start: dt.datetime, end: dt.datetime
) -> Compliance:
    """The patch compliance rate of ``[start, end)``: of the patches due in the period,
    the share installed or judged not applicable by their deadline."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("period bounds must be aware / 期间边界须带时区")
    if end <= start:
        raise ValueError("the period ends before it starts / 期间结束早于开始")
    due = on_time = 0
    for item in obligations:
        if start <= item.due_at < end:
            due += 1
            if item.settled_at is not None and item.settled_at <= item.due_at:
                on_time += 1
    return Compliance(due, on_time)


def is_overdue(item: Obligation, now: dt.datetime) -> bool:
    """Unsettled and past its deadline."""
    return item.settled_at is None and item.due_at <= now
