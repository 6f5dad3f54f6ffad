from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "baozhang.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")
