"""Polling IMAP mailboxes: fetch unseen messages by UID, keep each, then flag it \\Seen.

A message is flagged only after it is stored, so a crash between the two fetches it again
next time (and the stored copy's digest recognises it: no second ticket). One mailbox's
failure is written on that mailbox and does not stop the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import ssl

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from baozhang.mailin import intake
from baozhang.mailin.models import InboundSource, Mailbox, Security

logger = logging.getLogger(__name__)


def _timeout() -> float:
    return float(getattr(settings, "MAILIN_IMAP_TIMEOUT_SECONDS", 30))


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.security == Security.SSL:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=_timeout()
        )
    conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=_timeout())
    if mailbox.security == Security.STARTTLS:
        conn.starttls(ssl.create_default_context())
    return conn


def _check(result: tuple[str, list], what: str) -> list:
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {status} {detail}")
    return data


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw_of(data: list) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll_mailbox(mailbox: Mailbox, now: dt.datetime | None = None) -> int:
    """Fetch and keep every unseen message of `mailbox`; returns how many were kept.
    IMAP and network errors propagate (poll_all writes them on the mailbox)."""
    kept = 0
    conn = _connect(mailbox)
    try:
        _check(conn.login(mailbox.username, mailbox.password), "LOGIN")
        _check(conn.select(_quote(mailbox.folder)), f"SELECT {mailbox.folder}")
        uids = _check(conn.uid("SEARCH", None, "UNSEEN"), "SEARCH UNSEEN")
        for uid in (uids[0] or b"").split():
            raw = _raw_of(_check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), f"FETCH {uid!r}"))
            if raw is None:
                continue
            intake.receive(raw, mailbox=mailbox, source=InboundSource.IMAP, now=now)
            _check(conn.uid("STORE", uid, "+FLAGS", "(\\Seen)"), f"STORE {uid!r}")
            mailbox.last_uid = max(mailbox.last_uid, int(uid))
            kept += 1
    finally:
        with contextlib.suppress(Exception):  # the connection may already be gone
            conn.logout()
    return kept


def _claim(mailbox: Mailbox, now: dt.datetime) -> bool:
    lease = dt.timedelta(seconds=_timeout() * 10)
    return (
        Mailbox.objects.filter(pk=mailbox.pk, enabled=True)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + lease)
        == 1
    )


def poll_all(now: dt.datetime | None = None) -> dict[str, int | str]:
    """Poll every enabled mailbox once. Returns, per mailbox name, the number of messages
    kept or the error text. A mailbox another worker is polling is skipped."""
    results: dict[str, int | str] = {}
    for mailbox in Mailbox.objects.filter(enabled=True).select_related("default_customer"):
        started = now or timezone.now()
        if not _claim(mailbox, started):
            continue
        error = ""
        try:
            results[mailbox.name] = poll_mailbox(mailbox, now)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            results[mailbox.name] = error
            logger.warning("mail-in: polling %s failed: %s", mailbox, error)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=timezone.now() if now is None else now,
            last_error=error,
            last_uid=mailbox.last_uid,
            locked_until=None,
        )
    return results


def register() -> None:
    from baozhang.jobs.registry import register_periodic

    every = float(getattr(settings, "MAILIN_POLL_SECONDS", 60))
    register_periodic("mailin.poll", _poll_job, every)


def _poll_job() -> None:
    poll_all()
