from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    """The asset register (资产登记): what the operator runs — servers, network devices,
    lines, rooms and racks, power and environment, software systems — beside the catalogue
    of services, so that every area above may refer to it (docs/architecture.md)."""

    name = "baozhang.assets"
    label = "assets"
    verbose_name = _("Asset register")
