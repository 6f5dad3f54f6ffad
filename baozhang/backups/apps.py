from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """The backup register (备份登记, M2): what is backed up, how often, kept how long and
    where, by whom; each backup reports through a push heartbeat of monitoring, whose
    judged pings (PUSH_RESULTS) become the register's reports."""

    name = "baozhang.backups"
    label = "backups"
    verbose_name = _("Backup register")

    def ready(self) -> None:
        from baozhang.assets.asset_page import contribute
        from baozhang.backups.selectors import asset_backups, rehearsed_backups
        from baozhang.backups.services import on_push_results
        from baozhang.events.announce import subscribe
        from baozhang.monitoring.topics import PUSH_RESULTS
        from baozhang.upkeep import order_page

        # A backup's pings (with size and checksum) and its missed deadlines are its reports.
        subscribe(PUSH_RESULTS, on_push_results)
        # An asset's page lists the backups of it.
        contribute(asset_backups)
        # A restore rehearsal's work order names the backup it rehearses.
        order_page.contribute(rehearsed_backups)
