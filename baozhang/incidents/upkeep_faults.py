"""A step of a maintenance work order that failed its technical requirement opens an
equipment fault naming the asset (issue 19 §3: 维护作业中不合格项即为设备故障). The work
order's area (baozhang/upkeep) announces it (topics.STEP_FAILED); this area subscribes."""

from __future__ import annotations

from baozhang.assets.models import Asset
from baozhang.events.announce import Announcement
from baozhang.incidents.models import Classification, Incident, Responsibility, Severity
from baozhang.incidents.opening import open_incident


def open_for_failed_step(announcement: Announcement) -> Incident | None:
    """Open a minor, internal (no service, no customer told) equipment fault on the asset
    of the failed step, detected when the value was recorded. None when the asset is gone."""
    facts = announcement.payload
    asset = Asset.objects.filter(pk=facts["asset_id"]).first()
    if asset is None:
        return None
    title = f"{facts['asset_name']}: {facts['step']} — {facts['reference']}"
    message = (
        f"维护工单 {facts['reference']}（{facts['plan_item']}）第 {facts['version']} 版记录："
        f"“{facts['step']}”实测 {facts['measured'] or '—'}，"
        f"要求 {facts['requirement']}，不合格。 / "
        f"Work order {facts['reference']} ({facts['plan_item']}), record version "
        f"{facts['version']}: “{facts['step']}” measured {facts['measured'] or '—'}, "
        f"required {facts['requirement']}: failed."
    )
    return open_incident(
        None,
        service=None,
        title=title[:200],
        severity=Severity.MINOR,
        classification=Classification.EQUIPMENT_FAULT,
        responsibility=Responsibility.INSIDE,
        detected_at=facts["at"],
        message=message,
        customers=[],
        assets=[asset],
    )
