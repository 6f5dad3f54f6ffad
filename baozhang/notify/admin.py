from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from baozhang.notify import services
from baozhang.notify.channels import clean_config
from baozhang.notify.models import Channel, DeliveryAttempt, Message, MessageStatus


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "user", "language", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        # The admin edits the JSON directly; validate it the same way as the pages do.
        try:
            obj.config = clean_config(obj.kind, obj.config or {})
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        super().save_model(request, obj, form, change)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "worker", "ok", "error"]
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
    search_fields = ["message__dedup_key", "worker", "error"]
