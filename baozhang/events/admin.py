from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baozhang.events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are never edited or deleted, here or anywhere."""

    list_display = ["at", "actor_label", "kind", "object_type", "object_label", "organisation"]
    list_filter = ["kind", "object_type"]
    search_fields = ["actor_label", "object_label", "summary", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
