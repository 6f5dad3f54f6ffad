"""Monitoring in the admin: for looking only. Every change goes through the catalogue
(catalog.py), which validates it and records its event; the admin would do neither."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from baozhang.monitoring.models import (
    SNMP_SECRETS,
    DailyRollup,
    Monitor,
    ProbeRegion,
    ProbeResult,
    StateSpell,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Monitor)
class MonitorAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "enabled", "status", "status_since", "last_check")
    list_filter = ("kind", "enabled", "status")
    search_fields = ("name", "target", "assets")
    list_select_related = ("check_state",)
    exclude = ("push_token", *SNMP_SECRETS)

    @admin.display(description=_("last check"), ordering="check_state__last_check_at")
    def last_check(self, monitor: Monitor) -> Any:
        return monitor.last_check_at


@admin.register(ProbeRegion)
class ProbeRegionAdmin(ReadOnlyAdmin):
    list_display = ("name", "description", "is_active", "last_seen_at", "last_seen_from")
    list_filter = ("is_active",)
    exclude = ("token_hash",)


@admin.register(ProbeResult)
class ProbeResultAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "region", "at", "ok", "latency_ms", "error")
    list_filter = ("ok", "region")
    date_hierarchy = "at"
    raw_id_fields = ("monitor",)


@admin.register(StateSpell)
class StateSpellAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "state", "start", "end", "reason")
    list_filter = ("state",)
    raw_id_fields = ("monitor",)


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    list_display = ("monitor", "day", "checks", "failures", "missed", "excluded")
    date_hierarchy = "day"
    raw_id_fields = ("monitor",)
