"""The faults recorded against assets of the register (``Incident.assets``), as records
for the figures of equipment and lines (quality/equipment.py) and an asset's page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from baozhang.incidents.models import Classification, Incident


def faults_on_assets(
    asset_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *, now: dt.datetime
) -> dict[int, list[dict[str, Any]]]:
    """For each asset, the incidents naming it that overlap ``[start, end)``: id,
    reference, title, classification, from (detected) and until (resolved, or ``now``
    while open). One query; on PostgreSQL the ids go as one array (``= ANY(%s)``): the
    figures ask for ten thousand assets, whose IN list cost more to build and parse than
    the rows cost to read."""
    ids = list(asset_ids)
    through = Incident.assets.through
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        column = f"{quote(through._meta.db_table)}.{quote(through._meta.get_field('asset').column)}"
        links = through.objects.filter(
            RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField())
        )
    else:
        links = through.objects.filter(asset_id__in=ids)
    rows = (
        links.filter(incident__detected_at__lt=end)
        .filter(Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gt=start))
        .order_by("incident__detected_at", "incident_id")
        .values_list(
            "asset_id",
            "incident_id",
            "incident__reference",
            "incident__title",
            "incident__classification",
            "incident__detected_at",
            "incident__resolved_at",
        )
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for asset_id, pk, reference, title, classification, detected, resolved in rows:
        out[asset_id].append(
            {
                "incident_id": pk,
                "reference": reference,
                "title": title,
                "classification": classification,
                "equipment_fault": classification == Classification.EQUIPMENT_FAULT,
                "start": detected,
                "end": resolved or max(now, detected),
                "open": resolved is None,
            }
        )
    return out


def equipment_faults_without_assets(
    start: dt.datetime, end: dt.datetime, *, now: dt.datetime, among: QuerySet[Incident]
) -> list[dict[str, Any]]:
    """Incidents of ``among`` classed as equipment faults (F8) that name no asset of the
    register, detected in ``[start, end)``: each counts from detection to restoration
    (to the period's end, or ``now``, while open), as the fault statistics count it."""
    rows = (
        among.filter(
            classification=Classification.EQUIPMENT_FAULT,
            detected_at__gte=start,
            detected_at__lt=end,
        )
        .exclude(pk__in=Incident.assets.through.objects.values("incident_id"))
        .order_by("detected_at", "pk")
        .values_list("pk", "reference", "title", "detected_at", "resolved_at")
    )
    return [
        {
            "incident_id": pk,
            "reference": reference,
            "title": title,
            "duration_seconds": ((resolved or min(end, now)) - detected).total_seconds(),
            "open": resolved is None,
        }
        for pk, reference, title, detected, resolved in rows
    ]
