from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "baozhang.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from baozhang.events.announce import subscribe
        from baozhang.jobs.registry import register_periodic
        from baozhang.monitoring import tasks
        from baozhang.monitoring.backup_heartbeat import on_backup_done
        from baozhang.platform_backup.topics import BACKUP_DONE

        # Each scheduled platform backup is a ping of its heartbeat monitor.
        subscribe(BACKUP_DONE, on_backup_done)

        register_periodic("monitoring.judge", tasks.judge, settings.MONITOR_JUDGE_SECONDS)
        register_periodic("monitoring.housekeeping", tasks.housekeeping, 3600)
