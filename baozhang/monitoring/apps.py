from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "baozhang.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from baozhang.jobs.registry import register_periodic
        from baozhang.monitoring import tasks

        register_periodic("monitoring.judge", tasks.judge, settings.MONITOR_JUDGE_SECONDS)
        register_periodic("monitoring.housekeeping", tasks.housekeeping, 3600)
