from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import OrganisationKind, User
from baozhang.calendars.selectors import all_calendars
from baozhang.staffing.models import CoveragePromise, Seat

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def staff_people() -> Any:
    return User.objects.filter(is_active=True).filter(
        organisation__kind=OrganisationKind.OPERATOR
    ) | User.objects.filter(is_active=True, is_superuser=True)


class ShiftForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Person"))
    seat = forms.ModelChoiceField(
        queryset=Seat.objects.none(), label=_("Seat"), required=False, empty_label=_("No seat")
    )
    start = forms.DateTimeField(label=_("Start"), widget=_LOCAL)
    end = forms.DateTimeField(label=_("End"), widget=_LOCAL)
    note = forms.CharField(label=_("Role note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_people().distinct().order_by("username")  # type: ignore[attr-defined]
        self.fields["seat"].queryset = Seat.objects.filter(is_active=True)  # type: ignore[attr-defined]


class SeatForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Seat
        fields = ("name", "location", "extension", "is_active")


class PromiseForm(forms.ModelForm):  # type: ignore[type-arg]
    calendar_key = forms.ChoiceField(label=_("Covered hours (calendar)"))

    class Meta:
        model = CoveragePromise
        fields = (
            "calendar_key",
            "duty_on_rest_days",
            "min_on_duty",
            "min_day_shift",
            "day_shift_start",
            "day_shift_end",
            "min_seats",
            "min_staff",
        )
        widgets = {
            "day_shift_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_shift_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar_key"].choices = [(k, k) for k in all_calendars()]  # type: ignore[attr-defined]
