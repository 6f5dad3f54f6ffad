from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "baozhang.calls"
    label = "calls"
    verbose_name = _("Call log")
