"""The catalogue in the admin: for looking only. Every change goes through
services.py, which validates it and records its event; the admin would do neither."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baozhang.catalog.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "name_en", "slug", "is_public", "position")
    list_filter = ("is_public",)
    search_fields = ("name", "name_en", "slug")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
