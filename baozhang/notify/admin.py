from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from baozhang.notify import services
from baozhang.notify.channels import masked_config
from baozhang.notify.models import Channel, DeliveryAttempt, Message, MessageStatus
from baozhang.notify.selectors import can_manage_channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Channels are created and their settings changed on the Notifications pages and in
    the API, where settings are validated and secrets never shown back. Here the settings
    are shown masked and read-only; name, language and enabled are changed through
    services.update_channel (so the change is checked and recorded as an event)."""

    list_display = ["name", "kind", "organisation", "user", "language", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    fields = [
        "name",
        "enabled",
        "language",
        "kind",
        "organisation",
        "user",
        "masked_settings",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "kind",
        "organisation",
        "user",
        "masked_settings",
        "created_at",
        "updated_at",
    ]
    _EDITABLE = ("name", "language", "enabled")

    @admin.display(description=_("settings"))
    def masked_settings(self, obj: Channel) -> str:
        return json.dumps(masked_config(obj.kind, obj.config or {}), ensure_ascii=False, indent=2)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_manage_channel(request.user, obj))

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        changed = {f: form.cleaned_data[f] for f in self._EDITABLE if f in form.changed_data}
        try:
            services.update_channel(request.user, obj, **changed)
        except (ValidationError, PermissionDenied) as exc:
            request._notify_admin_failed = True  # type: ignore[attr-defined]
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(request, "_notify_admin_failed", False):
            return None  # nothing changed
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Channel) -> HttpResponse:
        if getattr(request, "_notify_admin_failed", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "worker", "ok", "error_text"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(_ReadOnly):
    list_display = ["created_at", "subject", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "template_key", "language"]
    search_fields = ["subject", "dedup_key"]
    date_hierarchy = "created_at"
    exclude = ["last_error_id", "last_error_params", "last_error"]
    readonly_fields = ["last_error_text"]
    inlines = [AttemptInline]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected undeliverable messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        done = 0
        for message in queryset.filter(status=MessageStatus.DEAD).select_related("channel"):
            try:
                services.retry_dead(request.user, message)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{message}: {exc}", messages.ERROR)
        self.message_user(request, _("%(n)d message(s) queued again.") % {"n": done})


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(_ReadOnly):
    list_display = ["message", "number", "started_at", "finished_at", "worker", "ok"]
    list_filter = ["ok"]
    exclude = ["error_id", "error_params", "error"]
    readonly_fields = ["error_text"]
    search_fields = ["message__dedup_key", "worker", "error"]
