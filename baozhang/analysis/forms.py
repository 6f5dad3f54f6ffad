"""The forms of cause analysis, shared by every page that shows an analysis (the incident's
review, a complaint's ticket, the actions page, the taxonomy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import OrganisationKind, User
from baozhang.analysis.models import ActionKind, CauseCategory
from baozhang.analysis.selectors import choosable_categories
from baozhang.catalog.models import Service


def staff_people() -> Any:
    return (
        User.objects.filter(is_active=True)
        .filter(organisation__kind=OrganisationKind.OPERATOR)
        .order_by("username")
    )


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.label if obj.active else f"{obj.label} ({_('inactive')})"


def category_field(current: CauseCategory | None = None, *, required: bool = False) -> Any:
    return CategoryChoice(
        queryset=choosable_categories(current),
        label=_("Cause category"),
        required=required,
        empty_label=_("Unclassified"),
    )


UPHELD_CHOICES = (("yes", _("Upheld")), ("no", _("Not upheld")))


class AnalysisForm(forms.Form):
    """Cause category and root cause; for a complaint also whether it is upheld."""

    def __init__(
        self,
        *args: Any,
        current: CauseCategory | None = None,
        complaint: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if complaint:
            self.fields["upheld"] = forms.ChoiceField(
                label=_("Is the complaint upheld?"),
                choices=UPHELD_CHOICES,
                widget=forms.RadioSelect,
            )
            # A complaint records no service of its own: the analysis names the one it
            # was about, so that repeats on that service are seen.
            self.fields["service"] = forms.ModelChoiceField(
                queryset=Service.objects.order_by("name"),
                label=_("Service concerned"),
                required=False,
            )
        self.fields["category"] = category_field(current)
        self.fields["root_cause"] = forms.CharField(
            label=_("Root cause"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "upheld" in data:
            data["upheld"] = data["upheld"] == "yes"
        return data


class ActionForm(forms.Form):
    """One corrective or preventive action: description, owner, and a due day (a date, or
    a number of working days on the operator's calendar)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=ActionKind.choices, initial=ActionKind.CORRECTIVE
    )
    description = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"))
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    within_working_days = forms.IntegerField(
        label=_("or within working days"), required=False, min_value=1, max_value=366
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_people()  # type: ignore[attr-defined]


class CategoryForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, initial=100)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767)
