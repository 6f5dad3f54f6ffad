from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "baozhang.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from django.urls import reverse

        from baozhang.analysis.subjects import register_link
        from baozhang.desk import ticket_page
        from baozhang.events.announce import subscribe
        from baozhang.incidents import upkeep_faults
        from baozhang.incidents.opening import on_monitor_transition
        from baozhang.incidents.tasks import flag_missed_restore_targets
        from baozhang.incidents.ticket_panel import incident_form
        from baozhang.jobs.registry import register_periodic
        from baozhang.monitoring.topics import MONITOR_TRANSITION
        from baozhang.upkeep.topics import STEP_FAILED

        # A monitor's transition opens, joins or ends incidents (docs/architecture.md).
        subscribe(MONITOR_TRANSITION, on_monitor_transition)
        # A failed step of a maintenance work order opens a fault on the asset.
        subscribe(STEP_FAILED, upkeep_faults.open_for_failed_step)
        # A ticket's page offers to open an incident from it.
        ticket_page.contribute(incident_form)
        # The actions page (baozhang/analysis) links a fault's actions to the incident.
        register_link("incident", lambda pk: reverse("incidents:detail", args=[pk]))

        # Every minute: an open incident past its restore deadline is flagged once.
        register_periodic("incidents.flag_missed_restore_targets", flag_missed_restore_targets, 60)
