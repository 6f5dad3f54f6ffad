"""Changes and emergency plans in the admin: change requests, plans and drills for looking
only (every change goes through services.py, which checks the rules and records the
events); a service's low-usage period may be set here, each edit recorded as an event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baozhang.changes.models import ChangeRequest, Drill, EmergencyPlan, LowUsagePeriod
from baozhang.events.admin_mixins import EventedAdmin


class LookOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(LookOnly):
    list_display = ("reference", "title", "risk", "state", "unauthorised", "planned_start")
    list_filter = ("state", "risk", "unauthorised")
    search_fields = ("title", "reason")


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(LookOnly):
    list_display = ("name", "kind", "version", "owner", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "kind_detail")


@admin.register(Drill)
class DrillAdmin(LookOnly):
    list_display = ("plan", "scheduled_on", "held_on", "result")
    list_filter = ("result",)


@admin.register(LowUsagePeriod)
class LowUsagePeriodAdmin(EventedAdmin):
    list_display = ("service", "starts", "ends", "time_zone")
    search_fields = ("service__name",)
