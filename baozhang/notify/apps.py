from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "baozhang.notify"
    label = "notify"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox is one of the worker's queues; registering here means any process
        # that runs `baozhang.jobs.Worker` delivers notifications.
        from baozhang.jobs.registry import register_queue
        from baozhang.notify import delivery

        register_queue("notify.outbox", delivery.claim_batches, delivery.deliver_batch)
        delivery.route_apprise_logs()
        checks.register(_check_outbound_allow_list)


def _check_outbound_allow_list(**kwargs: Any) -> list[checks.CheckMessage]:
    """An entry of BAOZHANG_OUTBOUND_ALLOW_HOSTS that is neither a host name nor an address
    or network stops start-up instead of failing every send."""
    from baozhang.core.outbound import parse_allow_list
    from baozhang.notify.outbound import configured_entries

    try:
        parse_allow_list(configured_entries())
    except ValueError as exc:
        return [
            checks.Error(
                f"BAOZHANG_OUTBOUND_ALLOW_HOSTS: {exc}",
                hint="Give host names, addresses or networks (CIDR), separated by commas."
                " / 请填写主机名、地址或网段（CIDR），以逗号分隔。",
                id="notify.E001",
            )
        ]
    return []
