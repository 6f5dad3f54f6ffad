"""The spool: durable across reopen, batches keep their id until acked."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from baozhang.monitoring.probe.specs import Outcome
from baozhang.monitoring.probe.spool import Spool

T0 = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)


def outcomes(first: int, n: int) -> list[Outcome]:
    return [
        Outcome(
            monitor_id=i,
            region="gz",
            at=T0 + dt.timedelta(seconds=i),
            ok=i % 2 == 0,
            latency_ms=float(i) if i % 2 == 0 else None,
            error="" if i % 2 == 0 else "connection refused / 连接被拒绝",
            due=T0 + dt.timedelta(seconds=i),
        )
        for i in range(first, first + n)
    ]


def test_batches_keep_their_id_until_acked_even_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "spool" / "probe.sqlite3"  # the folder is created
    with Spool(path) as spool:
        assert spool.peek(10) == ("", [])
        spool.append(outcomes(0, 25))
        assert len(spool) == 25
        batch_id, first = spool.peek(10)
        assert first == outcomes(0, 10)
        assert spool.peek(10) == (batch_id, first)
        assert spool.peek(3) == (batch_id, first)  # a handed-out batch is never reshaped
    with Spool(path) as spool:
        assert len(spool) == 25
        assert spool.peek(10) == (batch_id, first)
        spool.ack(batch_id)
        assert len(spool) == 15
        next_id, second = spool.peek(100)
        assert next_id != batch_id
        assert second == outcomes(10, 15)
        spool.ack("no-such-batch")
        assert len(spool) == 15
        spool.ack(next_id)
        assert len(spool) == 0


def test_appended_rows_are_on_disk_when_append_returns(tmp_path: Path) -> None:
    path = tmp_path / "probe.sqlite3"
    spool = Spool(path)
    spool.append(outcomes(0, 3))
    # another connection (as after a crash) sees them without the spool being closed
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT count(*) FROM outcome").fetchone()[0] == 3
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    spool.close()


def test_appending_while_a_batch_is_out_does_not_change_the_batch(tmp_path: Path) -> None:
    with Spool(tmp_path / "s.sqlite3") as spool:
        spool.append(outcomes(0, 2))
        batch_id, batch = spool.peek(10)
        spool.append(outcomes(2, 2))
        assert spool.peek(10) == (batch_id, batch)
        spool.ack(batch_id)
        assert spool.peek(10)[1] == outcomes(2, 2)


def test_peek_refuses_a_silly_limit(tmp_path: Path) -> None:
    with Spool(tmp_path / "s.sqlite3") as spool, pytest.raises(ValueError, match="limit"):
        spool.peek(0)
