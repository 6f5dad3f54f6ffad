from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinConfig(AppConfig):
    name = "baozhang.mailin"
    label = "mailin"
    verbose_name = _("Inbound e-mail")

    def ready(self) -> None:
        from baozhang.desk import ticket_page
        from baozhang.mailin import polling
        from baozhang.mailin.selectors import annotate_charset_repairs

        polling.register()
        ticket_page.contribute(annotate_charset_repairs)
