"""The figures of equipment and lines and the records behind them (quality/equipment.py),
at /quality/equipment/."""

from __future__ import annotations

from django.urls import path

from baozhang.quality.equipment_views import equipment_page

app_name = "equipment"

urlpatterns = [
    path("", equipment_page, name="figures"),
]
