"""Who may see which channels and messages. Every page and API endpoint reads through here."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from baozhang.accounts.models import OrganisationKind
from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.accounts.selectors import scope_to_organisation
from baozhang.notify.models import (
    Channel,
    ChannelKind,
    DeliveryAttempt,
    Message,
    MessageStatus,
    Unreached,
    UnreachedReason,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def _sees_all_personal(user: User | AnonymousUser) -> bool:
    return can(user, Capability.MANAGE_USERS)


def visible_channels(user: User | AnonymousUser) -> QuerySet[Channel]:
    """Organisation channels through the organisation scope (a customer's people see their
    own organisation's, staff see all); personal channels only to their owner and to
    administrators."""
    base = Channel.objects.select_related("organisation", "user")
    if not user.is_authenticated or not user.is_active:
        return base.none()
    org_ids = scope_to_organisation(Channel.objects.filter(user__isnull=True), user).values("id")
    personal = Q(user__isnull=False) if _sees_all_personal(user) else Q(user=user)
    return base.filter(Q(id__in=org_ids) | personal)


def visible_messages(user: User | AnonymousUser, status: str | None = None) -> QuerySet[Message]:
    """The delivery log a user may read (message bodies included), newest first.

    - Operator staff holding Capability.VIEW_DELIVERY_LOG: every message.
    - Other operator staff: only messages of their own personal channels.
    - A customer's people: messages of the channels they see (their organisation's and
      their own personal ones).

    `status` filters when it is one of MessageStatus (anything else is ignored)."""
    qs = Message.objects.select_related("channel", "organisation")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_operator_staff(user):
        if not can(user, Capability.VIEW_DELIVERY_LOG):
            qs = qs.filter(channel__user=user)
    else:
        qs = qs.filter(channel__in=visible_channels(user).values("id"))
    if status in MessageStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def attempts_of(message: Message) -> QuerySet[DeliveryAttempt]:
    return message.attempt_log.order_by("started_at", "id")


def can_manage_channel(user: User | AnonymousUser, channel: Channel) -> bool:
    """Who may change a channel, send it a test or retry its messages:

    - a personal channel: its owner, and administrators (Capability.MANAGE_USERS);
    - the operator's channels: Capability.MANAGE_OPERATOR_CHANNELS (administrators);
    - a customer's channels: that customer's own people holding
      Capability.MANAGE_OWN_ORGANISATION_CHANNELS (its contacts), and operator staff
      holding Capability.MANAGE_ORGANISATIONS (administrators and service directors).
      Other staff (agents, engineers, …) may see them but not change them."""
    if not user.is_authenticated or not user.is_active:
        return False
    if channel.user_id is not None:
        return channel.user_id == user.pk or _sees_all_personal(user)
    org = channel.organisation
    if org is None:
        return False
    if org.is_operator:
        return can(user, Capability.MANAGE_OPERATOR_CHANNELS)
    if is_operator_staff(user):
        return can(user, Capability.MANAGE_ORGANISATIONS)
    return user.organisation_id == org.pk and can(user, Capability.MANAGE_OWN_ORGANISATION_CHANNELS)


def can_retry_message(user: User | AnonymousUser, message: Message) -> bool:
    """Retrying is a write: those who may manage the message's channel, and
    administrators (Capability.MANAGE_USERS). Reading the log (VIEW_DELIVERY_LOG) is not
    enough."""
    return can_manage_channel(user, message.channel) or can(user, Capability.MANAGE_USERS)


def operator_email_channel() -> Channel | None:
    """The operator's first enabled e-mail channel: what a notice to a person without a
    channel of their own, and the inbound mail's acknowledgement, are sent through."""
    return (
        Channel.objects.filter(
            organisation__kind=OrganisationKind.OPERATOR,
            organisation__is_active=True,
            kind=ChannelKind.EMAIL,
            enabled=True,
        )
        .select_related("organisation")
        .order_by("organisation_id", "id")
        .first()
    )


def visible_unreached(user: User | AnonymousUser) -> QuerySet[Unreached]:
    """Notices that reached no one, newest first: the operator's staff see all of them
    (they are the ones to fix a channel); a customer's people none."""
    qs = Unreached.objects.select_related("organisation", "user")
    if not is_operator_staff(user):
        return qs.none()
    return qs.order_by("-created_at", "-id")


#: How long a notice that had no one to go to (a desk level with nobody in its group)
#: stays on the list of things to fix: notify cannot see whether the group has people now.
NO_ONE_LISTED = dt.timedelta(days=7)


def still_unreachable(qs: QuerySet[Unreached], now: dt.datetime) -> QuerySet[Unreached]:
    """Those of ``qs`` whose recipient still cannot be reached at ``now``: an organisation
    with no enabled channel, a person with no enabled personal channel and (no e-mail
    address or no operator e-mail channel), and a "no one to tell" of the last
    NO_ONE_LISTED. Adding the channel (or the address) is the fix; the row then drops
    out of this list and stays on record."""
    org_channel = Channel.objects.filter(organisation=OuterRef("organisation"), enabled=True)
    own_channel = Channel.objects.filter(user=OuterRef("user"), enabled=True)
    mailable = ~Q(user__email="") if operator_email_channel() is not None else Q(pk__in=[])
    return qs.filter(
        Q(reason=UnreachedReason.NO_ONE, created_at__gte=now - NO_ONE_LISTED)
        | Q(user__isnull=True, organisation__isnull=False) & ~Exists(org_channel)
        | Q(user__isnull=False) & ~Exists(own_channel) & ~mailable
    )


def unreached_about(obj: models.Model) -> QuerySet[Unreached]:
    """The notices about ``obj`` (a ticket, an incident, a maintenance window) that
    reached no one, oldest first."""
    return (
        Unreached.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("organisation", "user")
        .order_by("created_at", "id")
    )


def unreached_text(row: Unreached) -> str:
    """What happened, in the reader's language: "Customer X has no channel that can reach
    them; not notified." and the like."""
    if row.user_id is not None:
        if row.reason == UnreachedReason.NO_SENDER:
            return _(
                "%(name)s has no personal channel and the operator has no e-mail channel to "
                "write to %(email)s; not notified."
            ) % {"name": row.user, "email": row.user.email}
        return _("%(name)s has no personal channel and no e-mail address; not notified.") % {
            "name": row.user
        }
    if row.organisation_id is not None:
        if row.organisation.kind == OrganisationKind.CUSTOMER:
            return _("Customer %(name)s has no channel that can reach them; not notified.") % {
                "name": row.organisation.name
            }
        return _("%(name)s has no channel that can reach them; not notified.") % {
            "name": row.organisation.name
        }
    if row.label:
        return _("No one is in the group %(group)s; nobody was notified.") % {"group": row.label}
    return _("No group takes tickets at the level it went to; nobody was notified.")
