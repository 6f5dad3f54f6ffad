from __future__ import annotations

from django.contrib import admin

from baozhang.staffing.models import CoveragePromise, GapWarning, Seat, Shift


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "location", "extension", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "location", "extension")


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "start", "end", "seat", "note")
    list_filter = ("seat",)
    date_hierarchy = "start"
    raw_id_fields = ("person",)


@admin.register(CoveragePromise)
class CoveragePromiseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("calendar_key", "min_on_duty", "min_day_shift", "min_seats", "min_staff")


@admin.register(GapWarning)
class GapWarningAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("start", "end", "kind", "missing", "warned_at")
    readonly_fields = ("fingerprint", "start", "end", "kind", "missing", "warned_at")
