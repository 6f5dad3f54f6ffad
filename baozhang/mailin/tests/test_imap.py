"""Polling a real IMAP server (Debian's dovecot on loopback, started here)."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baozhang.desk.models import Ticket
from baozhang.mailin import polling
from baozhang.mailin.models import InboundMessage, InboundSource, InboundStatus, Mailbox, Security

from . import dovecot as dc
from .conftest import NOW, corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def imap_server() -> Iterator[dc.Dovecot]:
    if not Path(dc.DOVECOT).exists():
        message = f"no dovecot at {dc.DOVECOT} (apt-get install dovecot-imapd)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    # Not under pytest's tmp_path: its parents are private to us, and as root dovecot's
    # own processes (other users) must read the folder.
    root = Path(tempfile.mkdtemp(prefix="baozhang-dovecot-"))
    root.chmod(0o755)
    try:
        server, proc = dc.start(root)
    except Exception:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def _client(server: dc.Dovecot) -> imaplib.IMAP4:
    client = imaplib.IMAP4(server.host, server.port, timeout=10)
    client.login(server.user, server.password)
    return client


def _append(server: dc.Dovecot, *messages: bytes) -> None:
    client = _client(server)
    for raw in messages:
        status, _ = client.append("INBOX", None, None, raw)
        assert status == "OK"
    client.logout()


def _unseen(server: dc.Dovecot) -> list[bytes]:
    client = _client(server)
    client.select("INBOX")
    _, data = client.uid("SEARCH", None, "UNSEEN")
    client.logout()
    return data[0].split()


@pytest.fixture
def mailbox(imap_server: dc.Dovecot, desk: Any) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password=imap_server.password,
    )


def test_poll_turns_each_message_into_a_ticket_or_quarantine(
    imap_server: dc.Dovecot, mailbox: Mailbox
) -> None:
    _append(
        imap_server,
        corpus("gbk_labelled_gb2312.eml"),
        corpus("big5.eml"),
        corpus("unknown_sender.eml"),
        corpus("auto_reply.eml"),
    )

    assert polling.poll_all(now=NOW) == {"support": 4}

    mailbox.refresh_from_db()
    assert (mailbox.last_error, mailbox.last_polled_at, mailbox.last_uid) == ("", NOW, 4)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        ["服务器宕机，请尽快处理（喆）", "網路中斷，請協助處理"]
    )
    statuses = dict(InboundMessage.objects.values_list("subject", "status"))
    assert statuses == {
        "服务器宕机，请尽快处理（喆）": InboundStatus.PROCESSED,
        "網路中斷，請協助處理": InboundStatus.PROCESSED,
        "请帮忙": InboundStatus.QUARANTINED,
        "自动回复：我不在办公室": InboundStatus.IGNORED,
    }
    assert set(InboundMessage.objects.values_list("source", "mailbox")) == {
        (InboundSource.IMAP, mailbox.pk)
    }
    # Every message was flagged \Seen after it was kept; the next poll fetches nothing.
    assert _unseen(imap_server) == []
    assert polling.poll_all(now=NOW) == {"support": 0}


def test_reply_appended_later_threads(imap_server: dc.Dovecot, mailbox: Mailbox) -> None:
    _append(imap_server, corpus("gbk_labelled_gb2312.eml"))
    polling.poll_all(now=NOW)
    ticket = Ticket.objects.get()
    _append(
        imap_server,
        f"From: zhangsan@kehu-a.cn\r\nSubject: Re: [{ticket.reference}]\r\n"
        f"In-Reply-To: <{ticket.reference}.ack@baozhang.invalid>\r\n\r\nthanks\r\n".encode(),
    )
    polling.poll_all(now=NOW)
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("body", flat=True))[-1] == "thanks"


def test_a_failing_mailbox_does_not_stop_the_others(
    imap_server: dc.Dovecot, mailbox: Mailbox
) -> None:
    broken = Mailbox.objects.create(
        name="a-broken",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password="wrong password",
    )
    _append(imap_server, corpus("big5.eml"))

    results = polling.poll_all(now=NOW)

    assert results["support"] == 1
    broken.refresh_from_db()
    assert "LOGIN" in broken.last_error or "AUTHENTICATIONFAILED" in broken.last_error
    assert broken.last_polled_at == NOW
    assert Ticket.objects.count() == 1


def test_unreachable_server_is_an_error_on_the_mailbox(mailbox: Mailbox, settings: Any) -> None:
    settings.MAILIN_IMAP_TIMEOUT_SECONDS = 2
    Mailbox.objects.filter(pk=mailbox.pk).update(port=dc._free_port())
    polling.poll_all(now=NOW)
    mailbox.refresh_from_db()
    assert "ConnectionRefusedError" in mailbox.last_error


def test_a_message_stored_but_not_flagged_is_not_a_second_ticket(
    imap_server: dc.Dovecot, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append(imap_server, corpus("big5.eml"))
    real_uid = imaplib.IMAP4.uid

    def crash_on_store(self: imaplib.IMAP4, command: str, *args: Any) -> Any:
        if command == "STORE":
            raise imaplib.IMAP4.abort("connection lost")
        return real_uid(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", crash_on_store)
    polling.poll_all(now=NOW)
    monkeypatch.undo()
    assert len(_unseen(imap_server)) == 1  # not flagged: it comes again …
    polling.poll_all(now=NOW)
    assert Ticket.objects.count() == 1  # … and is recognised
    assert _unseen(imap_server) == []


def test_poll_command(imap_server: dc.Dovecot, mailbox: Mailbox) -> None:
    from io import StringIO

    from django.core.management import call_command

    _append(imap_server, corpus("big5.eml"))
    out = StringIO()
    call_command("poll_mailboxes", stdout=out)
    assert out.getvalue() == "support: 1\n"


def test_polling_is_a_periodic_job_of_the_worker() -> None:
    from baozhang.jobs.registry import periodic_jobs

    (job,) = [j for j in periodic_jobs() if j.name == "mailin.poll"]
    assert job.every_seconds == 60
