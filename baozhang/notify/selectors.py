"""Who may see which channels and messages. Every page and API endpoint reads through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from baozhang.accounts.permissions import Capability, can, is_operator_staff
from baozhang.accounts.selectors import scope_to_organisation
from baozhang.notify.models import Channel, DeliveryAttempt, Message, MessageStatus

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
