"""API for notification channels and the delivery log. Thin: every step is a service or a
selector; an object the caller may not see is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from baozhang.accounts.models import Language
from baozhang.accounts.selectors import visible_organisations
from baozhang.api.pagination import Pages
from baozhang.api.schemas import PatchIn
from baozhang.api.types import Id
from baozhang.notify import services
from baozhang.notify.channels import masked_config
from baozhang.notify.models import Channel, ChannelKind, DeliveryAttempt, Message, MessageStatus
from baozhang.notify.selectors import attempts_of, visible_channels, visible_messages

router = Router(tags=["notifications"])


class ChannelOut(Schema):
    id: int
    name: str
    kind: ChannelKind
    organisation_id: int | None
    user_id: int | None
    language: str
    enabled: bool
    config: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_config(obj: Channel) -> dict[str, Any]:
        return masked_config(obj.kind, obj.config)


class ChannelIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: ChannelKind
    config: dict[str, Any]
    organisation_id: Id | None = Field(
        None, description="Owner organisation; leave empty for a personal channel"
    )
    personal: bool = Field(False, description="A channel of the caller (not of an organisation)")
    language: Language | None = None
    enabled: bool = True


class ChannelPatch(PatchIn):
    nullable = frozenset({"language"})

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: ChannelKind | None = None
    config: dict[str, Any] | None = Field(
        None,
        description=(
            'Secrets left empty or "***" keep their stored values, and so do header and'
            ' extra-field maps left out; in a map given, a "***" value keeps that key\'s'
            " stored value and keys left out are removed. Nothing is kept when the"
            " destination (kind, SMTP host/port/user, URL scheme/host/port) changes:"
            " then the secrets must be given again."
        ),
    )
    language: Language | None = None
    enabled: bool | None = None


class AttemptOut(Schema):
    number: int
    started_at: datetime
    finished_at: datetime | None
    worker: str
    ok: bool | None
    error: str

    @staticmethod
    def resolve_error(obj: DeliveryAttempt) -> str:
        """Why the try failed, in the reader's language (notify.errors)."""
        return obj.error_text


class NotificationOut(Schema):
    id: int
    dedup_key: str
    channel_id: int
    organisation_id: int | None
    template_key: str
    language: str
    subject: str
    status: MessageStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    last_error: str

    @staticmethod
    def resolve_last_error(obj: Message) -> str:
        """Why the last try failed, in the reader's language (notify.errors)."""
        return obj.last_error_text


class NotificationDetailOut(NotificationOut):
    body: str
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_attempt_log(obj: Message) -> list[Any]:
        return list(attempts_of(obj))


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("/channels", response=list[ChannelOut])
@paginate(Pages)
def list_channels(request: HttpRequest) -> Any:
    return visible_channels(_user(request))


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request: HttpRequest, channel_id: Id) -> Any:
    return get_object_or_404(visible_channels(_user(request)), pk=channel_id)


@router.post("/channels", response={201: ChannelOut})
def create_channel(request: HttpRequest, payload: ChannelIn) -> Any:
    user = _user(request)
    organisation = None
    owner = None
    if payload.personal:
        owner = get_user_model().objects.get(pk=user.pk)
    elif payload.organisation_id is not None:
        organisation = get_object_or_404(visible_organisations(user), pk=payload.organisation_id)
    else:
        organisation = user.organisation
    channel = services.create_channel(
        user,
        name=payload.name,
        kind=payload.kind,
        config=payload.config,
        organisation=organisation,
        user=owner,
        language=payload.language or "",
        enabled=payload.enabled,
    )
    return Status(201, channel)


@router.patch("/channels/{channel_id}", response=ChannelOut)
def update_channel(request: HttpRequest, channel_id: Id, payload: ChannelPatch) -> Any:
    user = _user(request)
    channel = get_object_or_404(visible_channels(user), pk=channel_id)
    fields = payload.dict(exclude_unset=True)
    if "language" in fields and fields["language"] is None:
        fields["language"] = ""
    return services.update_channel(user, channel, **fields)


@router.post("/channels/{channel_id}/test", response={202: NotificationOut})
def send_test(request: HttpRequest, channel_id: Id) -> Any:
    user = _user(request)
    channel = get_object_or_404(visible_channels(user), pk=channel_id)
    return Status(202, services.send_test(user, channel))


@router.get("/messages", response=list[NotificationOut])
@paginate(Pages)
def list_messages(request: HttpRequest, status: str | None = None) -> Any:
    """`status`: pending, sending, sent or dead (others are ignored)."""
    return visible_messages(_user(request), status)


@router.get("/messages/{message_id}", response=NotificationDetailOut)
def get_message(request: HttpRequest, message_id: Id) -> Any:
    return get_object_or_404(visible_messages(_user(request)), pk=message_id)


@router.post("/messages/{message_id}/retry", response=NotificationOut)
def retry_message(request: HttpRequest, message_id: Id) -> Any:
    user = _user(request)
    message = get_object_or_404(visible_messages(user), pk=message_id)
    return services.retry_dead(user, message)
