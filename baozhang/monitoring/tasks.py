"""Periodic monitoring work, run by every worker (thin: the rules are in ingest/push/rollups)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.monitoring import ingest, push, rollups
from baozhang.monitoring.models import ReceivedBatch


def judge() -> None:
    """Heartbeats into state, then every monitor judged again (maintenance windows that
    began or ended, regions that fell silent)."""
    now = timezone.now()
    push.evaluate_push(now)
    ingest.reevaluate_all(now)


def housekeeping() -> None:
    """Roll up ended days, prune raw results and remembered batches."""
    now = timezone.now()
    rollups.maintain(now)
    ReceivedBatch.objects.filter(received_at__lt=now - dt.timedelta(days=3)).delete()
