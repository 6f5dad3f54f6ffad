"""What the worker does: queues of due rows and periodic jobs, registered by the apps.

A queue is a pair of functions. `claim(worker, limit, now)` takes up to `limit` due items
for `worker` (safely against other workers: FOR UPDATE SKIP LOCKED or an IMMEDIATE
transaction, plus a lease) and returns them; `process(item, worker)` does one item and is
called from the worker's thread pool. A periodic job is a function run every N seconds by
one of the worker's loops (each worker runs it; make it idempotent or claim its own work).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ClaimFunc = Callable[[str, int, datetime], Sequence[Any]]
ProcessFunc = Callable[[Any, str], None]


@dataclass(frozen=True)
class Queue:
    name: str
    claim: ClaimFunc
    process: ProcessFunc


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], None]
    every_seconds: float


_lock = threading.Lock()
_queues: dict[str, Queue] = {}
_periodic: dict[str, PeriodicJob] = {}


def register_queue(name: str, claim: ClaimFunc, process: ProcessFunc) -> None:
    """Add (or replace, by name) a queue that every worker drains."""
    with _lock:
        _queues[name] = Queue(name, claim, process)


def register_periodic(name: str, func: Callable[[], None], every_seconds: float) -> None:
    """Run `func()` about every `every_seconds` in every worker (replaces one of that name).

    Raises ValueError for a non-positive interval."""
    if every_seconds <= 0:
        raise ValueError(f"every_seconds must be positive, got {every_seconds!r}")
    with _lock:
        _periodic[name] = PeriodicJob(name, func, float(every_seconds))


def queues() -> list[Queue]:
    with _lock:
        return list(_queues.values())


def periodic_jobs() -> list[PeriodicJob]:
    with _lock:
        return list(_periodic.values())
