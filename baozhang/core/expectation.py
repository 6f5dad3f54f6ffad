"""A reading a device sent, judged against what is expected of it: a number within a
range, equal to a value, or a text equal to a text ("online").

An SNMP monitor reads a UPS battery, a room sensor or a switch's state and must say in
one line what it read and what it wanted ("battery 12.9 V outside 13.2–13.8 V"). The
numeric rule is the one a maintenance step's technical requirement follows
(:mod:`baozhang.core.upkeep`): the same range, the same equality, the same text of the
requirement. What this module adds: the reading arrives as text (it may not be a number
at all), an expected value may be text, and the verdict comes with its sentence in
English and Chinese. No Django, no I/O. Numbers are compared as decimals, so 13.8 read
is 13.8 allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from baozhang.core.upkeep import Requirement, RequirementKind
from baozhang.core.upkeep import Verdict as StepVerdict
from baozhang.core.upkeep import judge as judge_step

__all__ = ["ReadingVerdict", "judge_reading", "parse_number", "requirement_text"]


def parse_number(text: object) -> Decimal | None:
    """``"12.9"``, ``" 135 "``, ``13``, ``13.2`` → the Decimal; None for anything that is
    not a finite number (``"abc"``, ``""``, ``"nan"``, ``True``, None)."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, float):
        if not math.isfinite(text):
            return None
        text = repr(text)  # the shortest text that reads back as this float: 13.2
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _requirement(equals: str, low: Decimal | None, high: Decimal | None) -> Requirement | None:
    """The numeric requirement, or None when the expectation is a text (or nothing)."""
    if low is not None or high is not None:
        return Requirement(RequirementKind.RANGE, low=low, high=high)
    target = parse_number(equals)
    if target is not None:
        return Requirement(RequirementKind.VALUE, target=target)
    return None


def requirement_text(
    equals: str = "", low: Decimal | None = None, high: Decimal | None = None, unit: str = ""
) -> str:
    """The expectation as an engineer writes it: ``13.2–13.8 V``, ``≥ 18 °C``,
    ``= 1``, ``= online``; ``""`` when nothing is expected beyond an answer. Raises
    ValueError (bilingual) for a range that runs backwards or a value and a range both."""
    _check(equals, low, high)
    req = _requirement(equals, low, high)
    if req is not None:
        return req.text(unit)
    return f"= {equals.strip()}" if equals.strip() else ""


def _check(equals: str, low: Decimal | None, high: Decimal | None) -> None:
    if equals.strip() and (low is not None or high is not None):
        raise ValueError("expect a value or a range, not both / 期望值与期望范围只能填其一")


@dataclass(frozen=True, slots=True)
class ReadingVerdict:
    """``ok`` and the sentence that says why, in English and Chinese: the value read and
    the expectation ("battery 12.9 V outside 13.2–13.8 V")."""

    ok: bool
    en: str
    zh: str


def judge_reading(
    reading: str,
    *,
    equals: str = "",
    low: Decimal | None = None,
    high: Decimal | None = None,
    unit: str = "",
    label: str = "",
) -> ReadingVerdict:
    """Judge ``reading`` (the value as text) against ``equals`` or the range ``low``–
    ``high`` (either bound open, both inclusive). ``label`` names what was read and
    begins the sentence; ``unit`` follows the numbers.

    A range needs a number: a reading that is not one fails, saying so. An expected
    value that is a number compares as a number ("13.0" equals "13"); any other is
    compared as trimmed text. With no expectation any reading passes. Raises ValueError
    (bilingual) for a range that runs backwards, or a value and a range both."""
    want = requirement_text(equals, low, high, unit)
    req = _requirement(equals, low, high)
    head = f"{label} " if label else ""
    shown = _clip(reading.strip()) or "(empty)"
    if req is None:
        if not want or reading.strip() == equals.strip():
            tail = f" {want}" if want else ""
            return ReadingVerdict(True, f"{head}{shown}{tail}", f"{head}{shown}{tail}")
        return ReadingVerdict(
            False,
            f"{head}{shown} is not {equals.strip()}",
            f"{head}{shown} 不等于 {equals.strip()}",
        )
    value = parse_number(reading)
    if value is None:
        return ReadingVerdict(
            False,
            f"{head}{shown} is not a number (expected {want})",
            f"{head}{shown} 不是数值（应为 {want}）",
        )
    read = f"{_num(value)} {unit}" if unit else _num(value)
    passed = judge_step(req, value) == StepVerdict.PASS
    if req.kind == RequirementKind.VALUE:
        if passed:
            return ReadingVerdict(True, f"{head}{read} {want}", f"{head}{read} {want}")
        return ReadingVerdict(False, f"{head}{read}, expected {want}", f"{head}{read}，应为 {want}")
    if passed:
        return ReadingVerdict(True, f"{head}{read} within {want}", f"{head}{read} 在 {want} 范围内")
    return ReadingVerdict(False, f"{head}{read} outside {want}", f"{head}{read} 超出 {want} 范围")
