"""The forms of maintenance plans and work orders: they read what a person typed; the rules
are the services' (services.py), whose refusals come back on the field they are about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import User
from baozhang.accounts.selectors import staff_filter
from baozhang.assets.models import Asset, AssetStatus
from baozhang.upkeep.models import Plan, PlanStep, Requirement, WorkOrder
from baozhang.upkeep.services import PLAN_FIELDS, STEP_FIELDS, requirement_of

STEP_ROWS = 3  # blank rows offered below a plan's steps (no scripts: the page posts them)


class PlanForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: Plan | None = None) -> None:
        names = [*PLAN_FIELDS, "assets", "team", "supervisors"]
        initial = model_to_dict(instance, names) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(Plan, fields=names))
        self.fields["description"].widget.attrs["rows"] = 2
        self.fields["period"].label = _("Period")  # a plan's period, not a statistics period
        self.fields["starts_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["assets"].queryset = Asset.objects.exclude(  # type: ignore[attr-defined]
            status=AssetStatus.RETIRED
        ).order_by("kind", "name")
        staff = User.objects.filter(staff_filter(), is_active=True).order_by("username")
        self.fields["team"].queryset = staff  # type: ignore[attr-defined]
        self.fields["supervisors"].queryset = staff  # type: ignore[attr-defined]
        for name in ("team", "supervisors"):
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[name].choices  # type: ignore[attr-defined]
            )

    def plan_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in PLAN_FIELDS}


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=200, required=False)
    requirement = forms.ChoiceField(
        label=_("Technical requirement"), choices=Requirement.choices, initial=Requirement.RANGE
    )
    low = forms.DecimalField(label=_("Low"), max_digits=14, decimal_places=4, required=False)
    high = forms.DecimalField(label=_("High"), max_digits=14, decimal_places=4, required=False)
    target = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=4, required=False)
    tolerance = forms.DecimalField(
        label=_("Tolerance"), max_digits=14, decimal_places=4, required=False, min_value=0
    )
    expected_yes = forms.TypedChoiceField(
        label=_("Expected answer"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)


StepFormSet = formset_factory(StepForm, extra=STEP_ROWS, max_num=50, absolute_max=60)


def step_initial(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    for step in plan.steps.order_by("position"):
        row = {k: getattr(step, k) for k in STEP_FIELDS}
        for name in ("low", "high", "target", "tolerance"):
            if row[name] is not None:  # 13.2, not 13.2000
                row[name] = row[name].normalize()
        row["expected_yes"] = {True: "yes", False: "no"}.get(step.expected_yes, "")
        rows.append(row)
    return rows


def steps_posted(formset: Any) -> list[dict[str, Any]]:
    """The rows that name a step, in order; blank rows are left out."""
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and str(f.cleaned_data.get("title") or "").strip()
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class RecordForm(forms.Form):
    """The execution form of a work order: one field per checklist step (a number, or yes
    and no), remarks, photos, the performer's signature and, for a correction, its reason."""

    def __init__(
        self,
        order: WorkOrder,
        data: Any = None,
        *,
        correction: bool = False,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.order = order
        self.steps: list[PlanStep] = list(order.plan.steps.order_by("position"))
        for step in self.steps:
            name = f"step_{step.position}"
            if step.requirement == Requirement.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    label=step.title_text,
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=step.title_text,
                    required=False,
                    max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
        self.fields["remarks"] = forms.CharField(
            label=_("Remarks"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields["photos"] = forms.FileField(
            label=_("Photos"),
            required=False,
            widget=MultipleFileInput(attrs={"accept": "image/*"}),
        )
        if correction:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the correction"),
                max_length=2000,
                required=False,  # the service says why it is needed, in both languages
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("The earlier version stays readable, marked as corrected."),
            )
        self.fields["sign"] = forms.BooleanField(
            label=_("I performed this work and sign the record"),
            required=False,
            initial=not order.performed_at,
        )

    def values(self) -> dict[int, Any]:
        return {s.position: self.cleaned_data.get(f"step_{s.position}") for s in self.steps}

    def rows(self) -> list[tuple[PlanStep, Any, str]]:
        """(step, its bound field, its requirement as written: ``13.2–13.8 V``)."""
        return [(s, self[f"step_{s.position}"], requirement_of(s).text(s.unit)) for s in self.steps]


class AcceptForm(forms.Form):
    remark = forms.CharField(
        label=_("Acceptance remark"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    """Whom a work order goes to: one of the operator's active staff, or nobody."""

    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("nobody"),
        widget=forms.Select(attrs={"aria-label": _("Assigned to")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            staff_filter(), is_active=True
        ).order_by("username")
