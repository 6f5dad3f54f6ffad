from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baozhang.calendars.models import BusinessCalendar, CalendarDate, ImportedSchedule


class _ReadOnly(admin.ModelAdmin):
    """Calendars change only through their services (each change is an event): the admin
    shows them; the pages at /calendars/ and the API change them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DateInline(admin.TabularInline):
    model = CalendarDate
    extra = 0
    fields = ["date", "kind", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(_ReadOnly):
    list_display = ["name", "key", "time_zone", "base_schedule", "is_active", "version"]
    list_filter = ["base_schedule", "is_active"]
    search_fields = ["name", "key"]
    inlines = [DateInline]


@admin.register(ImportedSchedule)
class ImportedScheduleAdmin(_ReadOnly):
    list_display = ["country", "years", "name", "imported_by", "created_at"]
    list_filter = ["country"]
