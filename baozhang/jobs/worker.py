"""The worker loop: the database is the queue (DESIGN.md).

One `Worker` claims due items from every registered queue (registry.py) and processes
them on a small pool of threads; any number of workers, in any number of processes and
hosts, share the work because claiming is safe (each queue's claim function locks and
leases rows). It also runs the registered periodic jobs.

The loop never dies of a database error: it drops its connection, waits (1 s, then
doubling to 10 s, cut short by `stop`) and tries again. While the database is away it
logs one line per backoff step and no traceback (a task or a periodic job that fails for
that reason is said once per outage, baozhang/outage.py), and one line when it is back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue as queue_module
import socket
import threading
import time
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone

from baozhang.jobs import beats, registry
from baozhang.outage import OutageLog, is_database_unavailable

log = logging.getLogger(__name__)

_SENTINEL = object()


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Pool:
    """N sender threads fed from a queue; each closes its own database connection when
    it stops (Django connections are per thread)."""

    def __init__(self, size: int, name: str) -> None:
        self._tasks: queue_module.Queue[Any] = queue_module.Queue()
        self._lock = threading.Lock()
        self._busy = 0
        self.outage = OutageLog(log, f"{name} senders")
        self._idle = threading.Condition(self._lock)
        self._threads = [
            threading.Thread(target=self._loop, name=f"{name}-sender-{i}", daemon=True)
            for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def load(self) -> int:
        """Items submitted and not yet finished."""
        with self._lock:
            return self._busy

    def submit(self, func: Any, *args: Any) -> None:
        with self._lock:
            self._busy += 1
        self._tasks.put((func, args))

    def wait_for_slot(self, below: int, timeout: float) -> None:
        """Block until fewer than `below` items are in flight, or `timeout` passes."""
        with self._idle:
            self._idle.wait_for(lambda: self._busy < below, timeout=timeout)

    def _loop(self) -> None:
        try:
            while True:
                task = self._tasks.get()
                if task is _SENTINEL:
                    return
                func, args = task
                try:
                    # The sender keeps its connection between tasks (reconnecting per
                    # message costs more than the send); it drops it after any error.
                    func(*args)
                    self.outage.succeeded()
                except Exception as exc:
                    if is_database_unavailable(exc):
                        self.outage.failed(exc)
                    else:
                        log.exception("background task %s failed", getattr(func, "__name__", func))
                    # A broken connection must not poison the next task on this thread.
                    connection.close()
                finally:
                    with self._idle:
                        self._busy -= 1
                        self._idle.notify_all()
        finally:
            connection.close()

    def shutdown(self) -> None:
        """Finish everything submitted, then stop the threads."""
        for _ in self._threads:
            self._tasks.put(_SENTINEL)
        for thread in self._threads:
            thread.join()


class Worker:
    """Claims and processes due work until stopped.

    `concurrency` senders run at once; the loop keeps at most twice that many items
    claimed (so a sender never waits for a claim), which bounds how many leases a killed
    worker leaves behind. `poll_interval` is the sleep when there is nothing to do."""

    def __init__(
        self,
        name: str | None = None,
        concurrency: int = 4,
        *,
        poll_interval: float = 0.5,
        error_backoff: tuple[float, float] = (1.0, 10.0),
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.name = name or default_name()
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.error_backoff = error_backoff
        self._next_periodic: dict[str, float] = {}
        self._periodic_outage = OutageLog(log, f"worker {self.name} periodic jobs")

    def run(self, stop: threading.Event, *, once: bool = False) -> None:
        """Loop until `stop` is set (or, with `once`, until nothing is due). Returns after
        the items already claimed have been processed and connections are closed."""
        log.info("worker %s starting with %d senders", self.name, self.concurrency)
        started_at = timezone.now()
        next_beat = 0.0
        pool = _Pool(self.concurrency, self.name)
        backlog = self.concurrency * 2
        failures = 0
        try:
            while not stop.is_set():
                try:
                    if time.monotonic() >= next_beat:
                        next_beat = time.monotonic() + beats.BEAT_EVERY
                        self._beat(started_at)
                    self._run_periodic()
                    claimed = self._claim(pool, backlog)
                    if failures:
                        log.warning(
                            "worker %s: claiming works again after %d failures / "
                            "后台任务已恢复（失败 %d 次）",
                            self.name,
                            failures,
                            failures,
                        )
                    failures = 0
                except Exception as exc:
                    failures += 1
                    delay = min(self.error_backoff[1], self.error_backoff[0] * 2 ** (failures - 1))
                    log.warning(
                        "worker %s: claiming failed (%s: %s); retrying in %.1f s / "
                        "后台任务领取失败，%.1f 秒后重试",
                        self.name,
                        type(exc).__name__,
                        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                        delay,
                        delay,
                    )
                    connection.close()
                    stop.wait(delay)
                    continue
                finally:
                    close_old_connections()
                load = pool.load
                if claimed == 0 and load == 0:
                    if once:
                        break
                    stop.wait(self.poll_interval)
                elif claimed == 0:
                    pool.wait_for_slot(load, self.poll_interval)
                else:
                    # Refill in batches: claim again when half the backlog is done, so a
                    # claim transaction serves several messages.
                    pool.wait_for_slot(self.concurrency + 1, self.poll_interval)
        finally:
            pool.shutdown()
            try:
                beats.stopped(self.name)
            except Exception as exc:  # the database may be away as it stops: said, not fatal
                log.warning(
                    "worker %s: could not record its stop (%s) / 未能记录后台任务停止",
                    self.name,
                    type(exc).__name__,
                )
            connection.close()
            log.info("worker %s stopped", self.name)

    def _beat(self, started_at: dt.datetime) -> None:
        """Write this worker's heartbeat (/metrics shows it, jobs/models.WorkerBeat). A beat
        that fails is said and tried again at the next one; it never holds up the work."""
        try:
            beats.beat(self.name, started_at)
        except Exception as exc:
            if is_database_unavailable(exc):
                return  # the claim that follows fails too, and says so once
            log.warning(
                "worker %s: heartbeat not written (%s: %s) / 后台任务心跳未写入",
                self.name,
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            )

    def _claim(self, pool: _Pool, backlog: int) -> int:
        claimed = 0
        for q in registry.queues():
            free = backlog - pool.load
            if free <= 0:
                break
            items = q.claim(self.name, free, timezone.now())
            for item in items:
                pool.submit(q.process, item, self.name)
            claimed += len(items)
        return claimed

    def _run_periodic(self) -> None:
        now = time.monotonic()
        for job in registry.periodic_jobs():
            due = self._next_periodic.get(job.name, 0.0)
            if now < due:
                continue
            self._next_periodic[job.name] = now + job.every_seconds
            try:
                job.func()
                self._periodic_outage.succeeded()
            except Exception as exc:
                if is_database_unavailable(exc):
                    self._periodic_outage.failed(exc)
                else:
                    log.exception("periodic job %s failed", job.name)
                connection.close()
