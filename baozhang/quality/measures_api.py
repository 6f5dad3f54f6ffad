"""/api/v1/desk/measures: the dashboard's figures as JSON, scoped like the dashboard."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from baozhang.api.types import Date
from baozhang.quality.desk_measures import desk_measures, measures_dict, month_of, period_bounds

router = Router(tags=["desk measures"])


# The operation keeps the id it had before the figures moved to quality.
@router.get(
    "/desk/measures",
    response=dict[str, Any],
    operation_id="baozhang_desk_measures_api_get_measures",
)
def get_measures(
    request: HttpRequest,
    start: Date | None = None,
    end: Date | None = None,
    by: Literal["agent", "group", "customer"] = "agent",
) -> dict[str, Any]:
    """Figures for tickets opened and calls started from ``start`` to ``end`` (local
    dates, both inclusive; default this month), one row per agent, group or customer,
    with totals. Durations are seconds, rates percentages with one decimal, null where
    nothing was measured (no resolved ticket, no finished clock, no offered call)."""
    first, last = month_of(timezone.localdate())
    lo, hi = period_bounds(start or first, end or last)
    return measures_dict(desk_measures(request.auth, lo, hi, by))
