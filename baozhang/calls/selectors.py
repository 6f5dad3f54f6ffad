"""Who sees which calls: the operator's staff all, a customer's people their own
organisation's (never anyone else's), nobody else none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from baozhang.accounts.selectors import scope_to_organisation
from baozhang.calls.models import CallRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_calls(user: User | AnonymousUser) -> QuerySet[CallRecord]:
    return scope_to_organisation(
        CallRecord.objects.select_related("customer", "agent", "ticket"), user, field="customer"
    )
