from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "baozhang.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance")

    def ready(self) -> None:
        from baozhang.jobs.registry import register_periodic
        from baozhang.maintenance.tasks import complete_ended_windows

        # Every minute: a window that has ended is announced as complete, once.
        register_periodic("maintenance.complete_ended_windows", complete_ended_windows, 60)
