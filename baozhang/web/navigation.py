"""The menu: one definition of every place a person can go, grouped by area.

The groups follow the ranking of the code (docs/architecture.md): the service desk, monitoring
and faults, agreements, operations, quality, security, administration. A new area adds a
`Link` to its group here (or a `Group`, in ranking order) and nothing else: the header, the
phone menu and the tests read this definition.

Who may see a link reuses the checks the pages themselves make (baozhang.accounts.permissions;
the Django admin's own test) — there is no second permission system here. Among the staff,
each link also names the roles whose work uses it (`uses`): an engineer's menu leaves out the
inbound SMS and the callbacks, a quality inspector's the roster. That only shortens the
menu: the pages still open to whoever they open to. An administrator, and staff with no role
yet, see every staff link. A customer's people see the portal: only the links marked for
them, under the portal's labels. A group that has no link for a person is not shown; a group
with one link shows as that link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Role
from baozhang.accounts.permissions import Capability, can, is_operator_staff, roles_of

if TYPE_CHECKING:
    from django.http import HttpRequest

Audience = Callable[["HttpRequest"], bool]


def operator_staff(request: HttpRequest) -> bool:
    """The operator's own people (the pages behind these links answer 404 to anyone else)."""
    return is_operator_staff(request.user)


def signed_in(request: HttpRequest) -> bool:
    """Everyone signed in: the page shows each person what their organisation may see."""
    return bool(request.user.is_authenticated and request.user.is_active)


def reads_audit(request: HttpRequest) -> bool:
    """Staff who read the audit (the quality report's readers); the page refuses others."""
    return can(request.user, Capability.VIEW_AUDIT)


def django_admin(request: HttpRequest) -> bool:
    """The Django admin's own test (AdminSite.has_permission)."""
    return admin.site.has_permission(request)


STAFF_ROLES = frozenset(r for r in Role if r != Role.CUSTOMER_CONTACT)
A, E, C, D, Q, S = (
    Role.AGENT,
    Role.ENGINEER,
    Role.COMPLAINT_ADMIN,
    Role.SERVICE_DIRECTOR,
    Role.QUALITY_INSPECTOR,
    Role.SECURITY_OFFICER,
)


def uses(*roles: Role) -> frozenset[Role]:
    """The staff roles whose daily work uses a link (the administrator's always does)."""
    return frozenset(roles) | {Role.ADMINISTRATOR}


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str | Promise
    who: Audience = operator_staff
    # Shown to a customer's people (when `who` lets them) under this label; None: not in
    # the portal.
    portal_label: str | Promise | None = None
    # The staff roles whose work uses it; the others' menus leave it out.
    roles: frozenset[Role] = STAFF_ROLES


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    links: tuple[Link, ...] = field(default_factory=tuple)
    portal_label: str | Promise | None = None


MENU: tuple[Group, ...] = (
    Group(
        "dashboard",
        _("Dashboard"),
        (Link("web:dashboard", _("Dashboard"), signed_in, _("Home")),),
    ),
    Group(
        "desk",
        _("Service desk"),
        (
            Link("desk:tickets", _("Ticket queue"), signed_in, _("My tickets")),
            Link("web:organisations", _("Customers"), signed_in, _("Organisation")),
            Link("desk:callbacks", _("Callbacks"), roles=uses(A, C, D, Q)),
            Link("calls:list", _("Call log"), roles=uses(A, C, D, Q)),
            Link("mailin:quarantine", _("Inbound mail"), roles=uses(A, C, D, S)),
            Link("desk:sms", _("Inbound SMS"), roles=uses(A, C, D)),
        ),
        portal_label=_("Support"),
    ),
    Group(
        "monitoring",
        _("Monitoring and faults"),
        (
            Link("monitoring:monitors", _("Monitoring"), roles=uses(A, E, D, Q, S)),
            Link("monitoring:services", _("Service catalogue"), roles=uses(A, E, D, Q)),
            Link("incidents:list", _("Incidents"), signed_in, _("Incidents")),
            Link("maintenance:list", _("Maintenance windows"), roles=uses(A, E, D, S)),
            Link("status:page", _("Public status page")),
        ),
    ),
    Group(
        "agreements",
        _("Agreements"),
        (Link("sla:agreements", _("Agreements"), signed_in, _("Agreements")),),
    ),
    Group(
        "operations",
        _("Operations"),
        (
            Link("assets:list", _("Asset register"), roles=uses(E, D, Q, S)),
            Link("upkeep:orders", _("Maintenance work orders"), roles=uses(E, D, Q)),
            Link("assets:projects", _("Construction projects"), roles=uses(E, D, Q)),
            Link("backups:list", _("Backup register"), roles=uses(E, D, Q, S)),
            Link("patches:advisories", _("Patches"), roles=uses(E, D, Q, S)),
            Link("changes:list", _("Change requests"), roles=uses(E, D, Q, S)),
            Link("changes:plans", _("Emergency plans"), roles=uses(A, E, D, Q, S)),
            Link("calendars:list", _("Calendars"), roles=uses(A, E, C, D, Q)),
            Link("staffing:roster", _("Roster"), roles=uses(A, E, C, D)),
        ),
    ),
    Group(
        "quality",
        _("Quality"),
        (
            Link("measures:dashboard", _("Desk measures"), signed_in, _("Desk measures")),
            Link("incidents:statistics", _("Fault statistics"), roles=uses(E, D, Q)),
            Link("equipment:figures", _("Equipment and lines"), roles=uses(E, D, Q)),
            Link("quality:report", _("Quality report"), reads_audit, roles=uses(D, Q)),
            Link("analysis:actions", _("Improvement actions"), roles=uses(A, E, C, D, Q)),
            Link("analysis:categories", _("Cause categories"), roles=uses(D, Q)),
        ),
    ),
    Group("security", _("Security"), ()),
    Group(
        "admin",
        _("Administration"),
        (
            Link("web:users", _("People"), signed_in, _("People")),
            # The event log is the operator's audit: not in the portal (a customer's
            # people read their tickets' and incidents' histories on those pages).
            Link("web:events", _("Events"), signed_in),
            Link("notify:channel_list", _("Notifications"), signed_in, _("Notifications")),
            Link("notify:message_list", _("Delivery log"), signed_in, _("Delivery log")),
            Link("admin:index", _("Admin"), django_admin),
        ),
        portal_label=_("Account"),
    ),
)


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str
    url_name: str
    active: bool


@dataclass(frozen=True)
class ShownGroup:
    key: str
    label: str
    links: tuple[ShownLink, ...]

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)

    @property
    def single(self) -> ShownLink | None:
        """The one link of a group that shows as a plain link."""
        return self.links[0] if len(self.links) == 1 else None


def shown_links(request: HttpRequest, group: Group) -> list[tuple[Link, str]]:
    """The links of `group` this person sees, with the label they see."""
    if not signed_in(request):
        return []
    staff = is_operator_staff(request.user)
    roles = roles_of(request.user) & STAFF_ROLES
    out: list[tuple[Link, str]] = []
    for link in group.links:
        if not link.who(request):
            continue
        if staff:
            # staff with no role yet see every staff link: nobody knows their work yet
            if roles and not roles & link.roles:
                continue
            out.append((link, str(link.label)))
        elif link.portal_label is not None:
            out.append((link, str(link.portal_label)))
    return out


def menu_for(request: HttpRequest) -> list[ShownGroup]:
    """The groups this person sees, in ranking order; the page they are on is marked (the
    link whose address is the longest start of the current path)."""
    staff = is_operator_staff(request.user)
    groups = [(g, shown_links(request, g)) for g in MENU]
    urls = {link.url_name: reverse(link.url_name) for _g, links in groups for link, _l in links}
    path = request.path
    matches = [u for u in urls.values() if (path == u if u == "/" else path.startswith(u))]
    current = max(matches, key=len) if matches else None
    shown: list[ShownGroup] = []
    for group, links in groups:
        if not links:
            continue  # a group with nothing for this person is not shown
        label = group.label if staff or group.portal_label is None else group.portal_label
        shown.append(
            ShownGroup(
                key=group.key,
                label=str(label),
                links=tuple(
                    ShownLink(
                        label=text,
                        url=urls[link.url_name],
                        url_name=link.url_name,
                        active=urls[link.url_name] == current,
                    )
                    for link, text in links
                ),
            )
        )
    return shown
