"""A progress bar for the backup and restore commands, drawn only on a terminal."""

from __future__ import annotations

import time
from typing import TextIO


class Bar:
    """Rows done of the total, redrawn at most ten times a second on one line."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self._stream = stream
        self._label = label
        self._total = 0
        self._done = 0
        self._drawn = 0.0

    def start(self, total: int) -> None:
        self._total, self._done = total, 0
        self._draw("", force=True)

    def advance(self, table: str, rows: int) -> None:
        self._done += rows
        self._draw(table)

    def finish(self) -> None:
        self._draw("", force=True)
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self, table: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        share = self._done / self._total if self._total else 1.0
        filled = int(share * 30)
        self._stream.write(
            f"\r{self._label} [{'#' * filled}{' ' * (30 - filled)}] {share:4.0%} "
            f"{self._done:,}/{self._total:,} {table[:28]:<28}"
        )
        self._stream.flush()
