from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import ApiToken, Organisation, User
from baozhang.events.admin_mixins import EventedAdmin


@admin.register(Organisation)
class OrganisationAdmin(EventedAdmin):
    list_display = ["name", "kind", "language", "is_active", "created_at"]
    list_filter = ["kind", "is_active", "language"]
    search_fields = ["name", "email_domains"]


@admin.register(User)
class UserAdmin(EventedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "organisation", "is_active", "last_login"]
    list_filter = ["organisation__kind", "is_active", "groups"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Baozhang"), {"fields": ("organisation", "display_name", "phone", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Baozhang"), {"fields": ("organisation", "display_name", "language")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]
    list_filter = ["revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made by `baozhang createtoken` or the Security page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead, so the record stays
