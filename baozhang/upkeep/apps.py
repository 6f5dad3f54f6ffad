from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpkeepConfig(AppConfig):
    """Maintenance plans and work orders (维护作业计划与工单, M1, I4): what is done to the
    assets of the register, how often and how, and the original records that prove it.
    Not to be confused with `maintenance`, the announced maintenance windows on services."""

    name = "baozhang.upkeep"
    label = "upkeep"
    verbose_name = _("Maintenance plans and work orders")

    def ready(self) -> None:
        from baozhang.assets.asset_page import contribute
        from baozhang.jobs.registry import register_periodic
        from baozhang.upkeep.asset_orders import asset_maintenance
        from baozhang.upkeep.tasks import check_time_limits, generate_due

        # An asset's page shows the plans that cover it and its latest work orders.
        contribute(asset_maintenance)

        # Every hour: the work orders of the periods ahead, once (a unique key per
        # plan, asset and period).
        register_periodic("upkeep.generate", generate_due, 3600)
        # Every 5 minutes: warn before a work order's time limit, escalate after it.
        register_periodic("upkeep.check_time_limits", check_time_limits, 300)
