from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    """Change requests (软件修改制度, S6/M3/I2) and emergency plans (应急预案, F10): what is
    changed on the services, approved by a second person, done inside an announced
    maintenance window and the services' low-usage period; and the plans that say what to do
    in an emergency, with their drills. Reads maintenance windows, the catalogue, the asset
    register and the organisations; incidents link the emergency plan they used."""

    name = "baozhang.changes"
    label = "changes"
    verbose_name = _("Changes and emergency plans")
