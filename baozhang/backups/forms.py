"""The forms of the backup register: they read what a person typed; the rules are
services.py's, whose refusals come back on the field they are about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import User
from baozhang.accounts.selectors import staff_filter
from baozhang.backups.models import BackupJob
from baozhang.backups.services import FIELDS
from baozhang.upkeep.models import Period


def _staff() -> Any:
    return User.objects.filter(staff_filter(), is_active=True).order_by("username")


class BackupForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: BackupJob | None = None) -> None:
        initial = model_to_dict(instance, FIELDS) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(BackupJob, fields=FIELDS))
        self.fields["responsible"].queryset = _staff()  # type: ignore[attr-defined]

    def job_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data = {k: v for k, v in data.items() if k in self.changed_data}
        return data


class RehearsalForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, initial="quarterly")
    every_days = forms.IntegerField(label=_("every N days"), required=False, min_value=1)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    limit_minutes = forms.IntegerField(
        label=_("Restore within (minutes)"), min_value=1, max_value=100_000, initial=240
    )
    team = forms.ModelMultipleChoiceField(label=_("Team members"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _staff()  # type: ignore[attr-defined]
