from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The catalogue of services (and later the asset register): shared nouns that
    monitoring, agreements, incidents and maintenance refer to."""

    name = "baozhang.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")
