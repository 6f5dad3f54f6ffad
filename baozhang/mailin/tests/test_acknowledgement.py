"""The acknowledgement of a new e-mail ticket: it goes back to the sender's address through
the operator's e-mail channel, a reply to it threads into the same ticket, and it never
feeds a mail loop (automatic mail, repeats, the rate limit)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from baozhang.desk.models import Ticket
from baozhang.mailin import intake
from baozhang.mailin.models import InboundStatus
from baozhang.notify import services as notify
from baozhang.notify.delivery import deliver_due
from baozhang.notify.models import Channel as NotifyChannel
from baozhang.notify.models import Message, MessageStatus
from baozhang.notify.tests.receivers import SmtpReceiver

from .conftest import NOW, corpus
from .reading import reason_reads
from .test_intake import _mail

pytestmark = pytest.mark.django_db

SENDER = "zhangsan@kehu-a.cn"


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def operator_mail(desk: Any, smtp: SmtpReceiver) -> NotifyChannel:
    """The operator's e-mail channel (to our loopback SMTP server); the customer's own
    channel is switched off so that only acknowledgements are delivered."""
    NotifyChannel.objects.filter(pk=desk.channel.pk).update(enabled=False)
    return notify.create_channel(
        desk.personas.admin,
        name="运营方邮件",
        kind="email",
        organisation=desk.personas.operator,
        config={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "from_address": "support@baozhang.example",
            "to_addresses": "desk@baozhang.example",
        },
    )


def _acks() -> Any:
    return Message.objects.filter(dedup_key__startswith="mailin-ack:")


def _reply(subject: str, **headers: str) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"张三 <{SENDER}>"
    msg["To"] = "support@baozhang.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<reply-{abs(hash((subject, *headers.values())))}@kehu-a.cn>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("收到，谢谢。补充：机房温度正常。", charset="gbk")
    return msg.as_bytes()


def test_gbk_mail_is_acknowledged_to_the_sender_and_a_reply_threads_back(
    operator_mail: NotifyChannel, smtp: SmtpReceiver, mail_in: Any
) -> None:
    # given a GBK-encoded Chinese message from a known customer domain
    status, inbound = mail_in(corpus("gbk_labelled_gb2312.eml"))
    assert (status, inbound.status) == (0, InboundStatus.PROCESSED)
    ticket = inbound.ticket
    assert inbound.acknowledged
    [ack] = _acks()
    assert ack.dedup_key == f"mailin-ack:{inbound.pk}"
    assert (ack.channel, ack.recipient, ack.language) == (operator_mail, SENDER, "zh-hans")

    # when the worker delivers what is due
    assert deliver_due("w1") == 1
    assert smtp.wait_for(1, 5)
    received = smtp.items[0].data
    # then the sender got it, with the ticket number and the loop-safe threading headers
    assert smtp.items[0].headers["to"] == SENDER
    assert ticket.reference in received["Subject"]
    assert received["Subject"] == f"【保障】已受理 {ticket.reference}：服务器宕机，请尽快处理（喆）"
    assert ticket.reference in received.get_content()
    assert received["Auto-Submitted"] == "auto-replied"
    assert received["In-Reply-To"] == "<gbk-001@kehu-a.cn>"
    assert received["References"].split() == ["<gbk-001@kehu-a.cn>", intake.ack_message_id(ticket)]
    assert received["X-Baozhang-Dedup-Key"] == ack.dedup_key
    # Apprise writes the Message-ID itself (exactly one).
    assert len(received.get_all("Message-ID")) == 1
    ack.refresh_from_db()
    assert ack.status == MessageStatus.SENT

    # when the customer answers it as a mail client does ("Re: " + subject, In-Reply-To)
    status, reply = mail_in(
        _reply(f"Re: {received['Subject']}", In_Reply_To=received["Message-ID"])
    )
    # then the answer threads into the same ticket and is not acknowledged again
    assert (status, reply.status, reply.ticket) == (0, InboundStatus.PROCESSED, ticket)
    assert reason_reads(reply) == (
        f"工单 {ticket.reference} 的回复。",
        f"Reply to {ticket.reference}.",
    )
    assert "机房温度正常" in reply.message.body
    assert Ticket.objects.count() == 1
    assert not reply.acknowledged and _acks().count() == 1

    # A reply whose subject lost the reference threads by the acknowledgement's References.
    _, other = mail_in(
        _reply(
            "Re: 回执",
            In_Reply_To=received["Message-ID"],
            References=f"{received['References']} {received['Message-ID']}",
        )
    )
    assert (other.status, other.ticket) == (InboundStatus.PROCESSED, ticket)
    assert Ticket.objects.count() == 1
    assert deliver_due("w1") == 0
    assert len(smtp) == 1


def test_the_same_bytes_twice_are_acknowledged_once(
    operator_mail: NotifyChannel, smtp: SmtpReceiver, mail_in: Any
) -> None:
    raw = corpus("gbk_labelled_gb2312.eml")
    _, first = mail_in(raw)
    assert deliver_due("w1") == 1
    _, again = mail_in(raw)
    assert again == first
    assert deliver_due("w1") == 0
    assert _acks().count() == 1
    assert smtp.wait_for(1, 5) and len(smtp) == 1


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (corpus("auto_reply.eml"), InboundStatus.IGNORED),
        (corpus("list_mail.eml"), InboundStatus.IGNORED),
        (_mail("自动回复：出差中", extra="Auto-Submitted: auto-replied\n"), InboundStatus.IGNORED),
        (_mail("newsletter", extra="Precedence: bulk\n"), InboundStatus.IGNORED),
    ],
)
def test_automatic_mail_is_never_acknowledged(
    operator_mail: NotifyChannel, mail_in: Any, raw: bytes, status: str
) -> None:
    _, inbound = mail_in(raw)
    assert inbound.status == status
    assert not inbound.acknowledged
    assert not _acks().exists()
    assert deliver_due("w1") == 0


def test_an_auto_reply_to_the_acknowledgement_threads_without_an_acknowledgement(
    operator_mail: NotifyChannel, mail_in: Any
) -> None:
    _, first = mail_in(corpus("gbk_labelled_gb2312.eml"))
    raw = _mail(
        "自动回复",
        extra=f"Auto-Submitted: auto-replied\nReferences: {intake.ack_message_id(first.ticket)}\n",
    )
    _, inbound = mail_in(raw)
    assert (inbound.ticket, inbound.acknowledged) == (first.ticket, False)
    assert _acks().count() == 1


def test_rate_limited_and_quarantined_mail_is_not_acknowledged(
    operator_mail: NotifyChannel, settings: Any
) -> None:
    settings.MAILIN_RATE_LIMIT = 3
    results = [
        intake.receive(_mail(f"loop {i}"), now=NOW + dt.timedelta(seconds=i)) for i in range(5)
    ]
    assert [r.acknowledged for r in results] == [True] * 3 + [False] * 2
    assert {r.status for r in results[3:]} == {InboundStatus.QUARANTINED}
    assert _acks().count() == 3
    # An unknown sender is quarantined, and released by staff without an acknowledgement.
    stranger = intake.receive(corpus("unknown_sender.eml"), now=NOW + dt.timedelta(hours=1))
    assert stranger.status == InboundStatus.QUARANTINED and not stranger.acknowledged
    admin = operator_mail.organisation.users.filter(is_superuser=True).first()
    released = intake.release(admin, stranger, results[0].ticket.customer)
    assert released.status == InboundStatus.PROCESSED and not released.acknowledged
    assert _acks().count() == 3


def test_without_an_operator_mail_channel_the_reason_says_so(desk: Any, mail_in: Any) -> None:
    _, inbound = mail_in(corpus("gbk_labelled_gb2312.eml"))
    assert inbound.status == InboundStatus.PROCESSED
    assert not inbound.acknowledged
    reference = inbound.ticket.reference
    assert reason_reads(inbound) == (
        f"已创建工单 {reference}。未发送回执：运营方没有启用的邮件通道。",
        f"Opened {reference}. No acknowledgement sent: the operator has no enabled e-mail channel.",
    )
    assert inbound.reason == reason_reads(inbound)[1]  # the record keeps it in English
    assert not _acks().exists()


def test_our_own_sending_address_is_never_acknowledged(
    operator_mail: NotifyChannel, desk: Any, mail_in: Any
) -> None:
    desk.personas.org_a.email_domains += ", baozhang.example"
    desk.personas.org_a.save(update_fields=["email_domains"])
    _, inbound = mail_in(_mail("loop?", sender="support@baozhang.example"))
    assert inbound.status == InboundStatus.PROCESSED and not inbound.acknowledged
    zh, en = reason_reads(inbound)
    assert zh.endswith("未发送回执：发件人是本系统的发件地址。")
    assert en.endswith("No acknowledgement sent: the sender is our own sending address.")
    assert not _acks().exists()
