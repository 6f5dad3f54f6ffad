"""Who may see which channels and messages. Every page and API endpoint reads through here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from baozhang.accounts.permissions import Capability, can
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
    """Messages of the channels the user may see, newest first; `status` filters when it
    is one of MessageStatus (anything else is ignored)."""
    qs = Message.objects.select_related("channel", "organisation").filter(
        channel__in=visible_channels(user).values("id")
    )
    if status in MessageStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def attempts_of(message: Message) -> QuerySet[DeliveryAttempt]:
    return message.attempt_log.order_by("started_at", "id")


def can_manage_channel(user: User | AnonymousUser, channel: Channel) -> bool:
    """Personal channels: their owner and administrators. The operator's channels: those
    who manage operator channels. A customer's: its own people and the operator's staff,
    when they may manage organisation channels."""
    if not user.is_authenticated or not user.is_active:
        return False
    if channel.user_id is not None:
        return channel.user_id == user.pk or _sees_all_personal(user)
    org = channel.organisation
    if org is None:
        return False
    if org.is_operator:
        return can(user, Capability.MANAGE_OPERATOR_CHANNELS)
    if not can(user, Capability.MANAGE_OWN_ORGANISATION_CHANNELS):
        return False
    return user.organisation_id == org.pk or can(user, Capability.VIEW_ALL_CUSTOMERS)
