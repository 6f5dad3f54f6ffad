"""A device's reading against its expected value or range (core/expectation.py): the
verdict and the sentence that says the value read and the expectation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.expectation import judge_reading, parse_number, requirement_text

D = Decimal


@pytest.mark.parametrize(
    ("reading", "kw", "ok", "en", "zh"),
    [
        (
            "12.9",
            {"low": D("13.2"), "high": D("13.8"), "unit": "V", "label": "battery"},
            False,
            "battery 12.9 V outside 13.2–13.8 V",
            "battery 12.9 V 超出 13.2–13.8 V 范围",
        ),
        (
            "13.8",
            {"low": D("13.2"), "high": D("13.8"), "unit": "V"},
            True,
            "13.8 V within 13.2–13.8 V",
            "13.8 V 在 13.2–13.8 V 范围内",
        ),
        ("13.20", {"low": D("13.2")}, True, "13.2 within ≥ 13.2", "13.2 在 ≥ 13.2 范围内"),
        (
            "28",
            {"high": D("27"), "unit": "°C"},
            False,
            "28 °C outside ≤ 27 °C",
            "28 °C 超出 ≤ 27 °C 范围",
        ),
        (
            "n/a",
            {"low": D("0")},
            False,
            "n/a is not a number (expected ≥ 0)",
            "n/a 不是数值（应为 ≥ 0）",
        ),
        (
            "",
            {"low": D("0")},
            False,
            "(empty) is not a number (expected ≥ 0)",
            "(empty) 不是数值（应为 ≥ 0）",
        ),
        ("online", {"equals": "online"}, True, "online = online", "online = online"),
        (
            "onBattery",
            {"equals": "online"},
            False,
            "onBattery is not online",
            "onBattery 不等于 online",
        ),
        ("13.0", {"equals": "13"}, True, "13 = 13", "13 = 13"),
        ("14", {"equals": "13", "unit": "V"}, False, "14 V, expected = 13 V", "14 V，应为 = 13 V"),
        ("anything", {}, True, "anything", "anything"),
    ],
)
def test_verdicts_and_their_sentences(reading, kw, ok, en, zh) -> None:  # type: ignore[no-untyped-def]
    verdict = judge_reading(reading, **kw)
    assert (verdict.ok, verdict.en, verdict.zh) == (ok, en, zh)


def test_contradictions_are_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match="/"):
        requirement_text("online", D("1"), None)
    with pytest.raises(ValueError, match="下限"):
        judge_reading("5", low=D("6"), high=D("4"))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12.9", D("12.9")),
        (" 135 ", D("135")),
        (13.2, D("13.2")),
        (7, D("7")),
        ("abc", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        (True, None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_number(text: object, number: Decimal | None) -> None:
    assert parse_number(text) == number


decimals = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@given(value=decimals, low=decimals, high=decimals)
def test_a_reading_passes_exactly_when_it_lies_within_the_range(
    value: Decimal, low: Decimal, high: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    verdict = judge_reading(str(value), low=low, high=high)
    assert verdict.ok == (low <= value <= high)
    assert ("within" if verdict.ok else "outside") in verdict.en
