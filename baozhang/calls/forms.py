from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.calls.models import CallChannel, Direction
from baozhang.desk.models import TicketKind
from baozhang.ui.fields import LineField, TextField

_DURATION = re.compile(r"^\s*(?:(\d+):)?(\d+)\s*$")


class CallForm(forms.Form):
    """The agent's quick form: what the phone showed, and whether to open a ticket."""

    channel = forms.ChoiceField(label=_("Channel"), choices=CallChannel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.IN
    )
    number = LineField(label=_("Number"), max_length=50, required=False)
    caller_name = LineField(label=_("Caller"), max_length=200, required=False)
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Unknown caller"),
    )
    started_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    answered = forms.BooleanField(label=_("Answered"), required=False, initial=True)
    duration = forms.CharField(
        label=_("Duration"),
        required=False,
        help_text=_("Minutes:seconds (4:30) or seconds (270)."),
    )
    note = TextField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    follow_up = forms.BooleanField(label=_("Needs follow-up: open a ticket"), required=False)
    ticket_kind = forms.ChoiceField(
        label=_("Ticket kind"), choices=TicketKind.choices, initial=TicketKind.FAULT
    )
    subject = LineField(label=_("Ticket subject"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.CUSTOMER, is_active=True
        ).order_by("name")

    def clean_duration(self) -> int:
        text = self.cleaned_data.get("duration") or ""
        if not text.strip():
            return 0
        match = _DURATION.match(text)
        if match is None:
            raise forms.ValidationError(
                _("%(value)s is not a duration; write 4:30 or 270.") % {"value": text}
            )
        minutes, seconds = match.groups()
        return int(minutes or 0) * 60 + int(seconds)
