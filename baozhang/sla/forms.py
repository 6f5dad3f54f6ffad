from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.sla.models import (
    FREQUENCY_KINDS,
    Agreement,
    Downtime,
    Exclusion,
    ExemptionClause,
    Observation,
    Review,
    Risk,
    Target,
    TargetKind,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "customer",
            "reference",
            "title",
            "service",
            "monthly_fee",
            "currency",
            "starts_on",
            "ends_on",
            "quality_needs",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "service": forms.Textarea(attrs={"rows": 2}),
            "quality_needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.CUSTOMER, is_active=True
        )
        if self.instance.pk:
            del self.fields["customer"]


class TargetForm(forms.ModelForm):
    tiers = forms.CharField(
        label=_("Penalty tiers"),
        required=False,
        help_text=_("One per line: “below credit%”, e.g. “99.9 10” and “99 25”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    priority_limits_text = forms.CharField(
        label=_("Limits per priority"),
        required=False,
        help_text=_("Response time only, one per line: “P1 PT30M”."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Target
        fields = [
            "name",
            "kind",
            "objective",
            "calendar_key",
            "period",
            "aggregate",
            "estimated_monthly_cost",
            "missed_credit_percent",
        ]

    def clean_tiers(self) -> list[dict[str, str]]:
        tiers = []
        for n, line in enumerate(self.cleaned_data["tiers"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace("%", " ").replace("→", " ").split()
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Line %(n)s: write “below credit%%”, e.g. “99.9 10”.") % {"n": n}
                )
            tiers.append({"threshold": parts[0], "credit_percent": parts[1]})
        return tiers

    def clean_priority_limits_text(self) -> dict[str, str]:
        from baozhang.core.calendar_iso import parse_duration

        limits: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["priority_limits_text"].splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                if len(parts) != 2:
                    raise ValueError(line)
                parse_duration(parts[1])
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)s: write a priority and an ISO 8601 duration, e.g. “P1 PT30M”.")
                    % {"n": n}
                ) from None
            limits[parts[0]] = parts[1]
        return limits


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ["description", "likelihood", "impact", "coverage"]
        widgets = {"coverage": forms.Textarea(attrs={"rows": 2})}


class ClauseForm(forms.ModelForm):
    class Meta:
        model = ExemptionClause
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ExclusionForm(forms.ModelForm):
    class Meta:
        model = Exclusion
        fields = ["clause", "start", "end", "reason"]
        widgets = {"start": DateTimeInput(), "end": DateTimeInput()}

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = agreement.clauses.all()


class DowntimeForm(forms.ModelForm):
    class Meta:
        model = Downtime
        fields = ["start", "end", "description"]
        widgets = {"start": DateTimeInput(), "end": DateTimeInput()}


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["target", "at", "value", "note"]
        widgets = {"at": DateTimeInput()}

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = agreement.targets.filter(
            kind__in=[TargetKind.MIN_COUNT, *FREQUENCY_KINDS]
        )


class OpenReviewForm(forms.Form):
    period_start = forms.DateTimeField(label=_("Period from"), widget=DateTimeInput())
    period_end = forms.DateTimeField(label=_("Period until"), widget=DateTimeInput())
    is_final = forms.BooleanField(label=_("Final review (ends the service)"), required=False)


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["satisfaction", "process_audit", "notes"]
        widgets = {
            "process_audit": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
