"""The forms of the asset register: they read what a person typed; the rules are the
register's (services.py), whose refusals come back on the field they are about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.accounts.selectors import staff_filter
from baozhang.assets.models import Asset
from baozhang.assets.selectors import places
from baozhang.assets.services import FIELDS, MAX_DOCUMENT_BYTES, RELATIONS


class AssetForm(forms.Form):
    def __init__(self, data: Any = None, *, instance: Asset | None = None) -> None:
        names = [*FIELDS, *RELATIONS]
        initial = model_to_dict(instance, names) if instance is not None else {}
        super().__init__(data, initial=initial)
        self.instance = instance
        self.fields.update(fields_for_model(Asset, fields=names))
        self.fields["notes"].widget.attrs["rows"] = 3
        self.fields["owner"].label = _("Owned by")
        self.fields["role"].label = _("Primary or standby")
        self.fields["warranty_end"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["location"].queryset = places()  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(staff_filter(), is_active=True).order_by("username")
        )
        self.fields["customers"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.CUSTOMER
        )
        # Each service by its name in the reader's language (catalog.fields does the same).
        self.fields["services"].label_from_instance = lambda s: s.display_name()  # type: ignore[attr-defined]
        self.fields["required_time"].help_text = _(
            "7x24, or the key of a business calendar (cn-5x8 …)."
        )

    def asset_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data = {k: v for k, v in data.items() if k in self.changed_data}
        return data


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f
