"""API tokens as the command line shows them (listtokens, revoketoken): one line each,
columns padded by display width (a Chinese character takes two), times in the site's zone
as people write them; never the secret, which is not stored."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.utils import timezone

from baozhang.accounts.models import ApiToken

_WIDTHS = (14, 16, 18, 22)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "从未 / never"


def _columns(cells: tuple[str, str, str, str, str]) -> str:
    *padded, last = cells
    return "".join(_pad(c, w) for c, w in zip(padded, _WIDTHS, strict=True)) + last


HEADER = _columns(("前缀 prefix", "用户 user", "创建 created", "最近使用 last used", "用途 name"))


def token_line(token: ApiToken) -> str:
    """``bz_AbCdEfG…  agent  2026-12-07 11:02  从未 / never  deploy`` (and when revoked)."""
    line = _columns(
        (
            f"{token.prefix}…",
            token.user.username,
            _when(token.created_at),
            _when(token.last_used_at),
            token.name,
        )
    )
    if token.revoked_at is not None:
        line += f"  （已吊销 / revoked {_when(token.revoked_at)}）"
    return line
