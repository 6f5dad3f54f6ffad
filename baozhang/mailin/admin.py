from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from baozhang.mailin.models import InboundMessage, Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to keep the stored value."),
    )

    class Meta:
        model = Mailbox
        exclude = ["last_uid"]

    def clean_password(self) -> str:
        value = self.cleaned_data.get("password") or ""
        return value or (self.instance.password if self.instance.pk else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    readonly_fields = ("last_polled_at", "last_error")
    list_display = ("name", "host", "username", "folder", "enabled", "last_polled_at", "last_error")
    list_filter = ("enabled",)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "status", "reason_read", "ticket")
    list_filter = ("status", "source")
    search_fields = ("from_address", "subject", "email_message_id")
    readonly_fields = ["reason_read", *(f.name for f in InboundMessage._meta.fields)]

    @admin.display(description=_("reason"))
    def reason_read(self, obj: InboundMessage) -> str:
        """The reason in the reader's language (the ``reason`` field keeps it in English)."""
        return obj.reason_text

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
