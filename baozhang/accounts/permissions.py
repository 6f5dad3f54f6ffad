"""Who may do what: the one place where roles turn into capabilities.

Services and selectors ask `can(user, Capability.X)`; views and API endpoints never test
roles themselves, so the UI and the API cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from baozhang.accounts.models import OrganisationKind, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


class Capability(StrEnum):
    VIEW_ALL_CUSTOMERS = "view_all_customers"
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    MANAGE_OPERATOR_CHANNELS = "manage_operator_channels"
    MANAGE_OWN_ORGANISATION_CHANNELS = "manage_own_organisation_channels"
    VIEW_DELIVERY_LOG = "view_delivery_log"
    MANAGE_CALENDARS = "manage_calendars"
    MANAGE_AGREEMENTS = "manage_agreements"
    SIGN_REVIEWS = "sign_reviews"
    MANAGE_ROSTER = "manage_roster"
    WORK_TICKETS = "work_tickets"
    MANAGE_MONITORS = "manage_monitors"
    WORK_INCIDENTS = "work_incidents"
    MANAGE_MAINTENANCE = "manage_maintenance"
    # The taxonomy of cause categories (Q2): add, rename, deactivate.
    MANAGE_CAUSES = "manage_causes"
    # Prepare, approve and amend the frozen quality report to the competent authority (Q1):
    # the people answerable for the operator's quality figures, not every reader of the audit.
    FREEZE_QUALITY_REPORTS = "freeze_quality_reports"


_STAFF_BASE = {Capability.VIEW_ALL_CUSTOMERS, Capability.MANAGE_OWN_ORGANISATION_CHANNELS}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    # A customer's contact signs their side of an agreement's review (S5).
    Role.CUSTOMER_CONTACT: frozenset(
        {Capability.MANAGE_OWN_ORGANISATION_CHANNELS, Capability.SIGN_REVIEWS}
    ),
    Role.AGENT: frozenset(_STAFF_BASE | {Capability.WORK_TICKETS, Capability.WORK_INCIDENTS}),
    Role.ENGINEER: frozenset(
        _STAFF_BASE
        | {
            Capability.WORK_TICKETS,
            Capability.WORK_INCIDENTS,
            Capability.MANAGE_MONITORS,
            Capability.MANAGE_MAINTENANCE,
        }
    ),
    Role.COMPLAINT_ADMIN: frozenset(
        _STAFF_BASE | {Capability.VIEW_DELIVERY_LOG, Capability.WORK_TICKETS}
    ),
    Role.SERVICE_DIRECTOR: frozenset(
        _STAFF_BASE
        | {
            Capability.MANAGE_ORGANISATIONS,
            Capability.VIEW_AUDIT,
            Capability.VIEW_DELIVERY_LOG,
            Capability.MANAGE_CALENDARS,
            Capability.MANAGE_AGREEMENTS,
            Capability.SIGN_REVIEWS,
            Capability.MANAGE_ROSTER,
            Capability.WORK_TICKETS,
            Capability.WORK_INCIDENTS,
            Capability.MANAGE_MONITORS,
            Capability.MANAGE_MAINTENANCE,
            Capability.FREEZE_QUALITY_REPORTS,
            Capability.MANAGE_CAUSES,
        }
    ),
    Role.QUALITY_INSPECTOR: frozenset(
        _STAFF_BASE
        | {Capability.VIEW_AUDIT, Capability.FREEZE_QUALITY_REPORTS, Capability.MANAGE_CAUSES}
    ),
    Role.SECURITY_OFFICER: frozenset(
        _STAFF_BASE | {Capability.VIEW_AUDIT, Capability.VIEW_DELIVERY_LOG}
    ),
    Role.ADMINISTRATOR: frozenset(Capability),
}

# Roles that only the operator's own people may hold.
STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER_CONTACT}


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles a signed-in user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_baozhang_roles", None)
    if cached is None:
        cached = remember_roles(user, user.groups.values_list("name", flat=True))
    return cached


def remember_roles(
    user: User | AnonymousUser, group_names: Iterable[str | None]
) -> frozenset[Role]:
    """The roles of ``user`` from the names of its groups, read by the caller with the user
    (one statement for both), kept on the user object for the request as roles_of keeps
    them."""
    names = set(group_names)
    roles = frozenset(r for r in Role if r.value in names)
    if user.is_superuser:
        roles = roles | {Role.ADMINISTRATOR}
    user._baozhang_roles = roles  # type: ignore[union-attr]
    return roles


def is_operator_staff(user: User | AnonymousUser) -> bool:
    """True for the operator's own people (and superusers); False for customer contacts."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.OPERATOR and org.is_active


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.organisation is not None and not user.organisation.is_active:
        return frozenset()  # a deactivated organisation's people can do nothing
    caps: set[Capability] = set()
    staff = is_operator_staff(user)
    for role in roles_of(user):
        if role in STAFF_ROLES and not staff:
            continue  # a staff role given by mistake to a customer's person grants nothing
        caps |= ROLE_CAPABILITIES[role]
    return frozenset(caps)


def can(user: User | AnonymousUser, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def require(user: User | AnonymousUser, capability: Capability) -> None:
    """Raise PermissionDenied (HTTP 403) unless the user holds the capability."""
    if not can(user, capability):
        raise PermissionDenied(
            _("You are not allowed to do this (%(capability)s).") % {"capability": capability}
        )
