"""Notification actions: the only code that changes channels and outbox messages (apart from
the delivery loop in delivery.py)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify import channels as kinds
from baozhang.notify.models import (
    Channel,
    ChannelKind,
    Message,
    MessageStatus,
    Unreached,
    UnreachedReason,
)
from baozhang.notify.rendering import render
from baozhang.notify.selectors import (
    can_manage_channel,
    can_retry_message,
    operator_email_channel,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import Organisation, User

    Actor = User | AnonymousUser

_CHANNEL_FIELDS = ("name", "kind", "language", "enabled", "organisation", "user")


def _deny() -> PermissionDenied:
    return PermissionDenied(
        _("You are not allowed to manage this notification channel.") + " / 您无权管理此通知通道。"
    )


def _snapshot(channel: Channel) -> dict[str, Any]:
    return {
        "name": channel.name,
        "kind": channel.kind,
        "language": channel.language,
        "enabled": channel.enabled,
        "organisation": channel.organisation_id,
        "user": channel.user_id,
        "config": kinds.masked_config(channel.kind, channel.config),
    }


def channel_language(channel: Channel) -> str:
    """The language a channel's messages are written in: the channel's own override, else
    its organisation's, else its person's."""
    if channel.language:
        return channel.language
    if channel.organisation_id is not None:
        return channel.organisation.language
    return channel.user.language


def _must_reenter(name: str, keys: list[str] | None = None) -> str:
    what = f"{name}（{', '.join(keys)}）" if keys else name
    what_en = f"{name} ({', '.join(keys)})" if keys else name
    return (
        f"通道的目标地址已更改，已保存的密钥不会沿用，请重新输入 {what} / "
        f"the channel's destination changed, so the stored secret is not kept: "
        f"enter {what_en} again"
    )


def _merge_secrets(
    kind: str, old: Mapping[str, Any], new: Mapping[str, Any], *, old_kind: str | None = None
) -> dict[str, Any]:
    """The settings of an edit with secrets left empty or masked filled in from `old` (the
    stored settings), so a form or an API client never has to send secrets back.

    - A plain secret left empty or "***" keeps its stored value.
    - A URL secret given as its masked form ("scheme://host[:port]/***") keeps the stored
      URL; a masked URL that does not match the stored one is refused.
    - A mapping secret (webhook headers, SMS extra fields; a dict or "name=value" lines)
      is merged key by key: a "***" value keeps the stored value of that key, keys left
      out are removed; omitting the field ("***" or None) keeps the stored mapping.

    Secrets are kept only while the destination stays the same (same kind and same
    channels.destination()). When it changes, every secret that would have been kept is
    dropped and reported as a field error: it has to be entered again. (Exception: the
    SMTP password is dropped silently when no SMTP user name is given any more.)
    Raises ValidationError with bilingual messages per field."""
    if old_kind is not None and old_kind != kind:
        old = {}
    merged = dict(new)
    kept: dict[str, list[str] | None] = {}  # field → kept keys of a mapping, or None
    errors: dict[str, list[str]] = {}
    for name in kinds.secret_fields(kind):
        value = merged.get(name)
        stored = old.get(name)
        if name in kinds.MAPPING_SECRET_FIELDS:
            if value is None or value == kinds.MASK:
                if stored:
                    merged[name] = dict(stored)
                    kept[name] = sorted(stored)
                else:
                    merged[name] = {}
                continue
            pairs = kinds.parse_pairs(value)
            if pairs is None:
                continue  # malformed text: clean_config names the bad line
            stored_map = stored if isinstance(stored, Mapping) else {}
            kept_keys = []
            for key, item in pairs.items():
                if item != kinds.MASK:
                    continue
                if key in stored_map:
                    pairs[key] = stored_map[key]
                    kept_keys.append(key)
                else:
                    errors.setdefault(name, []).append(
                        f"“{key}”没有已保存的值，请输入它的值 / "
                        f"“{key}” has no stored value; enter its value"
                    )
            merged[name] = pairs
            if kept_keys:
                kept[name] = kept_keys
        elif name in kinds.URL_SECRET_FIELDS and str(value or "").strip().endswith("/***"):
            if stored and str(value).strip() == kinds.masked_url(stored):
                merged[name] = stored
                kept[name] = None
            else:
                errors.setdefault(name, []).append(
                    f"“{value}”是隐藏后的地址，与已保存的地址不符，请输入完整地址 / "
                    f"“{value}” is a masked URL that does not match the stored one; "
                    "enter the full URL"
                )
        elif (value is None or str(value).strip() in ("", kinds.MASK)) and stored:
            merged[name] = stored
            kept[name] = None
    if errors:
        raise ValidationError(errors)
    if kept and kinds.destination(kind, merged) != kinds.destination(kind, old):
        for name, keys in kept.items():
            if name == "smtp_password" and not str(merged.get("smtp_username") or "").strip():
                merged[name] = ""
                continue
            merged[name] = {} if name in kinds.MAPPING_SECRET_FIELDS else ""
            errors.setdefault(name, []).append(_must_reenter(name, keys))
        if errors:
            raise ValidationError(errors)
    return merged


def create_channel(
    actor: Actor,
    *,
    name: str,
    kind: str,
    config: Mapping[str, Any],
    organisation: Organisation | None = None,
    user: User | None = None,
    language: str = "",
    enabled: bool = True,
) -> Channel:
    """Create a channel owned by `organisation` or by `user` (exactly one).

    Raises ValidationError (bilingual, per field) for bad settings and PermissionDenied
    when the actor may not manage channels of that owner."""
    if (organisation is None) == (user is None):
        raise ValidationError(
            {
                "organisation": "通道必须属于一个组织或一个人（二选一） / "
                "a channel belongs to exactly one organisation or one person"
            }
        )
    channel = Channel(
        name=name.strip(),
        kind=kind,
        organisation=organisation,
        user=user,
        language=language or "",
        enabled=enabled,
    )
    if not can_manage_channel(actor, channel):
        raise _deny()
    if not channel.name:
        raise ValidationError({"name": "名称为必填项 / name is required"})
    channel.config = kinds.clean_config(kind, _merge_secrets(kind, {}, config))
    with transaction.atomic():
        channel.save()
        record(
            EventKind.CREATED,
            channel,
            actor=actor,
            after=_snapshot(channel),
            organisation=organisation or (user.organisation if user else None),
        )
    return channel


def update_channel(actor: Actor, channel: Channel, **fields: Any) -> Channel:
    """Change a channel's name, kind, settings (`config`), language or enabled flag.

    Secrets left empty or masked in `config` keep their stored values, but only while the
    destination stays the same (see _merge_secrets); otherwise they must be given again."""
    if not can_manage_channel(actor, channel):
        raise _deny()
    unknown = set(fields) - {"name", "kind", "config", "language", "enabled"}
    if unknown:
        raise ValueError(f"unknown channel fields: {sorted(unknown)}")
    with transaction.atomic():
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        before = _snapshot(channel)
        kind = fields.get("kind", channel.kind)
        if "name" in fields:
            channel.name = str(fields["name"]).strip()
            if not channel.name:
                raise ValidationError({"name": "名称为必填项 / name is required"})
        if "language" in fields:
            channel.language = fields["language"] or ""
        if "enabled" in fields:
            channel.enabled = bool(fields["enabled"])
        if "config" in fields or kind != channel.kind:
            new = fields.get("config", channel.config)
            merged = _merge_secrets(kind, channel.config, new, old_kind=channel.kind)
            channel.config = kinds.clean_config(kind, merged)
        channel.kind = kind
        channel.save()
        after = _snapshot(channel)
        if after != before:
            record(
                EventKind.UPDATED,
                channel,
                actor=actor,
                before=before,
                after=after,
                organisation=channel.organisation or getattr(channel.user, "organisation", None),
            )
    return channel


def enqueue(
    channel: Channel,
    template_key: str,
    context: Mapping[str, Any],
    dedup_key: str,
    organisation: Organisation | None = None,
    *,
    recipient: str | None = None,
    headers: Mapping[str, Any] | None = None,
    language: str | None = None,
) -> Message | None:
    """Write one outbox message for `channel`. Call it INSIDE the transaction of the change
    that causes the notification: the message then commits, or rolls back, with it.

    Subject and body are rendered now, in `language` (default: the channel's), so every
    retry sends the same text. E-mail channels only: `recipient` replaces the channel's
    "to" addresses and `headers` (In-Reply-To, References, Auto-Submitted …) go into the
    mail; Message-ID, From, To, Subject and the like are set by the sender and refused
    (channels.RESERVED_MAIL_HEADERS). Returns the new message; the existing one when
    `dedup_key` was already used (a second enqueue is a no-op; of two enqueues of one key
    at the same moment, the later gets its own text with the stored row's id); None when
    the channel is disabled. Raises RuntimeError outside a transaction, TemplateDoesNotExist for an
    unknown template key and ValueError (bilingual) for a recipient or headers on a
    channel that is not e-mail, an invalid address or an invalid header.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notify.enqueue() must run inside the caller's transaction (transaction.atomic)"
        )
    recipient = (recipient or "").strip()
    if (recipient or headers) and channel.kind != ChannelKind.EMAIL:
        raise ValueError(
            f"只有邮件通道可以指定收件人或邮件头（“{channel}”的类型为 {channel.kind}） / "
            f"only e-mail channels take a recipient or mail headers (“{channel}” is"
            f" {channel.kind})"
        )
    if recipient:
        try:
            validate_email(recipient)
        except ValidationError:
            raise ValueError(
                f"收件地址“{recipient}”无效 / recipient address “{recipient}” is invalid"
            ) from None
    clean_headers = kinds.clean_mail_headers(headers)
    if not channel.enabled:
        return None
    if len(dedup_key) > 200 or not dedup_key:
        raise ValueError(f"dedup_key must be 1–200 characters, got {len(dedup_key)}")
    existing = Message.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    language = language or channel_language(channel)
    subject, body = render(template_key, language, context)
    if organisation is None:
        organisation = channel.organisation or getattr(channel.user, "organisation", None)
    message = Message(
        dedup_key=dedup_key,
        channel=channel,
        organisation=organisation,
        template_key=template_key,
        language=language,
        subject=subject,
        body=body,
        recipient=recipient,
        headers=clean_headers,
        status=MessageStatus.PENDING,
        next_attempt_at=timezone.now(),
    )
    # One INSERT … ON CONFLICT (dedup_key) DO UPDATE … RETURNING id, no savepoint: a
    # concurrent enqueue of the same key waits for the other transaction and then writes
    # nothing new (the key onto itself); either way the row's id comes back.
    Message.objects.bulk_create(
        [message], update_conflicts=True, unique_fields=["dedup_key"], update_fields=["dedup_key"]
    )
    return message


def _about(about: models.Model | None) -> dict[str, str]:
    if about is None:
        return {}
    return {
        "object_type": about._meta.label_lower,
        "object_id": str(about.pk),
        "object_label": str(about)[:300],
    }


def _unreached(
    dedup_key: str,
    template_key: str,
    reason: str,
    *,
    organisation: Organisation | None = None,
    user: User | None = None,
    label: str = "",
    about: models.Model | None = None,
) -> None:
    """Write that a notice reached no one (once per ``dedup_key``), in the caller's
    transaction."""
    Unreached.objects.bulk_create(
        [
            Unreached(
                dedup_key=dedup_key[:200],
                template_key=template_key,
                reason=reason,
                organisation=organisation,
                user=user,
                label=label[:200],
                **_about(about),
            )
        ],
        ignore_conflicts=True,
    )


def notify_organisation(
    org: Organisation,
    template_key: str,
    context: Mapping[str, Any],
    dedup_key_base: str,
    *,
    about: models.Model | None = None,
) -> list[Message]:
    """Enqueue `template_key` on every enabled channel of `org` (key per channel:
    "<dedup_key_base>:c<channel id>"). Call inside the caller's transaction.

    An organisation with no enabled channel gets no message: that is written down as an
    :class:`Unreached` notice (about ``about``, the ticket, incident or maintenance window
    it concerned) and the empty list comes back, so the caller can say "not notified"."""
    out = []
    for channel in org.notify_channels.filter(enabled=True).select_related("organisation"):
        message = enqueue(channel, template_key, context, f"{dedup_key_base}:c{channel.pk}", org)
        if message is not None:
            out.append(message)
    if not out:
        _unreached(
            f"{dedup_key_base}:o{org.pk}",
            template_key,
            UnreachedReason.NO_CHANNEL,
            organisation=org,
            about=about,
        )
    return out


def notify_user(
    user: User,
    template_key: str,
    context: Mapping[str, Any],
    dedup_key_base: str,
    *,
    about: models.Model | None = None,
) -> list[Message]:
    """Enqueue `template_key` on every enabled personal channel of `user`. Call inside the
    caller's transaction.

    A person with no enabled personal channel is written to at their account's e-mail
    address through the operator's e-mail channel (selectors.operator_email_channel), in
    their language. Where neither works (no address, or no channel to send it from) the
    notice is written down as :class:`Unreached` and the empty list comes back."""
    out = []
    for channel in user.notify_channels.filter(enabled=True).select_related("user"):
        message = enqueue(
            channel, template_key, context, f"{dedup_key_base}:c{channel.pk}", user.organisation
        )
        if message is not None:
            out.append(message)
    if out:
        return out
    address = (user.email or "").strip()
    sender = operator_email_channel() if address else None
    if address and sender is not None:
        try:
            message = enqueue(
                sender,
                template_key,
                context,
                f"{dedup_key_base}:mail",
                user.organisation,
                recipient=address,
                language=user.language,
            )
        except ValueError:  # an address the outbox refuses: as good as none
            message = None
        if message is not None:
            return [message]
    _unreached(
        f"{dedup_key_base}:u{user.pk}",
        template_key,
        UnreachedReason.NO_SENDER if address else UnreachedReason.NO_ADDRESS,
        organisation=user.organisation,
        user=user,
        about=about,
    )
    return []


def nobody_to_tell(
    template_key: str, dedup_key_base: str, label: str, *, about: models.Model | None = None
) -> None:
    """Write down that a notice had no one to go to (a level of the desk with nobody in
    its group): ``label`` says whom it was for. Call inside the caller's transaction."""
    _unreached(
        f"{dedup_key_base}:none", template_key, UnreachedReason.NO_ONE, label=label, about=about
    )


def send_test(actor: Actor, channel: Channel) -> Message:
    """Queue the `test` message on `channel` now (even when the channel is disabled, so
    that settings can be tried before switching it on)."""
    if not can_manage_channel(actor, channel):
        raise _deny()
    with transaction.atomic():
        language = channel_language(channel)
        subject, body = render(
            "test",
            language,
            {"channel_name": channel.name, "actor": str(actor), "kind": channel.kind},
        )
        message = Message.objects.create(
            dedup_key=f"test:c{channel.pk}:{uuid.uuid4().hex}",
            channel=channel,
            organisation=channel.organisation or getattr(channel.user, "organisation", None),
            template_key="test",
            language=language,
            subject=subject,
            body=body,
            next_attempt_at=timezone.now(),
        )
        record(
            EventKind.CREATED,
            message,
            actor=actor,
            summary=said("test notification → %(channel)s", channel=channel.name),
            organisation=message.organisation,
        )
    return message


def retry_dead(actor: Actor, message: Message) -> Message:
    """Give a dead message a new round of attempts. Raises ValidationError unless it is
    dead, PermissionDenied unless the actor may manage its channel or is an administrator
    (selectors.can_retry_message; reading the delivery log is not enough)."""
    if not can_retry_message(actor, message):
        raise _deny()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status != MessageStatus.DEAD:
            raise ValidationError(
                {
                    "status": ValidationError(
                        _("Only undeliverable messages can be sent again (this one is %(status)s).")
                        % {"status": MessageStatus(message.status).label},
                        code="not_undeliverable",
                    )
                }
            )
        message.status = MessageStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        record(
            EventKind.STATE_CHANGED,
            message,
            actor=actor,
            before={"status": MessageStatus.DEAD},
            after={"status": MessageStatus.PENDING},
            summary=said("undeliverable message sent again"),
            organisation=message.organisation,
        )
    return message
