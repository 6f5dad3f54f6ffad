from django.contrib import admin

from baozhang.calls.models import CallRecord


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("started_at", "channel", "direction", "number", "customer", "answered")
    list_filter = ("channel", "direction", "answered")
    search_fields = ("number", "caller_name")
    readonly_fields = [f.name for f in CallRecord._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # calls are logged through the service, which records the event

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
