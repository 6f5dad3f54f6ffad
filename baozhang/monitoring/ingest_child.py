"""The process that stores the local probe's results (runner.IngestProcess). Importable
before Django is set up: a spawned process imports this module first, then ``setup``
sets Django up on the probe's database."""

from __future__ import annotations

import os
from typing import Any


def setup(database: dict[str, Any]) -> None:
    """Django on the same database as the probe's process (in tests, its test
    database), with one connection kept from batch to batch: this process does nothing
    else, and a new PostgreSQL connection per batch of 500 cost about a fifth of the CPU
    of storing it (a broken connection is still closed and made anew, ingest.store_batch)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    from django.conf import settings

    settings.DATABASES["default"].update(database)
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    import django

    django.setup()


def store(rows: list[tuple[Any, ...]]) -> int:
    """Store one batch of ``(monitor_id, region, at, ok, latency_ms, error)`` rows."""
    from baozhang.monitoring.ingest import Result, store_batch

    store_batch([Result(*row) for row in rows])
    return len(rows)
