"""Changes to a work order after it was made, other than its record and its acceptance
(services.py): who does it (reassignment), and photos added to the latest version of its
record from a phone after the readings were typed.

Both need the capability of keeping equipment; both are refused once the work order is
accepted (the record is then closed), and each is recorded as an event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.accounts.models import User
from baozhang.accounts.permissions import is_operator_staff
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.upkeep.models import OrderStatus, Photo, WorkOrder
from baozhang.upkeep.photos import Upload, keep_photos, photo_errors
from baozhang.upkeep.services import require_manager


def _open(order: WorkOrder) -> WorkOrder:
    locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status == OrderStatus.ACCEPTED:
        raise ValidationError(_("The work order is accepted: its record is closed."))
    return locked


@transaction.atomic
def reassign(
    actor: User, order: WorkOrder, assignee: User | None, now: dt.datetime | None = None
) -> WorkOrder:
    """Give ``order`` to ``assignee`` (one of the operator's active staff), or to nobody."""
    require_manager(actor)
    order = _open(order)
    if assignee is not None and not (assignee.is_active and is_operator_staff(assignee)):
        raise ValidationError(
            {"assignee": [_("A work order goes to one of the operator's active staff.")]}
        )
    before = order.assignee
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return order
    order.assignee = assignee
    order.save(update_fields=["assignee"])
    record(
        EventKind.UPDATED,
        order,
        actor=actor,
        organisation=None,
        object_label=order.reference,
        before={"assignee": str(before) if before else None},
        after={"assignee": str(assignee) if assignee else None},
        summary=said("work order reassigned to %(name)s", name=str(assignee))
        if assignee is not None
        else said("work order unassigned"),
        at=now or timezone.now(),
    )
    return order


@transaction.atomic
def add_photos(
    actor: User, order: WorkOrder, photos: Sequence[Upload], now: dt.datetime | None = None
) -> list[Photo]:
    """Keep ``photos`` with the latest version of ``order``'s record (nothing is replaced:
    a photo, once kept, stays)."""
    require_manager(actor)
    order = _open(order)
    latest = order.records.order_by("-version").first()
    if latest is None:
        raise ValidationError(
            {"photos": [_("Record the work first; photos belong to a version of its record.")]}
        )
    if not photos:
        raise ValidationError({"photos": [_("No photo was sent.")]})
    if problems := photo_errors(photos, already=latest.photos.count()):
        raise ValidationError({"photos": problems})
    kept = keep_photos(latest, photos)
    record(
        EventKind.UPDATED,
        latest,
        actor=actor,
        organisation=None,
        parent=order,
        object_label=f"{order.reference} v{latest.version}",
        after={"photos": [p.filename for p in kept]},
        summary=said(
            "%(count)s photo(s) added to version %(version)s of the record",
            count=len(kept),
            version=latest.version,
        ),
        at=now or timezone.now(),
    )
    return kept
