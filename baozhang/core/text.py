"""Text as it comes in from outside: control characters removed at the door.

Mail headers, SMS, call notes and forms may carry NUL and other control characters (a
mail's subject decoded from an unknown charset, a modem's stray bytes). PostgreSQL
refuses NUL in text, SQLite stores it and the pages would serve it raw. Every inbound
channel passes its text through :func:`clean_line` (subjects, names: one line) or
:func:`clean_text` (bodies, notes: tab, newline and carriage return kept).

Removed: the C0 controls U+0000–U+001F (but for what a multi-line field keeps), DEL
U+007F, the C1 controls U+0080–U+009F, and lone surrogates (U+D800–U+DFFF), which no
database can store as UTF-8. Everything else, including format characters such as the
zero-width joiner of emoji sequences, is kept as it came.
"""

from __future__ import annotations

import re

_MULTILINE_KEEPS = "\t\n\r"
# Every character removed in any field, and those a single-line field turns into spaces.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\n\r]+")


def clean_text(value: str) -> str:
    """``value`` without control characters; tab, newline and carriage return kept (for
    bodies and notes, which are many lines)."""
    return _CONTROLS.sub("", value)


def clean_line(value: str) -> str:
    """``value`` as one line: control characters removed, each run of tabs and line
    breaks one space, no spaces at either end (for subjects, names, numbers)."""
    return _LINE_BREAKS.sub(" ", _CONTROLS.sub("", value)).strip()


def has_controls(value: str, *, multiline: bool = False) -> bool:
    """True if ``value`` holds a character the matching clean function would remove."""
    if _CONTROLS.search(value):
        return True
    return not multiline and any(c in value for c in _MULTILINE_KEEPS)
