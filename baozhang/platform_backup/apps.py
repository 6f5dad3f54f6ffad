from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PlatformBackupConfig(AppConfig):
    name = "baozhang.platform_backup"
    label = "platform_backup"
    verbose_name = _("Platform backup")

    def ready(self) -> None:
        from baozhang.jobs.registry import register_periodic
        from baozhang.platform_backup import tasks

        if settings.BAOZHANG_BACKUP_DIR:
            # The job only looks whether a backup is due (cheap); the backup itself runs
            # on a thread of its own so that the worker's loop keeps claiming work.
            register_periodic("platform_backup.scheduled", tasks.scheduled_backup, 60)
