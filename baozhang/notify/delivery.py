"""Delivering the outbox: claim due messages, send them through Apprise, record each try.

Claiming is safe for any number of workers on any number of hosts: on PostgreSQL the due
rows are locked with FOR UPDATE SKIP LOCKED, on SQLite the settings' IMMEDIATE transaction
mode serialises claimers. A claimed message is `sending` with a lease (`locked_until`,
also written to `next_attempt_at`); a worker killed mid-send leaves the row `sending`, and
once the lease has passed any worker claims it again. Delivery is therefore at least once;
the window for a repeat is only between the receiver accepting the message and our
"sent" commit, and every outgoing message carries its dedup key for receivers to drop
repeats.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import apprise
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify import channels as kinds
from baozhang.notify import outbound
from baozhang.notify.models import Channel, ChannelKind, DeliveryAttempt, Message, MessageStatus

log = logging.getLogger(__name__)

_ERROR_MAX = 4000
_DUE = (MessageStatus.PENDING, MessageStatus.SENDING)
# Debug lines of Apprise's plugins that carry the reason of a failure.
_DETAIL_PREFIXES = ("Socket Exception", "Response Details", "Response Body")
# How the error of a send the outbound policy refused begins; such a message is dead at
# once (retrying cannot help until the channel or the operator's allow list changes).
REFUSED_PREFIX = "refused by the outbound policy / 出站策略拒绝"


@dataclass(frozen=True)
class Claimed:
    message_id: int
    attempt_id: int
    number: int


def backoff_seconds(attempt: int, base: float, cap: float, rand: float) -> float:
    """Delay before try `attempt + 1` after try `attempt` (1-based) failed: exponential
    (base · 2^(attempt-1), at most `cap`) with "equal jitter": half fixed, half scaled by
    `rand` in [0, 1), so many failing messages do not retry in lock-step."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay / 2 + rand * delay / 2


def claim_due(worker: str, limit: int, now: datetime | None = None) -> list[Claimed]:
    """Take up to `limit` due messages for `worker` and open a DeliveryAttempt for each.

    Due: pending with next_attempt_at ≤ now, or sending whose lease has passed (its
    worker died; its open attempt is closed as interrupted)."""
    if limit <= 0:
        return []
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        qs = Message.objects.filter(status__in=_DUE, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # The same condition again: a claimer that read before us committing gets nothing.
        Message.objects.filter(id__in=ids, status__in=_DUE, next_attempt_at__lte=now).update(
            status=MessageStatus.SENDING,
            locked_by=worker,
            locked_until=until,
            next_attempt_at=until,
            attempts=F("attempts") + 1,
        )
        DeliveryAttempt.objects.filter(message_id__in=ids, finished_at__isnull=True).update(
            finished_at=now,
            ok=False,
            error="interrupted: the worker stopped before finishing this try (lease expired)"
            " / 投递中断：执行该次投递的进程在完成前停止（租约过期）",
        )
        mine = list(
            Message.objects.filter(id__in=ids, locked_by=worker, locked_until=until).values_list(
                "id", "attempts"
            )
        )
        attempts = DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(message_id=mid, number=n, started_at=now, worker=worker)
                for mid, n in mine
            ]
        )
    return [Claimed(a.message_id, a.pk, a.number) for a in attempts]


class _ForwardWarnings(logging.Handler):
    """Passes Apprise's warnings and errors on to our log; its debug lines stay inside
    each notify() call's captured result."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self._target = logging.getLogger("baozhang.notify.apprise")

    def emit(self, record: logging.LogRecord) -> None:
        self._target.handle(record)


def route_apprise_logs() -> None:
    """Let Apprise log at DEBUG (its failure details, e.g. "Socket Exception: …", are
    debug lines, and a logger below DEBUG never creates them for the per-call capture)
    without those lines reaching the console: only warnings and above go on."""
    apprise_logger = logging.getLogger("apprise")
    if any(isinstance(h, _ForwardWarnings) for h in apprise_logger.handlers):
        return
    apprise_logger.setLevel(logging.DEBUG)
    apprise_logger.propagate = False
    apprise_logger.addHandler(_ForwardWarnings())


# Kinds whose sender is built once per channel and thread and kept (the URL parsed and
# the Apprise plugin made once, not per message): webhooks and SMS gateways, where the
# dedup key goes into a header and a payload field set for each message. Vendors' bots
# (which Apprise throttles per plugin object) and e-mail (recipient and headers per
# message) get a sender per message.
REUSED_SENDER_KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.SMS})
_SENDERS_MAX = 256


@dataclass
class _Sender:
    """One channel's Apprise object and plugin, with the plugin's own headers and payload
    fields, to which each message adds its dedup key."""

    fingerprint: str
    apprise: apprise.Apprise
    plugin: Any
    headers: dict[str, str]
    payload: dict[str, str]

    def prepare(self, dedup_key: str) -> None:
        self.plugin.headers = {**self.headers, "Idempotency-Key": dedup_key}
        self.plugin.payload_extras = {**self.payload, "dedup_key": dedup_key}


class _Senders(threading.local):
    """The senders of this thread (a sender thread of the worker), by channel id."""

    def __init__(self) -> None:
        self.by_channel: dict[int, _Sender] = {}


_senders = _Senders()


def _asset(timeout: float) -> apprise.AppriseAsset:
    # No redirects: a message goes to the address its channel names, and the headers it
    # carries (tokens among them) never follow a 3xx to another host.
    return apprise.AppriseAsset(
        storage_mode="memory", service_timeout=timeout * 2, http_redirects=False
    )


def _reused_sender(channel: Channel, timeout: float) -> _Sender | str:
    """This thread's sender for `channel` (built on first use, rebuilt when the channel's
    settings change), or the error text when it cannot be built."""
    fingerprint = json.dumps([channel.kind, channel.config, timeout], sort_keys=True, default=str)
    sender = _senders.by_channel.get(channel.pk) if channel.pk is not None else None
    if sender is not None and sender.fingerprint == fingerprint:
        return sender
    url = kinds.apprise_url(channel.kind, channel.config, timeout=timeout)
    obj = apprise.Apprise(asset=_asset(timeout))
    if not obj.add(url) or len(obj) != 1:
        return "Apprise rejected the channel settings / Apprise 不接受该通道设置"
    plugin = obj[0]
    sender = _Sender(fingerprint, obj, plugin, dict(plugin.headers), dict(plugin.payload_extras))
    if channel.pk is not None:
        if len(_senders.by_channel) >= _SENDERS_MAX:
            _senders.by_channel.clear()
        _senders.by_channel[channel.pk] = sender
    return sender


def forget_senders() -> None:
    """Drop this thread's kept senders (tests)."""
    _senders.by_channel.clear()


def send_via_apprise(
    channel: Channel,
    subject: str,
    body: str,
    dedup_key: str,
    timeout: float,
    *,
    recipient: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[bool, str]:
    """Send one message to `channel` (e-mail: to `recipient` when given, with extra
    `headers`). Returns (ok, error text with secrets redacted)."""
    secrets = kinds.secret_values(channel.kind, channel.config)
    title = subject
    if channel.kind == ChannelKind.SMS:
        title, body = "", f"{subject}\n{body}"
    try:
        if channel.kind in REUSED_SENDER_KINDS and not recipient and not headers:
            sender = _reused_sender(channel, timeout)
            if isinstance(sender, str):
                return False, sender
            sender.prepare(dedup_key)
            obj = sender.apprise
        else:
            url = kinds.apprise_url(
                channel.kind,
                channel.config,
                dedup_key=dedup_key,
                timeout=timeout,
                recipient=recipient,
                headers=headers,
            )
            obj = apprise.Apprise(asset=_asset(timeout))
            if not obj.add(url):
                return False, "Apprise rejected the channel settings / Apprise 不接受该通道设置"
    except (KeyError, ValueError) as exc:
        return False, kinds.redact(
            f"channel settings incomplete / 通道设置不完整: {exc!r}", secrets
        )
    except Exception as exc:  # a plugin bug must not kill the worker
        return False, kinds.redact(f"{type(exc).__name__}: {exc}", secrets)[:_ERROR_MAX]
    # Every connection of the send is checked against the outbound policy, and goes to
    # the address that was checked (notify.outbound).
    with outbound.guarded() as guard:
        try:
            # DEBUG capture: Apprise logs the exception behind a failure ("Socket
            # Exception: …", the HTTP response) only at debug level; we keep just those.
            result = obj.notify(
                body=body, title=title, timeout=timeout * 2, log_level=logging.DEBUG
            )
        except Exception as exc:  # a plugin bug must not kill the worker
            result = None
            crash = kinds.redact(f"{type(exc).__name__}: {exc}", secrets)[:_ERROR_MAX]
    if guard.refusals:
        text = f"{REFUSED_PREFIX}: {outbound.refusal_text(guard.refusals[0])}"
        return False, kinds.redact(text, secrets)[:_ERROR_MAX]
    if result is None:
        return False, crash
    if result:
        return True, ""
    lines = [
        f"{entry.level}: {entry.message}"
        for entry in result.logs()
        if entry.level in ("WARNING", "ERROR", "CRITICAL")
        or entry.message.startswith(_DETAIL_PREFIXES)
    ]
    status = getattr(getattr(result, "status", None), "name", "FAILURE")
    text = "\n".join(lines) or f"Apprise status {status}"
    if status == "TIMEOUT" and "TIMEOUT" not in text:
        text = f"timeout after {timeout * 2:g}s / 超时\n{text}"
    return False, kinds.redact(text, secrets)[:_ERROR_MAX]


def deliver(item: Claimed, worker: str) -> bool:
    """Send one claimed message and record the outcome. Returns True when it was sent."""
    message = Message.objects.select_related("channel__organisation", "channel__user").get(
        pk=item.message_id
    )
    if message.status != MessageStatus.SENDING or message.locked_by != worker:
        return False  # lost the lease to another worker; it owns the message now
    ok, error = send_via_apprise(
        message.channel,
        message.subject,
        message.body,
        message.dedup_key,
        settings.NOTIFY_SEND_TIMEOUT_SECONDS,
        recipient=message.recipient,
        headers=message.headers or None,
    )
    if ok:
        _mark_sent(message, item, worker)
    else:
        _mark_failed(message, item, worker, error, final=error.startswith(REFUSED_PREFIX))
    return ok


def _mark_sent(message: Message, item: Claimed, worker: str) -> None:
    # Its own short transaction straight after the send: the window in which a crash
    # makes us send again is as small as we can make it.
    now = timezone.now()
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, status=MessageStatus.SENDING, locked_by=worker
        ).update(
            status=MessageStatus.SENT,
            sent_at=now,
            locked_by="",
            locked_until=None,
            next_attempt_at=None,
            last_error="",
        )
        DeliveryAttempt.objects.filter(pk=item.attempt_id).update(finished_at=now, ok=True)
    if updated != 1:
        log.warning("message %s was sent after worker %s lost its lease", message.pk, worker)


def _mark_failed(
    message: Message, item: Claimed, worker: str, error: str, *, final: bool = False
) -> None:
    now = timezone.now()
    dead = final or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=item.attempt_id).update(
            finished_at=now, ok=False, error=error
        )
        fields = {"locked_by": "", "locked_until": None, "last_error": error}
        if dead:
            fields.update(status=MessageStatus.DEAD, next_attempt_at=None)
        else:
            delay = backoff_seconds(
                message.attempts,
                settings.NOTIFY_BACKOFF_BASE_SECONDS,
                settings.NOTIFY_BACKOFF_MAX_SECONDS,
                random.random(),
            )
            fields.update(
                status=MessageStatus.PENDING, next_attempt_at=now + timedelta(seconds=delay)
            )
        updated = Message.objects.filter(
            pk=message.pk, status=MessageStatus.SENDING, locked_by=worker
        ).update(**fields)
        if dead and updated == 1:
            _on_dead(message, item, error)


def _on_dead(message: Message, item: Claimed, error: str) -> None:
    """Record the dead letter and tell the operator (never about a dead-letter notice
    itself, so a broken operator channel cannot loop)."""
    from baozhang.accounts.models import Organisation, OrganisationKind
    from baozhang.notify.services import notify_organisation

    record(
        EventKind.NOTIFICATION_DEAD,
        message,
        actor_label="worker",
        before={"status": MessageStatus.SENDING},
        after={"status": MessageStatus.DEAD, "attempts": message.attempts},
        summary=said(
            "not delivered on %(channel)s: %(error)s",
            channel=message.channel.name if message.channel_id else "-",
            error=error[:400],
        ),
        organisation=message.organisation,
    )
    if message.template_key == "notification_dead":
        return
    operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
    if operator is None:
        return
    notify_organisation(
        operator,
        "notification_dead",
        {
            "subject": message.subject,
            "attempts": message.attempts,
            "channel_name": str(message.channel),
            "last_error": error[:500],
            "message_id": message.pk,
        },
        dedup_key_base=f"dead:m{message.pk}:a{item.attempt_id}",
    )


def deliver_due(worker: str, limit: int = 100) -> int:
    """Claim and send, in this thread, up to `limit` due messages (tests, `--once`).
    Returns how many were sent."""
    sent = 0
    for item in claim_due(worker, limit):
        sent += deliver(item, worker)
    return sent
