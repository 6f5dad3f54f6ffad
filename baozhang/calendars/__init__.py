"""Business calendars: the Django side of baozhang.core.calendar (commands for now)."""
