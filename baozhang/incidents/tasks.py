"""The periodic check: flag, once, every open incident past its restore deadline."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.incidents import services
from baozhang.incidents.models import OPEN_STATUSES, Incident


def flag_missed_restore_targets(now: dt.datetime | None = None) -> int:
    """Flag every unresolved incident whose restore deadline has passed and that was not
    flagged before. Returns how many were flagged now; running it again flags none."""
    now = now or timezone.now()
    due = Incident.objects.filter(
        status__in=OPEN_STATUSES, restore_missed_at__isnull=True, restore_due_at__lte=now
    ).order_by("restore_due_at")
    return sum(services.flag_missed_restore_target(incident, now) for incident in due)
