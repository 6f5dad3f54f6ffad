from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "baozhang.staffing"
    label = "staffing"
    verbose_name = _("Staffing")

    def ready(self) -> None:
        from baozhang.jobs.registry import register_periodic
        from baozhang.staffing.tasks import warn_of_gaps

        # Every 10 minutes: a gap found in the next 14 days is warned of once.
        register_periodic("staffing.warn_of_gaps", warn_of_gaps, 600)
