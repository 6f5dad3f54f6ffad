from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatchesConfig(AppConfig):
    """Patches (补丁, M5): advisories, each asset's installed software, and per asset and
    advisory whether the patch is pending, scheduled, installed or not applicable, with a
    deadline per severity on the business calendar."""

    name = "baozhang.patches"
    label = "patches"
    verbose_name = _("Patches")

    def ready(self) -> None:
        from baozhang.assets.asset_page import contribute
        from baozhang.jobs.registry import register_periodic
        from baozhang.patches.asset_patches import asset_patches
        from baozhang.patches.tasks import alarm_overdue

        # An asset's page shows its open patches and its installed software.
        contribute(asset_patches)
        # Every 5 minutes: each patch past its deadline alarms once.
        register_periodic("patches.alarm_overdue", alarm_overdue, 300)
