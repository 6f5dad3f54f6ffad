"""Reading patches: advisories with their progress (settled / matched), the overdue
patches, an asset's open ones, and the patch compliance rate of a period (core/patches.py).

Patches are the operator's: its staff read them, a customer's people none (their pages
are 404, their API lists empty).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from baozhang.accounts.permissions import is_operator_staff
from baozhang.core import patches as core
from baozhang.patches.models import (
    OPEN_STATES,
    SETTLED_STATES,
    Advisory,
    PatchStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_advisories(user: User | AnonymousUser) -> QuerySet[Advisory]:
    """Advisories with ``matched``, ``settled`` and ``open_count`` annotated."""
    qs = Advisory.objects.annotate(
        matched=Count("statuses"),
        settled=Count("statuses", filter=Q(statuses__state__in=SETTLED_STATES)),
        open_count=Count("statuses", filter=Q(statuses__state__in=OPEN_STATES)),
    ).order_by(F("released_on").desc(nulls_last=True), "-pk")
    # Empty for anyone else, with the same annotations (the filters read them).
    return qs if is_operator_staff(user) else qs.none()


def get_advisory(user: User | AnonymousUser, pk: int) -> Advisory:
    try:
        return visible_advisories(user).get(pk=pk)
    except Advisory.DoesNotExist:
        raise Http404 from None


def filter_advisories(
    qs: QuerySet[Advisory], *, severity: str = "", q: str = "", open_only: bool = False
) -> QuerySet[Advisory]:
    if severity:
        qs = qs.filter(severity=severity)
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(title__icontains=q)
            | Q(product__icontains=q)
            | Q(cve_ids__icontains=q)
        )
    if open_only:
        qs = qs.filter(open_count__gt=0)
    return qs


def visible_statuses(user: User | AnonymousUser) -> QuerySet[PatchStatus]:
    if not is_operator_staff(user):
        return PatchStatus.objects.none()
    return PatchStatus.objects.select_related("advisory", "asset", "settled_by")


def get_status(user: User | AnonymousUser, pk: int) -> PatchStatus:
    try:
        return visible_statuses(user).get(pk=pk)
    except PatchStatus.DoesNotExist:
        raise Http404 from None


def statuses_of(advisory: Advisory) -> list[PatchStatus]:
    return list(
        advisory.statuses.select_related("asset", "settled_by").order_by("asset__name", "pk")
    )


def overdue(qs: QuerySet[PatchStatus], now: dt.datetime) -> QuerySet[PatchStatus]:
    """Open (pending or scheduled) past their deadline: core.is_overdue, in the database."""
    return qs.filter(state__in=OPEN_STATES, due_at__lte=now).order_by("due_at", "pk")


def open_for_asset(asset_id: int) -> QuerySet[PatchStatus]:
    return (
        PatchStatus.objects.filter(asset_id=asset_id, state__in=OPEN_STATES)
        .select_related("advisory")
        .order_by("due_at", "pk")
    )


def compliance(start: dt.datetime, end: dt.datetime) -> core.Compliance:
    """The patch compliance rate of ``[start, end)`` (core.compliance over the patches due
    in it)."""
    rows = PatchStatus.objects.filter(due_at__gte=start, due_at__lt=end).values_list(
        "due_at", "settled_at"
    )
    return core.compliance((core.Obligation(d, s) for d, s in rows), start, end)


def monthly_compliance(
    last_month_start: dt.date, months: int, tz: dt.tzinfo
) -> list[tuple[dt.date, core.Compliance]]:
    """The compliance of ``months`` months ending with the one starting on
    ``last_month_start`` (in ``tz``), oldest first."""
    out = []
    year, month = last_month_start.year, last_month_start.month
    firsts = []
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    for first in reversed(firsts):
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        start = dt.datetime.combine(first, dt.time(), tz)
        end = dt.datetime.combine(nxt, dt.time(), tz)
        out.append((first, compliance(start, end)))
    return out
