"""A durable local queue of outcomes, for a remote probe that loses its server.

One SQLite table in WAL mode with ``synchronous=FULL``: :meth:`Spool.append` returns only
once the rows are on disk. Rows are handed out in batches: :meth:`Spool.peek` names the
oldest rows with a batch id and keeps returning that same id and rows until
:meth:`Spool.ack` deletes them, across restarts too, so the server can recognise a
retried batch as a duplicate. Thread-safe (the agent calls it from worker threads so the
event loop never waits for the disk). No Django.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path
from types import TracebackType

from baozhang.monitoring.probe.specs import Outcome, bilingual

__all__ = ["Spool"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcome (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    batch TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcome_batch ON outcome (batch) WHERE batch IS NOT NULL;
"""


class Spool:
    """A queue of outcomes in the SQLite file at ``path`` (created with its folder)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")  # durable at commit, even in WAL mode
        self._db.executescript(_SCHEMA)

    def append(self, outcomes: list[Outcome]) -> None:
        """Add ``outcomes`` at the end; durable when this returns."""
        if not outcomes:
            return
        rows = [(json.dumps(o.to_dict(), ensure_ascii=False),) for o in outcomes]
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT INTO outcome (body) VALUES (?)", rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def peek(self, limit: int) -> tuple[str, list[Outcome]]:
        """The oldest batch: ``(batch_id, outcomes)``, oldest first. A batch handed out
        before and not yet acked comes back unchanged (same id, same rows, whatever
        ``limit`` is now); otherwise up to ``limit`` of the oldest rows become a new batch.
        ``("", [])`` when the spool is empty."""
        if limit < 1:
            raise ValueError(
                bilingual(f"limit {limit!r} must be ≥ 1", f"limit {limit!r} 必须不小于 1")
            )
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT batch FROM outcome WHERE batch IS NOT NULL ORDER BY seq LIMIT 1"
                ).fetchone()
                if row is not None:
                    batch_id = row[0]
                else:
                    batch_id = uuid.uuid4().hex
                    db.execute(
                        "UPDATE outcome SET batch = ? WHERE seq IN "
                        "(SELECT seq FROM outcome WHERE batch IS NULL ORDER BY seq LIMIT ?)",
                        (batch_id, limit),
                    )
                bodies = db.execute(
                    "SELECT body FROM outcome WHERE batch = ? ORDER BY seq", (batch_id,)
                ).fetchall()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        if not bodies:
            return "", []
        return batch_id, [Outcome.from_dict(json.loads(b)) for (b,) in bodies]

    def ack(self, batch_id: str) -> None:
        """Forget the batch (it was delivered or dead-lettered). Unknown ids: no-op."""
        with self._lock:
            self._db.execute("DELETE FROM outcome WHERE batch = ?", (batch_id,))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outcome").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
