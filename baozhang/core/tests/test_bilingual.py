"""Texts glued in both languages read in one (core.bilingual)."""

from __future__ import annotations

import pytest

from baozhang.core.bilingual import has_chinese, one_language

CASES = [
    # text, English, Chinese
    ("desk standard / 服务时限标准", "desk standard", "服务时限标准"),
    (
        "结束须晚于开始 / the end must be after the start",
        "the end must be after the start",
        "结束须晚于开始",
    ),
    (
        "维护已结束，已通知 2 个客户 / maintenance over, 2 customers told",
        "maintenance over, 2 customers told",
        "维护已结束，已通知 2 个客户",
    ),
    # A name typed in both halves is data, not a language.
    (
        "monitor down: 门户登录页 Portal / 监控故障：门户登录页 Portal",
        "monitor down: 门户登录页 Portal",
        "监控故障：门户登录页 Portal",
    ),
    # The pair in parentheses at the end; the typed reason before it stays.
    (
        "host rebooted (已通知 2 个客户 / 2 customers told)",
        "host rebooted (2 customers told)",
        "host rebooted (已通知 2 个客户)",
    ),
]


@pytest.mark.parametrize(("text", "english", "chinese"), CASES)
def test_a_glued_pair_reads_in_the_readers_half(text: str, english: str, chinese: str) -> None:
    assert one_language(text, "en") == english
    assert one_language(text, "en-gb") == english
    assert one_language(text, "zh-hans") == chinese
    assert one_language(text, None) == chinese  # the operator's default language


@pytest.mark.parametrize(
    "text",
    ["", "just typed text", "a / b", "客户 / 运维", "tcp / icmp / http", "路径 a/b"],
)
def test_anything_else_stays_as_written(text: str) -> None:
    assert one_language(text, "en") == text
    assert one_language(text, "zh-hans") == text


def test_chinese_punctuation_counts_as_chinese() -> None:
    assert has_chinese("（）")
    assert not has_chinese("plain (ASCII)")
