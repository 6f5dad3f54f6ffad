from __future__ import annotations

from django.apps import AppConfig
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

        register_queue("notify.outbox", delivery.claim_due, delivery.deliver)
        delivery.route_apprise_logs()
