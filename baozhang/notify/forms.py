from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Language
from baozhang.notify.channels import ALL_FIELDS, SmsMethod, SmtpSecurity
from baozhang.notify.models import ChannelKind

_LABELS = {
    "smtp_host": _("SMTP server"),
    "smtp_port": _("SMTP port"),
    "smtp_security": _("Security"),
    "smtp_username": _("SMTP user name"),
    "smtp_password": _("SMTP password"),
    "from_address": _("From address"),
    "to_addresses": _("To addresses (comma-separated)"),
    "webhook_url": _("Webhook URL"),
    "webhook_headers": _("Extra headers (one name=value a line)"),
    "wecom_key": _("WeCom bot key or webhook URL"),
    "dingtalk_token": _("DingTalk access_token or webhook URL"),
    "dingtalk_secret": _("DingTalk signing secret (SEC…)"),
    "feishu_token": _("Feishu bot token or hook URL"),
    "sms_gateway_url": _("SMS gateway URL"),
    "sms_method": _("Gateway format"),
    "sms_phone": _("Phone number"),
    "sms_phone_field": _("Phone field name"),
    "sms_message_field": _("Text field name"),
    "sms_extra": _("Extra fields (one name=value a line)"),
}
_SECRET = {"smtp_password", "dingtalk_secret", "wecom_key", "dingtalk_token", "feishu_token"}
_TEXTAREA = {"webhook_headers", "sms_extra"}
_CHOICES = {
    "smtp_security": [(c, c) for c in SmtpSecurity.CHOICES],
    "sms_method": [(c, c) for c in SmsMethod.CHOICES],
}


class ChannelForm(forms.Form):
    """Every kind's settings in one form; the service keeps only the chosen kind's and
    reports errors under these same field names."""

    owner = forms.ChoiceField(label=_("Belongs to"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Recipient's language")), *Language.choices],
        required=False,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        for name in ALL_FIELDS:
            if name in _CHOICES:
                field: forms.Field = forms.ChoiceField(choices=_CHOICES[name], required=False)
            elif name in _SECRET:
                field = forms.CharField(
                    required=False,
                    widget=forms.PasswordInput(render_value=False),
                    help_text=_("Leave empty to keep the stored value."),
                )
            elif name in _TEXTAREA:
                field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
            else:
                field = forms.CharField(required=False)
            field.label = _LABELS[name]
            self.fields[name] = field

    def config(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in ALL_FIELDS}
