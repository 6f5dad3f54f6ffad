from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "baozhang.sla"
    label = "sla"
    verbose_name = _("Service-level agreements")

    def ready(self) -> None:
        from baozhang.events.announce import subscribe
        from baozhang.monitoring.topics import HEARTBEATS
        from baozhang.sla.services import on_heartbeats

        # A push monitor's pings are heartbeats of the frequency targets it feeds.
        subscribe(HEARTBEATS, on_heartbeats)
