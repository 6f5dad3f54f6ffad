from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.catalog.fields import ServiceMultipleChoiceField
from baozhang.catalog.models import Service

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_EMERGENCY_HELP = _(
    "Customers must be told at least 24 hours ahead. Only emergency work may start sooner, "
    "and the reason is sent to them."
)


class ScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Public: sent to customers and shown on the status page."),
    )
    services = ServiceMultipleChoiceField(
        label=_("Affected services"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start = forms.DateTimeField(label=_("Start"), widget=_LOCAL)
    end = forms.DateTimeField(label=_("End"), widget=_LOCAL)
    is_emergency = forms.BooleanField(
        label=_("Emergency maintenance"), required=False, help_text=_EMERGENCY_HELP
    )
    emergency_reason = forms.CharField(
        label=_("Reason for the emergency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.all()  # type: ignore[attr-defined]


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(label=_("Start"), widget=_LOCAL)
    end = forms.DateTimeField(label=_("End"), widget=_LOCAL)
    is_emergency = forms.BooleanField(
        label=_("Emergency maintenance"), required=False, help_text=_EMERGENCY_HELP
    )
    emergency_reason = forms.CharField(
        label=_("Reason for the emergency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the customers of the affected services."),
    )
