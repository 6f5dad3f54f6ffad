"""The form of a service: it reads what a person typed; the rules are the catalogue's
(services.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.catalog.models import Service


class ServiceForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: Service | None = None) -> None:
        names = [
            "name",
            "name_en",
            "slug",
            "description",
            "is_public",
            "region",
            "customers",
            "position",
        ]
        initial = model_to_dict(instance, names) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(Service, fields=names))
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Letters, digits, - and _; left empty: made from the English name."
        )
        self.fields["description"].widget.attrs["rows"] = 3
        self.fields["customers"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.CUSTOMER
        )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data = {k: v for k, v in data.items() if k in self.changed_data}
        return data
