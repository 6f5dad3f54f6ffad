"""Texts written in both languages at once, read in one.

Older rows (event summaries, clock sources) and the messages of code that cannot translate
(core raises ``ValueError("结束须晚于开始 / the end must be after the start")``) glue the
two languages with `` / ``. :func:`one_language` picks the reader's half: the part with
Chinese characters for a Chinese reader, the part without for an English one. A text that
is not such a pair (typed text, a path ``a / b``, three parts that do not pair up) comes
back as it was.

The glue may also sit inside a text (``reason (已通知 2 个客户 / 2 customers told)``): the
last pair in parentheses is read the same way, the rest is left alone.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
_GLUE = " / "
_PAREN = re.compile(r"\(([^()]*? / [^()]*?)\)\s*$")


def has_chinese(text: str) -> bool:
    """True when ``text`` holds a CJK character or CJK punctuation."""
    return bool(_CJK.search(text))


def _shared_removed(left: str, right: str) -> tuple[str, str]:
    """Both halves without the names they share (``monitor down: 门户 Portal / 监控故障：门户
    Portal``: the name is the same data in both, not a language)."""
    for _ in range(3):
        match = SequenceMatcher(None, left, right, autojunk=False).find_longest_match()
        if match.size < 3:
            break
        left = left[: match.a] + left[match.a + match.size :]
        right = right[: match.b] + right[match.b + match.size :]
    return left, right


def _pair(text: str) -> tuple[str, str] | None:
    """(English, Chinese) when ``text`` is one half in each language, else None.

    The halves are split at a `` / `` with Chinese on one side only; when there are several
    glues, the one where each side is in one language wins (``a / b: 中 / 英`` is not a pair).
    """
    if _GLUE not in text:
        return None
    parts = text.split(_GLUE)
    for cut in range(1, len(parts)):
        left, right = _GLUE.join(parts[:cut]).strip(), _GLUE.join(parts[cut:]).strip()
        if not left or not right:
            continue
        own_left, own_right = _shared_removed(left, right)
        left_zh, right_zh = has_chinese(own_left), has_chinese(own_right)
        if left_zh == right_zh:
            continue
        return (right, left) if left_zh else (left, right)
    return None


def one_language(text: str, language: str | None) -> str:
    """``text`` in ``language`` ("en…" for English, anything else Chinese) when it is a
    glued pair; otherwise ``text`` as it is."""
    if not text or _GLUE not in text:
        return text
    english = bool(language) and str(language).lower().startswith("en")
    match = _PAREN.search(text)
    if match:
        inner = _pair(match.group(1))
        if inner is not None:
            chosen = inner[0] if english else inner[1]
            return f"{text[: match.start()]}({chosen})"
    pair = _pair(text)
    if pair is not None:
        return pair[0] if english else pair[1]
    return text
