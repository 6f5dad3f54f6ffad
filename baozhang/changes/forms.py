"""The forms of change requests and emergency plans: they read what a person typed; the
rules are the services' (services.py), whose refusals come back on the field they are about.
Times are typed in the operator's time zone (the page says which)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.accounts.selectors import staff_filter
from baozhang.assets.models import Asset, AssetStatus
from baozhang.catalog.models import Service
from baozhang.changes.models import (
    ChangeRequest,
    ChangeResult,
    DrillResult,
    EmergencyPlan,
)
from baozhang.changes.services import PLAN_FIELDS
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus

LOCAL = "%Y-%m-%dT%H:%M"


def _local_input(field: forms.Field) -> None:
    field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL)
    field.input_formats = [LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]  # type: ignore[attr-defined]


def _checkboxes(form: forms.Form, name: str) -> None:
    form.fields[name].widget = forms.CheckboxSelectMultiple(
        choices=form.fields[name].choices  # type: ignore[attr-defined]
    )


def _window_label(window: MaintenanceWindow) -> str:
    start = timezone.localtime(window.start)
    end = timezone.localtime(window.end)
    return f"{window.display_title()} · {start:%Y-%m-%d %H:%M}–{end:%H:%M}"


class WindowChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _window_label(obj)


CHANGE_FORM_FIELDS = (
    "title",
    "kind",
    "reason",
    "description",
    "risk",
    "services",
    "customers",
    "assets",
    "rollback_plan",
    "planned_start",
    "planned_end",
    "outside_low_usage_reason",
    "maintenance_window",
)


class ChangeForm(forms.Form):
    """A change request; with ``unauthorised`` the record of a change made without
    approval (when it was done, by whom, the result) instead of its plan."""

    def __init__(
        self, data: Any = None, *, instance: ChangeRequest | None = None, unauthorised: bool = False
    ) -> None:
        names = list(CHANGE_FORM_FIELDS)
        if unauthorised:
            names = [
                n
                for n in names
                if n
                not in {
                    "rollback_plan",
                    "planned_start",
                    "planned_end",
                    "outside_low_usage_reason",
                    "maintenance_window",
                }
            ]
        initial = model_to_dict(instance, names) if instance is not None else {}
        if instance is not None:
            for name in ("planned_start", "planned_end"):
                initial[name] = timezone.localtime(getattr(instance, name))
        super().__init__(data, initial=initial)
        self.instance = instance
        self.unauthorised = unauthorised
        self.fields.update(fields_for_model(ChangeRequest, fields=names))
        for name in ("reason", "description", "rollback_plan", "outside_low_usage_reason"):
            if name in self.fields:
                self.fields[name].widget.attrs["rows"] = 2
        self.fields["services"].queryset = Service.objects.order_by(  # type: ignore[attr-defined]
            "position", "name"
        )
        self.fields["customers"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.CUSTOMER, is_active=True
        ).order_by("name")
        self.fields["assets"].queryset = Asset.objects.exclude(  # type: ignore[attr-defined]
            status=AssetStatus.RETIRED
        ).order_by("kind", "name")
        self.fields["assets"].widget.attrs["size"] = 6
        _checkboxes(self, "services")
        _checkboxes(self, "customers")
        if not unauthorised:
            _local_input(self.fields["planned_start"])
            _local_input(self.fields["planned_end"])
            self.fields["outside_low_usage_reason"].help_text = _(
                "Required when the planned time is outside a service's low-usage period "
                "(00:00–06:00 local unless the service has its own)."
            )
            current = instance.maintenance_window_id if instance is not None else None
            windows = MaintenanceWindow.objects.filter(
                status=WindowStatus.SCHEDULED, end__gt=timezone.now()
            )
            if current:
                windows = windows | MaintenanceWindow.objects.filter(pk=current)
            self.fields["maintenance_window"] = WindowChoice(
                queryset=windows.order_by("start"),
                required=False,
                label=_("Maintenance window"),
                help_text=_(
                    "Required when customers are affected: an announced window that covers "
                    "the planned time (announced at least 24 hours ahead)."
                ),
            )
        else:
            self.fields["implemented_at"] = forms.DateTimeField(label=_("Done at"))
            _local_input(self.fields["implemented_at"])
            self.fields["implemented_by"] = forms.ModelChoiceField(
                queryset=User.objects.filter(staff_filter(), is_active=True).order_by("username"),
                label=_("Done by"),
            )
            self.fields["result"] = forms.ChoiceField(
                label=_("Result"), choices=ChangeResult.choices
            )
            self.fields["notes"] = forms.CharField(
                label=_("How it was found, what was done"),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )

    def relations(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("services", "customers", "assets")}

    def change_fields(self) -> dict[str, Any]:
        skip = {
            "services",
            "customers",
            "assets",
            "implemented_at",
            "implemented_by",
            "result",
            "notes",
        }
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("submit", "approve", "reject", "implement", "review", "cancel")],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", "—"), *ChangeResult.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: EmergencyPlan | None = None) -> None:
        initial = model_to_dict(instance, PLAN_FIELDS) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(EmergencyPlan, fields=PLAN_FIELDS))
        self.fields["content"].widget.attrs["rows"] = 8
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            staff_filter(), is_active=True
        ).order_by("username")


class DrillForm(forms.Form):
    """Schedule a drill (``scheduled_on``) or record one held."""

    action = forms.ChoiceField(
        choices=[("schedule", "schedule"), ("record", "record")], widget=forms.HiddenInput
    )
    scheduled_on = forms.DateField(
        label=_("Scheduled for"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    drill = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    held_on = forms.DateField(
        label=_("Held on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", "—"), *DrillResult.choices], required=False
    )
    lessons = forms.CharField(
        label=_("Lessons learned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _zones() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    return [(z, z) for z in sorted(available_timezones())]


class LowUsageForm(forms.Form):
    """A service's daily low-usage period, local wall-clock times in its time zone."""

    starts = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "An end before the start crosses midnight (22:00–06:00); the same time as the "
            "start is the whole day."
        ),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zones)
