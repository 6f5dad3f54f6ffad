"""The forms of patches: they read what a person typed; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.patches.files import MAX_BYTES
from baozhang.patches.models import PatchState, SeverityLevel, VersionScheme
from baozhang.ui.fields import LineField, TextField


class AdvisoryForm(forms.Form):
    reference = LineField(label=_("Reference"), max_length=120)
    title = LineField(label=_("Title"), max_length=300)
    product = LineField(
        label=_("Product"), max_length=200, help_text=_("As the inventory names it (openssl).")
    )
    affected = LineField(
        label=_("Affected versions"),
        max_length=300,
        required=False,
        help_text=_(
            "Constraints joined by commas (>=2.0, <2.4.1); "
            "empty: every version below the fixed one."
        ),
    )
    fixed_version = LineField(label=_("Fixed version"), max_length=120, required=False)
    scheme = forms.ChoiceField(label=_("Version scheme"), choices=VersionScheme.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=SeverityLevel.choices)
    cve_ids = LineField(
        label=_("CVE ids"), max_length=2000, required=False, help_text=_("Separated by spaces.")
    )
    released_on = forms.DateField(
        label=_("Release date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    source_text = LineField(label=_("Source"), max_length=300, required=False)
    description = TextField(
        label=_("Description"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdvisoryImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("File format"),
        choices=[
            ("debian", _("Debian security tracker JSON")),
            ("csv", _("CSV")),
        ],
    )
    release = LineField(
        label=_("Debian release"),
        max_length=40,
        required=False,
        initial="bookworm",
        help_text=_("The release whose fixed versions are taken (bookworm, trixie …)."),
    )
    file = forms.FileField(label=_("File"))

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("kind") == "debian" and not data.get("release"):
            self.add_error("release", _("Name the Debian release."))
        return data


class InventoryImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (asset, product, version)"))

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return f


class StatusForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), choices=PatchState.choices)
    change_reference = LineField(
        label=_("Change"), max_length=120, required=False, help_text=_("When scheduled.")
    )
    installed_at = forms.DateTimeField(
        label=_("Installed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("When installed; empty: now."),
    )
    reason = TextField(
        label=_("Why not applicable"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkStatusForm(StatusForm):
    """The same move for the statuses ticked on an advisory's page, or all its open ones."""

    ids = forms.TypedMultipleChoiceField(label=_("Assets"), coerce=int, required=False, choices=())
    all_open = forms.BooleanField(label=_("Every open one of this advisory"), required=False)

    def __init__(self, *args: Any, status_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, str(i)) for i in status_ids]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ids") and not data.get("all_open"):
            raise forms.ValidationError(_("Tick the assets, or every open one."))
        return data
