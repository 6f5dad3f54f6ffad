"""``{% needs_attention as cards %}`` and ``{% trend_charts as charts %}``: the staff
dashboard's two parts (baozhang/web/dashboard.py) for the signed-in person, in the
reader's language; the charts presented as the quality report's are (data for the canvas
through ``json_script``, read by static/charts.js, and the same numbers as a table)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.quality.templatetags.quality_charts import present
from baozhang.web import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_attention(context: template.Context) -> list[dashboard.Attention]:
    user = context["request"].user
    if not is_operator_staff(user):
        return []
    return dashboard.needs_attention(user, timezone.now())


@register.simple_tag(takes_context=True)
def trend_charts(context: template.Context) -> list[dict[str, Any]]:
    user = context["request"].user
    if not is_operator_staff(user):
        return []
    charts = [present(c) for c in dashboard.trend_charts(user, timezone.now())]
    for chart in charts:  # ids of their own beside any other chart of the page
        chart["script_id"] = f"bz-dashboard-{chart['key']}"
    return charts
