"""The forms of construction projects (工程, I6): they read what a person typed; the rules
are assets/projects.py's, whose refusals come back on the field they are about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import User
from baozhang.accounts.selectors import staff_filter
from baozhang.assets.models import (
    AcceptanceTest,
    Asset,
    AssetStatus,
    ConstructionProject,
    HandoverItem,
)
from baozhang.assets.projects import PROJECT_FIELDS

_DATE = {"type": "date"}


def _staff() -> Any:
    return User.objects.filter(staff_filter(), is_active=True).order_by("username")


class ProjectForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: ConstructionProject | None = None) -> None:
        names = [*PROJECT_FIELDS, "responsible", "assets"]
        initial = model_to_dict(instance, names) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(ConstructionProject, fields=names))
        self.fields["description"].widget.attrs["rows"] = 3
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            self.fields[name].widget = forms.DateInput(attrs=_DATE)
        self.fields["responsible"].queryset = _staff()  # type: ignore[attr-defined]
        mine = instance.assets.values("pk") if instance is not None else Asset.objects.none()
        self.fields["assets"].queryset = Asset.objects.filter(  # type: ignore[attr-defined]
            status=AssetStatus.CONSTRUCTION
        ) | Asset.objects.filter(pk__in=mine)
        self.fields["assets"].help_text = _(
            "Assets of the register in construction; they enter service when the handover is "
            "accepted."
        )

    def project_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data = {k: v for k, v in data.items() if k in self.changed_data}
        return data


class TestForm(forms.ModelForm):
    class Meta:
        model = AcceptanceTest
        fields = ["item", "requirement", "measured", "passed", "tester", "tested_on"]
        widgets = {"tested_on": forms.DateInput(attrs=_DATE)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tester"].queryset = _staff()  # type: ignore[attr-defined]
        self.fields["passed"].label = _("Passed the requirement")
        self.fields["tested_on"].initial = timezone.localdate()


class HandoverItemForm(forms.ModelForm):
    class Meta:
        model = HandoverItem
        fields = ["topic", "text"]


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("Acceptance remark"), max_length=500, required=False)
