from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.analysis.forms import category_field
from baozhang.assets.models import Asset
from baozhang.catalog.fields import ServiceChoiceField
from baozhang.catalog.models import Service
from baozhang.changes.models import EmergencyPlan
from baozhang.incidents.models import Classification, IncidentStatus, Responsibility, Severity

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# The review form offers this many action rows (empty rows are ignored).
REVIEW_ACTION_ROWS = 5


def staff_people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .filter(organisation__kind=OrganisationKind.OPERATOR)
        .order_by("username")
    )


def customer_organisations() -> Any:
    return Organisation.objects.filter(kind=OrganisationKind.CUSTOMER, is_active=True)


class IncidentForm(forms.Form):
    """A new incident by hand."""

    service = ServiceChoiceField(queryset=Service.objects.all(), label=_("Service"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.CRITICAL
    )
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=Responsibility.choices)
    detected_at = forms.DateTimeField(
        label=_("Detected at"), required=False, widget=_LOCAL, help_text=_("Empty: now.")
    )
    customers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Affected customers"),
        required=False,
        help_text=_("Empty: the service's customers."),
    )
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.all(), label=_("Assets involved"), required=False
    )
    message = forms.CharField(
        label=_("First public update"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_emergency = forms.BooleanField(label=_("Emergency event"), required=False)
    emergency_procedure = forms.CharField(
        label=_("Emergency procedure applied"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    emergency_plan = forms.ModelChoiceField(
        queryset=EmergencyPlan.objects.filter(active=True),
        label=_("Emergency plan used"),
        required=False,
        help_text=_("The emergency plan followed; the text above keeps the notes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = customer_organisations()  # type: ignore[attr-defined]


class FromTicketForm(forms.Form):
    service = ServiceChoiceField(queryset=Service.objects.all(), label=_("Service"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, required=False
    )
    responsibility = forms.ChoiceField(
        label=_("Responsibility"), choices=Responsibility.choices, required=False
    )


class EditForm(forms.Form):
    """What is known about an incident; only changed fields are saved."""

    title = forms.CharField(label=_("Title"), max_length=200)
    service = ServiceChoiceField(queryset=Service.objects.all(), label=_("Service"), required=False)
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    restore_target_minutes = forms.IntegerField(
        label=_("Restore target (minutes)"),
        min_value=1,
        max_value=60 * 24 * 90,
        help_text=_("Changing the severity resets it to the severity's target."),
    )
    responsibility = forms.ChoiceField(label=_("Responsibility"), choices=Responsibility.choices)
    customers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), label=_("Affected customers"), required=False
    )
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.all(), label=_("Assets involved"), required=False
    )
    is_public = forms.BooleanField(label=_("On the status page"), required=False)
    is_emergency = forms.BooleanField(label=_("Emergency event"), required=False)
    emergency_procedure = forms.CharField(
        label=_("Emergency procedure applied"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    emergency_plan = forms.ModelChoiceField(
        queryset=EmergencyPlan.objects.filter(active=True),
        label=_("Emergency plan used"),
        required=False,
        help_text=_("The emergency plan followed; the text above keeps the notes."),
    )
    cause = forms.CharField(
        label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    impact = forms.CharField(
        label=_("Impact"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customers"].queryset = customer_organisations()  # type: ignore[attr-defined]


class DispatchForm(forms.Form):
    engineer = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Engineer"))
    location = forms.CharField(label=_("Location"), max_length=200)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = staff_people()  # type: ignore[attr-defined]


class UpdateForm(forms.Form):
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(
        label=_("Public (sent to the affected customers)"), required=False, initial=True
    )


class MitigateForm(forms.Form):
    message = forms.CharField(
        label=_("What was done (public)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    cause = forms.CharField(
        label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}))
    impact = forms.CharField(
        label=_("Impact"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    at = forms.DateTimeField(
        label=_("Restored at"), required=False, widget=_LOCAL, help_text=_("Empty: now.")
    )


class ReviewForm(forms.Form):
    """Root cause, prevention and up to five actions (description, owner, due date)."""

    cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    prevention = forms.CharField(
        label=_("Preventive measures"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The cause category of the incident's analysis (baozhang/analysis), optional.
        self.fields["category"] = category_field()
        for n in range(REVIEW_ACTION_ROWS):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label=_("Action %(n)s") % {"n": n + 1}, max_length=500, required=False
            )
            self.fields[f"action_{n}_owner"] = forms.ModelChoiceField(
                queryset=staff_people(), label=_("Owner"), required=False
            )
            self.fields[f"action_{n}_due_on"] = forms.DateField(
                label=_("Due on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actions = []
        for n in range(REVIEW_ACTION_ROWS):
            description = (data.get(f"action_{n}_description") or "").strip()
            owner = data.get(f"action_{n}_owner")
            if not description and owner is None:
                continue
            if not description:
                self.add_error(f"action_{n}_description", _("Describe the action."))
            if owner is None:
                self.add_error(f"action_{n}_owner", _("Every action needs an owner."))
            actions.append(
                {
                    "description": description,
                    "owner": owner,
                    "due_on": data.get(f"action_{n}_due_on"),
                }
            )
        data["actions"] = actions
        return data

    def action_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due_on"])
            for n in range(REVIEW_ACTION_ROWS)
        ]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *IncidentStatus.choices],
    )
    service = ServiceChoiceField(
        queryset=Service.objects.all(), label=_("Service"), required=False, empty_label=_("All")
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        required=False,
        choices=[("", _("All")), *Classification.choices],
    )
