from __future__ import annotations

from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "baozhang.calendars"
    label = "calendars"
    verbose_name = "Calendars"
