"""The periodic work of patches: each patch past its deadline alarms once, whatever the
number of workers (a conditional UPDATE claims it), to the asset's responsible people, or
the service directors where it has none."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from baozhang.accounts.models import Role, User
from baozhang.accounts.selectors import staff_filter
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify.services import notify_user
from baozhang.patches import selectors
from baozhang.patches.models import OPEN_STATES, PatchStatus

log = logging.getLogger("baozhang.patches")

BATCH = 200


def _people(status: PatchStatus) -> list[User]:
    people = list(status.asset.responsible.filter(is_active=True))
    if people:
        return people
    return list(
        User.objects.filter(
            staff_filter(), is_active=True, groups__name=Role.SERVICE_DIRECTOR
        ).distinct()
    )


def alarm_overdue(now: dt.datetime | None = None) -> int:
    """Alarm each open patch past its deadline not alarmed yet. Returns how many."""
    now = now or timezone.now()
    due = selectors.overdue(PatchStatus.objects.filter(alarmed_at__isnull=True), now)
    alarmed = 0
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            if not PatchStatus.objects.filter(
                pk=pk, state__in=OPEN_STATES, alarmed_at__isnull=True
            ).update(alarmed_at=now):
                continue  # another worker got there first
            status = PatchStatus.objects.select_related("advisory", "asset").get(pk=pk)
            people = _people(status)
            context = {
                "reference": status.advisory.reference,
                "title": status.advisory.title,
                "severity": status.advisory.severity,
                "asset": status.asset.name,
                "product": status.advisory.product,
                "version": status.installed_version,
                "due_at": status.due_at,
            }
            for person in people:
                notify_user(
                    person, "patch_overdue", context, f"patch:{status.pk}:late:u{person.pk}"
                )
            record(
                EventKind.STATE_CHANGED,
                status,
                organisation=None,
                object_label=f"{status.advisory.reference} · {status.asset.name}",
                parent=status.advisory,
                before={"alarmed": False},
                after={"alarmed": True, "to": sorted(p.username for p in people)},
                summary=said(
                    "Patch of %(reference)s on %(asset)s is past its deadline",
                    reference=status.advisory.reference,
                    asset=status.asset.name,
                ),
                at=now,
            )
            alarmed += 1
    if alarmed:
        log.info("patches: %d overdue patches alarmed", alarmed)
    return alarmed
