"""Delivering the outbox: claim due messages, send them, record each try.

The worker claims due messages in batches (claim_batches: up to NOTIFY_BATCH_SIZE a batch,
one claim transaction for all of them) and each sender thread sends a batch in turn and
records its outcomes together (deliver_batch: one UPDATE per outcome rather than per
message). Webhooks and SMS gateways are posted through a sender kept per channel and thread
with its connection kept alive (notify.http_send); e-mail and the vendors' bots go through
Apprise. Why a try failed is stored as a message said in the reader's language and the
channel's own text as given (notify.errors).

Claiming is safe for any number of workers on any number of hosts: on PostgreSQL the due
rows are locked with FOR UPDATE SKIP LOCKED, on SQLite the settings' IMMEDIATE transaction
mode serialises claimers. A claimed message is `sending` with a lease (`locked_until`,
also written to `next_attempt_at`); a worker killed mid-send leaves the row `sending`, and
once the lease has passed any worker claims it again. Delivery is therefore at least once;
the window for a repeat is between the receiver accepting the message and our "sent"
commit (at most FLUSH_SECONDS plus one send, as a batch records what it sent at least that
often), and every outgoing message carries its dedup key for receivers to drop repeats.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import apprise
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify import channels as kinds
from baozhang.notify import errors, http_send, outbound
from baozhang.notify.errors import Failure
from baozhang.notify.models import Channel, ChannelKind, DeliveryAttempt, Message, MessageStatus

log = logging.getLogger(__name__)

# How often at least a sender thread records what it sent (the most a crash can make us
# send again); it takes NOTIFY_BATCH_SIZE messages at once.
FLUSH_SECONDS = 1.0
# Time kept in hand at the end of a lease: a batch stops starting sends when the lease
# could run out before the next send's connect and read timeouts.
LEASE_MARGIN_SECONDS = 5.0
_DUE = (MessageStatus.PENDING, MessageStatus.SENDING)
# Debug lines of Apprise's plugins that carry the reason of a failure.
_DETAIL_PREFIXES = ("Socket Exception", "Response Details", "Response Body")


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
            **Failure(said(errors.INTERRUPTED)).stored(),
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


def _asset(timeout: float) -> apprise.AppriseAsset:
    # No redirects: a message goes to the address its channel names, and the headers it
    # carries (tokens among them) never follow a 3xx to another host.
    return apprise.AppriseAsset(
        storage_mode="memory", service_timeout=timeout * 2, http_redirects=False
    )


def forget_senders() -> None:
    """Close and drop this thread's kept HTTP senders (tests)."""
    http_send.forget()


def send(
    channel: Channel,
    subject: str,
    body: str,
    dedup_key: str,
    timeout: float,
    *,
    recipient: str = "",
    headers: dict[str, str] | None = None,
) -> Failure | None:
    """Send one message to `channel` (e-mail: to `recipient` when given, with extra
    `headers`). None when it was accepted, else why not (secrets redacted).

    Webhooks and SMS gateways go through this thread's kept sender of the channel
    (notify.http_send, one connection kept alive); the other kinds through Apprise."""
    title = subject
    if channel.kind == ChannelKind.SMS:
        title, body = "", f"{subject}\n{body}"
    if channel.kind in http_send.KINDS and not recipient and not headers:
        try:
            sender = http_send.sender_for(channel, timeout)
        except (KeyError, ValueError) as exc:
            secrets = kinds.secret_values(channel.kind, channel.config)
            return Failure(said(errors.SETTINGS_INCOMPLETE), kinds.redact(repr(exc), secrets))
        try:
            return sender.post(title, body, dedup_key)
        finally:
            if channel.pk is None:
                sender.close()
    return _send_via_apprise(channel, title, body, dedup_key, timeout, recipient, headers)


def _send_via_apprise(
    channel: Channel,
    title: str,
    body: str,
    dedup_key: str,
    timeout: float,
    recipient: str,
    headers: dict[str, str] | None,
) -> Failure | None:
    secrets = kinds.secret_values(channel.kind, channel.config)
    try:
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
            return Failure(said(errors.SETTINGS_REJECTED))
    except (KeyError, ValueError) as exc:
        return Failure(said(errors.SETTINGS_INCOMPLETE), kinds.redact(repr(exc), secrets))
    except Exception as exc:  # a plugin bug must not kill the worker
        return Failure(
            said(errors.SENDER_CRASHED), kinds.redact(f"{type(exc).__name__}: {exc}", secrets)
        )
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
            crash = Failure(
                said(errors.SENDER_CRASHED),
                kinds.redact(f"{type(exc).__name__}: {exc}", secrets),
            )
    if guard.refusals:
        return errors.refused(guard.refusals[0])
    if result is None:
        return crash
    if result:
        return None
    lines = [
        f"{entry.level}: {entry.message}"
        for entry in result.logs()
        if entry.level in ("WARNING", "ERROR", "CRITICAL")
        or entry.message.startswith(_DETAIL_PREFIXES)
    ]
    status = getattr(getattr(result, "status", None), "name", "FAILURE")
    text = kinds.redact("\n".join(lines) or f"Apprise status {status}", secrets)
    if status == "TIMEOUT":
        return Failure(said(errors.TIMED_OUT, seconds=f"{timeout * 2:g}"), text)
    return Failure(None, text)


@dataclass(frozen=True)
class Batch:
    """Claimed messages that one sender thread sends in turn and records together."""

    items: tuple[Claimed, ...]
    claimed_at: float  # time.monotonic() when they were claimed


def batch_size() -> int:
    return max(1, int(settings.NOTIFY_BATCH_SIZE))


def claim_batches(worker: str, limit: int, now: datetime | None = None) -> list[Batch]:
    """The outbox queue's claim (jobs.registry): up to `limit` batches of due messages,
    at most batch_size() each. Few due messages are spread one to a batch, so that the
    worker's senders send them side by side; many fill the batches evenly."""
    if limit <= 0:
        return []
    items = claim_due(worker, limit * batch_size(), now)
    if not items:
        return []
    at = time.monotonic()
    count = min(limit, len(items))
    return [Batch(tuple(items[i::count]), at) for i in range(count)]


@dataclass
class _Outcome:
    message: Message
    item: Claimed
    failure: Failure | None


def deliver_batch(batch: Batch, worker: str) -> int:
    """Send a claimed batch, in this thread, and record the outcomes: one statement per
    outcome (sent; failed alike), at the end of the batch or once FLUSH_SECONDS have
    passed since the last record, whichever comes first, so a crash repeats at most that
    much. When the lease runs short (a slow receiver), the messages not yet tried go back
    to the outbox untouched. Returns how many were sent."""
    by_id = {item.message_id: item for item in batch.items}
    messages = (
        Message.objects.select_related("channel")
        .filter(pk__in=list(by_id), status=MessageStatus.SENDING, locked_by=worker)
        .order_by("id")
    )
    lease = settings.NOTIFY_LEASE_SECONDS
    timeout = settings.NOTIFY_SEND_TIMEOUT_SECONDS
    # The last moment a send may start and still end (connect + read) within the lease.
    last_start = batch.claimed_at + lease - 2 * timeout - LEASE_MARGIN_SECONDS
    pending: list[_Outcome] = []
    sent = 0
    flushed_at = time.monotonic()
    # Only messages still held by this claim: ours, and not claimed again since (by us,
    # after the lease ran out while the batch waited, which counted another try).
    rest = [m for m in messages if m.attempts == by_id[m.pk].number]
    held = {m.pk for m in rest}
    stale = [item.attempt_id for item in batch.items if item.message_id not in held]
    if stale:
        # Their tries never began; a claim that took the message over closed them already.
        DeliveryAttempt.objects.filter(pk__in=stale, finished_at__isnull=True).update(
            finished_at=timezone.now(), ok=False, **Failure(said(errors.INTERRUPTED)).stored()
        )
    tried = 0
    while rest:
        if tried and time.monotonic() > last_start:
            break  # the first is always tried, as a message claimed alone was
        message = rest.pop(0)
        tried += 1
        failure = send(
            message.channel,
            message.subject,
            message.body,
            message.dedup_key,
            timeout,
            recipient=message.recipient,
            headers=message.headers or None,
        )
        pending.append(_Outcome(message, by_id[message.pk], failure))
        if time.monotonic() - flushed_at >= FLUSH_SECONDS:
            sent += _record(pending, worker)
            pending = []
            flushed_at = time.monotonic()
    if pending:
        sent += _record(pending, worker)
    if rest:
        _release([by_id[m.pk] for m in rest], worker)
    return sent


def deliver(item: Claimed, worker: str) -> bool:
    """Send one claimed message and record the outcome. Returns True when it was sent."""
    return deliver_batch(Batch((item,), time.monotonic()), worker) == 1


def _record(outcomes: list[_Outcome], worker: str) -> int:
    """Record the outcomes of sends in one transaction. Returns how many were sent."""
    now = timezone.now()
    sent = [o for o in outcomes if o.failure is None]
    failed = [o for o in outcomes if o.failure is not None]
    with transaction.atomic():
        # Which messages are still ours (locked: a claimer waits for our commit).
        qs = Message.objects.filter(
            pk__in=[o.message.pk for o in outcomes],
            status=MessageStatus.SENDING,
            locked_by=worker,
        )
        if connection.features.has_select_for_update:
            qs = qs.select_for_update()
        mine = set(qs.values_list("pk", flat=True))
        if sent:
            DeliveryAttempt.objects.filter(pk__in=[o.item.attempt_id for o in sent]).update(
                finished_at=now, ok=True
            )
            Message.objects.filter(
                pk__in=[o.message.pk for o in sent if o.message.pk in mine]
            ).update(
                status=MessageStatus.SENT,
                sent_at=now,
                locked_by="",
                locked_until=None,
                next_attempt_at=None,
                last_error="",
                last_error_id="",
                last_error_params=None,
            )
            lost = [o.message.pk for o in sent if o.message.pk not in mine]
            if lost:
                log.warning("messages %s were sent after worker %s lost its lease", lost, worker)
        if failed:
            _record_failures(failed, mine, now)
    return sum(1 for o in sent if o.message.pk in mine)


def _record_failures(failed: list[_Outcome], mine: set[int], now: datetime) -> None:
    """Failed sends: each attempt closed with its error, each message still ours back to
    pending after its backoff or dead; one UPDATE per distinct error."""
    groups: dict[str, list[_Outcome]] = defaultdict(list)
    for o in failed:
        assert o.failure is not None
        groups[json.dumps(o.failure.stored(), sort_keys=True)].append(o)
    dead: list[_Outcome] = []
    for group in groups.values():
        failure = group[0].failure
        assert failure is not None
        DeliveryAttempt.objects.filter(pk__in=[o.item.attempt_id for o in group]).update(
            finished_at=now, ok=False, **failure.stored()
        )
        ours = [o for o in group if o.message.pk in mine]
        final = [
            o for o in ours if failure.final or o.message.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        ]
        again = [o for o in ours if o not in final]
        common = {"locked_by": "", "locked_until": None, **failure.stored_on_message()}
        if final:
            Message.objects.filter(pk__in=[o.message.pk for o in final]).update(
                status=MessageStatus.DEAD, next_attempt_at=None, **common
            )
            dead += final
        if again:
            when = [
                When(
                    pk=o.message.pk,
                    then=Value(
                        now
                        + timedelta(
                            seconds=backoff_seconds(
                                o.message.attempts,
                                settings.NOTIFY_BACKOFF_BASE_SECONDS,
                                settings.NOTIFY_BACKOFF_MAX_SECONDS,
                                random.random(),
                            )
                        )
                    ),
                )
                for o in again
            ]
            Message.objects.filter(pk__in=[o.message.pk for o in again]).update(
                status=MessageStatus.PENDING,
                next_attempt_at=Case(*when, output_field=DateTimeField()),
                **common,
            )
    for o in dead:
        assert o.failure is not None
        _on_dead(o.message, o.item, o.failure)


def _release(items: list[Claimed], worker: str) -> None:
    """Give claimed messages that were not tried back to the outbox: due now, their try
    not counted, their open attempt removed."""
    with transaction.atomic():
        Message.objects.filter(
            pk__in=[i.message_id for i in items], status=MessageStatus.SENDING, locked_by=worker
        ).update(
            status=MessageStatus.PENDING,
            locked_by="",
            locked_until=None,
            next_attempt_at=timezone.now(),
            attempts=F("attempts") - 1,
        )
        DeliveryAttempt.objects.filter(
            pk__in=[i.attempt_id for i in items], finished_at__isnull=True
        ).delete()


def _on_dead(message: Message, item: Claimed, failure: Failure) -> None:
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
            error=failure.said(400),
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
            # Said in each recipient channel's language (rendering.render).
            "last_error": failure.said(500),
            "message_id": message.pk,
        },
        dedup_key_base=f"dead:m{message.pk}:a{item.attempt_id}",
    )


def deliver_due(worker: str, limit: int = 100) -> int:
    """Claim and send, in this thread, up to `limit` due messages (tests, `--once`).
    Returns how many were sent."""
    items = claim_due(worker, limit)
    if not items:
        return 0
    return deliver_batch(Batch(tuple(items), time.monotonic()), worker)
