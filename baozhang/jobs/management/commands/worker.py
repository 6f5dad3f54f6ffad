"""`baozhang worker` / `manage.py worker`: run the background worker role alone."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import CommandParser

from baozhang.cli import SchemaCommand, hold_connections
from baozhang.jobs.worker import Worker


class Command(SchemaCommand):
    waits_for_database = True
    help = "Deliver notifications and run background jobs until SIGTERM/SIGINT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="parallel senders")
        parser.add_argument("--name", default=None, help="worker name (default host:pid)")
        parser.add_argument(
            "--once", action="store_true", help="deliver what is due now, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # One connection per thread, kept (the loop and its senders): at most
        # concurrency + 1 connections (docs/deploy.md).
        hold_connections("worker")
        stop = threading.Event()

        def _stop(signum: int, _frame: Any) -> None:
            # Stop claiming; the sends in flight finish before run() returns.
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        worker = Worker(name=options["name"], concurrency=options["concurrency"])
        self.stdout.write(f"worker {worker.name} running ({worker.concurrency} senders)")
        self.stdout.flush()
        worker.run(stop, once=options["once"])
