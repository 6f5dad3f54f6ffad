"""An asset's page shows its maintenance: the plans that cover it and its latest work
orders (a contribution to assets/asset_page.py, registered in upkeep's ready())."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.assets.models import Asset
from baozhang.upkeep.models import WorkOrder

SHOWN = 10


def asset_maintenance(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    if not is_operator_staff(request.user):
        return {}
    orders = (
        WorkOrder.objects.filter(asset=asset)
        .select_related("plan", "asset", "assignee")
        .order_by("-period_start", "-pk")[:SHOWN]
    )
    return {
        "sections": ["upkeep/_asset_section.html"],
        "upkeep_plans": list(asset.upkeep_plans.order_by("item")),  # type: ignore[attr-defined]
        "upkeep_orders": list(orders),
        "now": timezone.now(),
    }
