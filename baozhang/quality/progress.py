"""A progress bar for long commands, on a terminal only (docs/decisions.md: a few lines
rather than a new dependency). When the stream is not a TTY (a pipe, a file, a test, a
periodic job's log) it writes nothing."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 24


class Progress:
    """``total`` steps; :meth:`step` before each, :meth:`done` at the end. Redraws one line
    with ``\\r``: ``[########----------------] 1/3 统计 / statistics 0.4 s``."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.shown = bool(getattr(stream, "isatty", lambda: False)())
        self.count = 0
        self.started = time.monotonic()

    def _draw(self, label: str) -> None:
        if not self.shown:
            return
        filled = WIDTH * min(self.count, self.total) // self.total
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.count}/{self.total} {label} {elapsed:.1f} s\033[K")
        self.stream.flush()

    def step(self, label: str) -> None:
        self._draw(label)
        self.count += 1

    def done(self) -> None:
        self.count = self.total
        self._draw("")
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
