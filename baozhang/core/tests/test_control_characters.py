"""Control characters are removed at the door; everything else is kept as it came."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.text import clean_line, clean_text, has_controls


@pytest.mark.parametrize(
    ("raw", "text", "line"),
    [
        ("\x00\x00\x00", "", ""),
        ("服务\x00中断", "服务中断", "服务中断"),
        ("line one\r\nline two\tend", "line one\r\nline two\tend", "line one line two end"),
        ("bell\x07 esc\x1b[31m", "bell esc[31m", "bell esc[31m"),
        ("del\x7f c1\x85\x9f", "del c1", "del c1"),
        ("lone \udcff surrogate", "lone  surrogate", "lone  surrogate"),
        ("  padded  ", "  padded  ", "padded"),
        (
            "emoji 👩\u200d💻 and \ufeffBOM",
            "emoji 👩\u200d💻 and \ufeffBOM",
            "emoji 👩\u200d💻 and \ufeffBOM",
        ),
        ("vertical\x0btab\x0cfeed", "verticaltabfeed", "verticaltabfeed"),
        ("", "", ""),
    ],
)
def test_cleaning_table(raw: str, text: str, line: str) -> None:
    assert clean_text(raw) == text
    assert clean_line(raw) == line


def _removed(c: str) -> bool:
    return unicodedata.category(c) in {"Cc", "Cs"}


@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_a_cleaned_body_holds_no_control_but_tab_and_line_breaks(value: str) -> None:
    cleaned = clean_text(value)
    assert all(not _removed(c) or c in "\t\n\r" for c in cleaned)
    assert not has_controls(cleaned, multiline=True)
    # and nothing else was touched: the kept characters in their order
    assert cleaned == "".join(c for c in value if not _removed(c) or c in "\t\n\r")


@given(st.text(max_size=200))
def test_a_cleaned_line_is_one_line_and_cleaning_twice_changes_nothing(value: str) -> None:
    line = clean_line(value)
    assert not has_controls(line)
    assert clean_line(line) == line
    assert clean_text(clean_text(value)) == clean_text(value)


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=200))
def test_text_without_controls_is_kept_as_it_came(value: str) -> None:
    assert clean_text(value) == value
    assert not has_controls(value, multiline=True)
