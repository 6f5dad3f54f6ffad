from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "baozhang.mailin"
    label = "mailin"
    verbose_name = _("Inbound e-mail")

    def ready(self) -> None:
        from baozhang.mailin import polling

        polling.register()
