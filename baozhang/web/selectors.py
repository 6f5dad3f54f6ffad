"""The dashboard's figures, read from the database and scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count

from baozhang.accounts.models import OrganisationKind
from baozhang.accounts.selectors import visible_organisations, visible_users
from baozhang.events.models import EventKind
from baozhang.events.selectors import visible_events
from baozhang.notify.selectors import visible_messages

if TYPE_CHECKING:
    from baozhang.accounts.models import User


@dataclass(frozen=True)
class DashboardFigures:
    customers: int
    people: int
    events_24h: int
    sign_ins_24h: int
    failed_sign_ins_24h: int
    lockouts_24h: int
    messages_by_status: dict[str, int]


def dashboard_figures(user: User, now: datetime) -> DashboardFigures:
    """The figures of the dashboard's last row (open incidents and monitors down are its
    "needs someone now" cards: web.dashboard, counted there once)."""
    since = now - timedelta(hours=24)
    events = visible_events(user).filter(at__gte=since)
    by_kind = dict(events.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    # The same messages the delivery log shows this person: one rule for both.
    messages = visible_messages(user).order_by()
    by_status = dict(
        messages.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return DashboardFigures(
        customers=visible_organisations(user).filter(kind=OrganisationKind.CUSTOMER).count(),
        people=visible_users(user).filter(is_active=True).count(),
        events_24h=sum(by_kind.values()),
        sign_ins_24h=by_kind.get(EventKind.SIGNED_IN, 0),
        failed_sign_ins_24h=by_kind.get(EventKind.SIGN_IN_FAILED, 0),
        lockouts_24h=by_kind.get(EventKind.LOCKED_OUT, 0),
        messages_by_status=by_status,
    )
