from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "baozhang.desk"
    label = "desk"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from django.urls import reverse

        from baozhang.analysis.subjects import register_link
        from baozhang.desk import complaint_analysis, tasks, ticket_page

        tasks.register()
        # A complaint's page shows and edits its cause analysis (Q2); the actions page links
        # a complaint's actions to the ticket.
        ticket_page.contribute(complaint_analysis.panel)
        register_link("complaint", lambda pk: reverse("desk:ticket", args=[pk]))
