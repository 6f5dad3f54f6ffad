"""The records behind the figures of equipment and lines (quality/equipment.py): a page
listing the assets of a group (servers and main equipment, lines, network-management
software, or all) with each one's required time, maintenance excluded, outages and
availability, for any period and by kind, room, customer or service; and the
availability shown on an asset's own page (a contribution to assets/asset_page.py).
Operator staff only (404 to anyone else, as every operator page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from baozhang.accounts.models import Organisation, OrganisationKind
from baozhang.accounts.permissions import is_operator_staff
from baozhang.assets.models import MAIN_EQUIPMENT, Asset, AssetKind
from baozhang.assets.selectors import rooms, scoped_assets
from baozhang.core.equipment import fleet
from baozhang.core.sla_text import duration_text
from baozhang.quality import desk_measures as desk
from baozhang.quality.equipment import AssetFigures, figures_of
from baozhang.quality.report import parse_period
from baozhang.quality.statistics import Period, parse_scope

GROUPS = ("equipment", "lines", "nms", "all")


def _int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


def _period(request: HttpRequest) -> tuple[Period, str, str]:
    """The period asked for: ``period`` (2026-11 …), or ``start``/``end`` (ISO times);
    the current month otherwise. Returns it, its text and a bilingual error or ""."""
    text = request.GET.get("period", "").strip()[:40]
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    if not text and start and end:
        try:
            s, e = dt.datetime.fromisoformat(start[:40]), dt.datetime.fromisoformat(end[:40])
            if s.tzinfo is not None and e.tzinfo is not None and s < e:
                return Period(s, e), "", ""
        except ValueError:
            pass
    if text:
        try:
            return parse_period(text), text, ""
        except ValueError as exc:
            error = str(exc)
    else:
        error = ""
    today = timezone.localdate()
    first, last = desk.month_of(today)
    s, e = desk.period_bounds(first, last)
    return Period(s, e), today.strftime("%Y-%m"), error


def _spoken(delta: dt.timedelta) -> str:
    en, zh = duration_text(delta - dt.timedelta(microseconds=delta.microseconds))
    return zh if (get_language() or "").startswith("zh") else en


def _shown(item: AssetFigures) -> dict[str, Any]:
    f = item.figures
    return {
        "asset": item.asset,
        "figures": f,
        "percent": None if f is None or f.percent is None else f"{f.percent:.3f} %",
        "outage": _spoken(f.outage_time) if f else None,
        "excluded": _spoken(f.excluded_time) if f else None,
        "required": _spoken(f.required_time) if f else None,
        "faults": item.faults,
        "equipment_faults": item.equipment_faults,
        "monitor_ids": item.monitor_ids,
    }


@login_required
def equipment_page(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        raise Http404
    period, period_text, error = _period(request)
    group = request.GET.get("group", "equipment")
    group = group if group in GROUPS else "equipment"
    kind = request.GET.get("kind", "")
    kind = kind if kind in AssetKind.values else ""
    room_id = _int(request.GET.get("room"))
    customer_id = _int(request.GET.get("customer"))
    service_id = _int(request.GET.get("service"))
    if request.GET.get("scope"):  # from the quality report's figures (customer:ID …)
        try:
            scope = parse_scope(request.GET["scope"][:80])
        except ValueError as exc:
            error = str(exc)
        else:
            customer_id = scope.customer_id or customer_id
            service_id = scope.service_id or service_id
    chosen: dict[str, Any] = {
        "room_id": room_id,
        "customer_id": customer_id,
        "service_id": service_id,
    }
    if kind:
        chosen["kind"] = kind
    elif group == "equipment":
        chosen["kinds"] = MAIN_EQUIPMENT
    elif group == "lines":
        chosen["kind"] = AssetKind.LINE
    elif group == "nms":
        chosen["kind"] = AssetKind.NMS
    items = figures_of(scoped_assets(**chosen), period.start, period.end, now=None)
    total = fleet([i.figures for i in items if i.figures is not None])
    context = {
        "period": period,
        "period_text": period_text,
        "error": error,
        "group": group,
        "groups": GROUPS,
        "kind": kind,
        "kinds": AssetKind.choices,
        "room_id": room_id,
        "rooms": rooms(),
        "customer_id": customer_id,
        "customers": Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("name"),
        "rows": [_shown(i) for i in items],
        "total": total,
        "time_percent": None if total.time_percent is None else f"{total.time_percent:.3f} %",
        "unit_percent": None if total.unit_percent is None else f"{total.unit_percent:.1f} %",
        "outage": _spoken(total.outage_time),
        "excluded": _spoken(total.excluded_time),
    }
    return render(request, "quality/equipment.html", context)


def asset_availability(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    """The asset page's availability this month (and the link to any other period)."""
    if not is_operator_staff(request.user):
        return {}
    today = timezone.localdate()
    first, last = desk.month_of(today)
    start, end = desk.period_bounds(first, last)
    item = figures_of([asset], start, end, now=None)[0]
    return {"availability": _shown(item), "availability_month": today.strftime("%Y-%m")}
