from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.accounts.selectors import staff_filter
from baozhang.desk.models import Category, Channel, Group, Priority, TicketKind
from baozhang.ui.fields import LineField, TextField
from baozhang.ui.widgets import QuickSelect


class NewTicketForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Organisation.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[
            (c.value, c.label)
            for c in Channel
            if c not in {Channel.PORTAL, Channel.API, Channel.EMAIL}
        ],
        help_text=_("How the customer reached us (calls, fax and SMS are logged here)."),
    )
    requester = LineField(
        label=_("Caller or sender"),
        required=False,
        max_length=200,
        help_text=_("Name and number, e.g. Mr Zhang 138 0000 0000"),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.P3)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    subject = LineField(label=_("Subject"), max_length=300)
    description = TextField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["customer"].queryset = Organisation.objects.filter(
                kind=OrganisationKind.CUSTOMER, is_active=True
            )
            self.fields["customer"].required = True
        else:
            for name in ("customer", "channel", "requester", "priority", "category"):
                del self.fields[name]


class ReplyForm(forms.Form):
    body = TextField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Attachment"), required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=User.objects.none()
    )
    group = forms.ModelChoiceField(label=_("Group"), required=False, queryset=Group.objects.all())
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    green_channel = forms.BooleanField(label=_("Green channel"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(staff_filter(), is_active=True)


class BulkAssignForm(forms.Form):
    """The queue's bulk action: just a person (empty: the one clicking)."""

    assignee = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=User.objects.none(), widget=QuickSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(staff_filter(), is_active=True)
