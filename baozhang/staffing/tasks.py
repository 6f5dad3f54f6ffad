"""The periodic check: warn once of each coverage gap of the next 14 days."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from baozhang.staffing import services
from baozhang.staffing.selectors import upcoming_report

log = logging.getLogger(__name__)


def warn_of_gaps(now: dt.datetime | None = None) -> int:
    """Record a warning event for every gap ahead (or under way) not warned of before.
    Returns how many warnings were recorded. Notifications are wired elsewhere."""
    now = now or timezone.now()
    try:
        coverage = upcoming_report(now)
    except KeyError:
        log.warning("staffing promise names an unknown calendar; no gap check")
        return 0
    return sum(services.warn_of_gap(gap, now) for gap in coverage.upcoming_gaps)
