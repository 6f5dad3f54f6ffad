"""The periodic check: tell customers once when a maintenance window is over."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baozhang.maintenance import services
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus


def complete_ended_windows(now: dt.datetime | None = None) -> int:
    """Send the completion notice of every scheduled window that has ended and whose
    customers were not told yet. Safe to run in every worker at once. Returns how many
    windows were completed by this call."""
    now = now or timezone.now()
    due = MaintenanceWindow.objects.filter(
        status=WindowStatus.SCHEDULED, end__lte=now, completed_at__isnull=True
    ).order_by("end")[:100]
    return sum(services.complete(window, now) for window in due)
