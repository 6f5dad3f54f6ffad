"""What a search box takes, and what a list view reads of ?q= (the rest is dropped)."""

from __future__ import annotations

MAX_SEARCH_CHARS = 200


def search_text(value: str) -> str:
    """A list's ?q= as it is searched: at most MAX_SEARCH_CHARS, trimmed."""
    return value[:MAX_SEARCH_CHARS].strip()
