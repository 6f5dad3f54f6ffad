"""Worker heartbeats (models.WorkerBeat): written by the worker loop, one upsert a beat."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.jobs.models import WorkerBeat

#: Seconds between two heartbeats of a running worker.
BEAT_EVERY = 15.0


def beat(name: str, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Say that worker `name` (started at `started_at`) runs now: one statement."""
    now = now or timezone.now()
    WorkerBeat.objects.update_or_create(
        name=name,
        defaults={"started_at": started_at, "beat_at": now, "stopped_at": None},
    )


def stopped(name: str, now: dt.datetime | None = None) -> None:
    """Say that worker `name` stopped as asked."""
    WorkerBeat.objects.filter(name=name).update(stopped_at=now or timezone.now())
