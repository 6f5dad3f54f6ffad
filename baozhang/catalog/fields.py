"""Form fields that choose services by their name in the reader's language."""

from __future__ import annotations

from django import forms

from baozhang.catalog.models import Service


class ServiceChoiceField(forms.ModelChoiceField):
    """One service, each shown as :meth:`Service.display_name` in the page's language."""

    def label_from_instance(self, obj: Service) -> str:  # type: ignore[override]
        return obj.display_name()


class ServiceMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several services, each shown in the page's language."""

    def label_from_instance(self, obj: Service) -> str:  # type: ignore[override]
        return obj.display_name()
