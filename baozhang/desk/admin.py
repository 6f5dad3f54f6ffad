from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baozhang.desk.models import Category, EscalationRule, Group, InboundSms, Ticket
from baozhang.events.admin_mixins import EventedAdmin


@admin.register(Group)
class GroupAdmin(EventedAdmin):
    list_display = ["name", "level", "is_green_channel"]
    filter_horizontal = ["members"]


@admin.register(Category)
class CategoryAdmin(EventedAdmin):
    list_display = ["name", "resolution_limit", "calendar_key"]


@admin.register(EscalationRule)
class EscalationRuleAdmin(EventedAdmin):
    list_display = ["name", "kind", "to_level", "enabled"]
    list_filter = ["kind", "enabled"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change through the desk's services, which keep the clocks and
    the timeline right."""

    list_display = ["reference", "subject", "customer", "kind", "priority", "status", "level"]
    list_filter = ["kind", "status", "priority", "level", "channel"]
    search_fields = ["reference", "subject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    """Every text the gateway delivered; unknown numbers are found here."""

    list_display = ["received_at", "sender", "text", "outcome", "ticket"]
    list_filter = ["outcome"]
    search_fields = ["sender", "text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
