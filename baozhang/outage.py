"""The database away: how every role recognises it and says so without a traceback storm.

The web role answers 503 (baozhang/web/unavailable.py), the heartbeat endpoint refuses
pings, the worker and the probe back off. Each logs one line when the database goes away,
a reminder at most every `every` seconds while it stays away, and one line when it is back
(docs/reliability.md, drill 2).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import InterfaceError, OperationalError


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached or lost the connection (PostgreSQL stopped, the
    network cut, SQLite locked past its timeout): worth retrying later, not a bug."""
    return isinstance(exc, OperationalError | InterfaceError)


class OutageLog:
    """One log line per outage (and a reminder every `every` seconds), not one per
    failed request or job. Thread-safe; one instance per role and place."""

    def __init__(self, logger: logging.Logger, what: str, every: float = 30.0) -> None:
        self._log = logger
        self._what = what
        self._every = every
        self._lock = threading.Lock()
        self._since: float | None = None
        self._last_said = 0.0
        self._count = 0
        self._last_failure = 0.0

    def failed(self, exc: BaseException) -> None:
        """A failure seen while the database is away."""
        now = time.monotonic()
        with self._lock:
            if self._since is not None and now - self._last_failure > self._every:
                self._since = None  # no failure for a while: this is a new outage
                self._count = 0
            self._last_failure = now
            self._count += 1
            if self._since is None:
                self._since = self._last_said = now
                self._log.warning(
                    "%s: the database is unavailable (%s: %s) / 数据库不可用",
                    self._what,
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                )
            elif now - self._last_said >= self._every:
                self._last_said = now
                self._log.warning(
                    "%s: the database is still unavailable after %.0f s (%d failures) / "
                    "数据库仍不可用（%.0f 秒，%d 次失败）",
                    self._what,
                    now - self._since,
                    self._count,
                    now - self._since,
                    self._count,
                )

    def succeeded(self) -> None:
        """A success: if the database was away, say that it is back."""
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            lasted = time.monotonic() - self._since
            self._log.warning(
                "%s: the database is available again after %.0f s (%d failures) / "
                "数据库已恢复（%.0f 秒，%d 次失败）",
                self._what,
                lasted,
                self._count,
                lasted,
                self._count,
            )
            self._since = None
            self._count = 0


class QuietOutage(logging.Filter):
    """On ``django.request``: a 503 answered for a database outage is already logged
    once (web/unavailable.py); drop its per-request line and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (getattr(record, "status_code", None) == 503 and is_database_unavailable(exc))
