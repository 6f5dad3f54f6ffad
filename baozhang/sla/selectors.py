"""Who may see which agreements: staff all, a customer's people their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from baozhang.accounts.selectors import scope_to_organisation
from baozhang.sla.models import Agreement, Review

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_agreements(user: User | AnonymousUser) -> QuerySet[Agreement]:
    return scope_to_organisation(
        Agreement.objects.select_related("customer"), user, field="customer"
    )


def visible_reviews(user: User | AnonymousUser) -> QuerySet[Review]:
    return scope_to_organisation(
        Review.objects.select_related("agreement__customer"), user, field="agreement__customer"
    )
