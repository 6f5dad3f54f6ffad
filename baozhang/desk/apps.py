from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "baozhang.desk"
    label = "desk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from baozhang.desk import tasks

        tasks.register()
