"""`baozhang mail_in`: each message becomes a ticket, a reply, or a quarantined or ignored
message with its reason — never lost."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError

from baozhang.accounts.models import User
from baozhang.desk.models import Attachment, Channel, Ticket, TicketKind
from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.mailin import intake
from baozhang.mailin.models import InboundMessage, InboundStatus
from baozhang.notify.models import Message

from .conftest import NOW, corpus
from .reading import reason_reads

pytestmark = pytest.mark.django_db


def _mail(
    subject: str,
    *,
    sender: str = "zhangsan@kehu-a.cn",
    extra: str = "",
    body: str = "hi",
    mid: str = "",
) -> bytes:
    mid = mid or f"<{abs(hash((subject, extra, body)))}@kehu-a.cn>"
    head = f"From: {sender}\nSubject: {subject}\nMessage-ID: {mid}\n{extra}"
    return (head + "Content-Type: text/plain; charset=utf-8\n\n" + body + "\n").encode()


def test_gbk_message_opens_a_ticket_with_the_chinese_shown(desk: Any, mail_in: Any) -> None:
    status, inbound = mail_in(corpus("gbk_labelled_gb2312.eml"))

    assert status == 0
    assert inbound.status == InboundStatus.PROCESSED
    ticket = inbound.ticket
    assert ticket.subject == "服务器宕机，请尽快处理（喆）"
    assert "联系人王喆、李堃" in ticket.description
    assert (ticket.channel, ticket.kind) == (Channel.EMAIL, TicketKind.REQUEST)
    assert ticket.customer == desk.personas.org_a
    assert ticket.contact == desk.personas.contact_a
    assert ticket.requester == "张三 <zhangsan@kehu-a.cn>"
    assert inbound.message.email_message_id == "<gbk-001@kehu-a.cn>"
    # The customer's e-mail channel hears of the new ticket (desk's notice); the
    # acknowledgement to the sender needs the operator's e-mail channel
    # (test_acknowledgement.py), which this desk has not.
    notice = Message.objects.get(template_key="ticket_received", channel=desk.channel)
    assert ticket.reference in notice.subject + notice.body
    assert not inbound.acknowledged
    assert reason_reads(inbound)[1].endswith(
        "No acknowledgement sent: the operator has no enabled e-mail channel."
    )


def _reply_threads(mail_in: Any, raw: bytes, ticket: Ticket) -> InboundMessage:
    status, inbound = mail_in(raw)
    assert status == 0
    assert (inbound.status, inbound.ticket) == (InboundStatus.PROCESSED, ticket)
    assert Ticket.objects.count() == 1
    return inbound


def test_replies_thread_into_the_ticket(desk: Any, mail_in: Any) -> None:
    _, first = mail_in(corpus("gbk_labelled_gb2312.eml"))
    ticket = first.ticket

    # A reply to our acknowledgement …
    ack_id = intake.ack_message_id(ticket)
    r1 = _reply_threads(mail_in, _mail("Re: 回执", extra=f"In-Reply-To: {ack_id}\n"), ticket)
    # … to the customer's own first message (References only) …
    r2 = _reply_threads(
        mail_in, _mail("Re: again", extra="References: <x@y> <gbk-001@kehu-a.cn>\n"), ticket
    )
    # … and one with only the reference in the subject.
    r3 = _reply_threads(
        mail_in, _mail(f"答复：[{ticket.reference}] 补充信息", body="补充：已重启"), ticket
    )
    bodies = list(ticket.messages.values_list("body", flat=True))
    assert bodies[-1] == "补充：已重启"
    assert ticket.messages.count() == 4
    assert r3.message.author == desk.personas.contact_a
    assert {reason_reads(r1), reason_reads(r2)} == {
        (f"工单 {ticket.reference} 的回复。", f"Reply to {ticket.reference}.")
    }
    # Replies are not acknowledged again.
    assert Message.objects.filter(template_key="ticket_received").count() == 1


def test_reply_from_another_customer_is_quarantined(desk: Any, mail_in: Any) -> None:
    _, first = mail_in(corpus("gbk_labelled_gb2312.eml"))
    _, inbound = mail_in(_mail(f"Re: {first.ticket.reference}", sender="x@evil.example"))
    assert inbound.status == InboundStatus.QUARANTINED
    reference = first.ticket.reference
    assert reason_reads(inbound) == (
        f"发件人 x@evil.example 不属于工单 {reference} 的客户。",
        f"The sender x@evil.example is not of the customer of {reference}.",
    )
    assert first.ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("big5.eml", "網路中斷，請協助處理", "台北機房網路中斷"),
        ("gb18030_raw_header.eml", "生僻字𠮷报障", "姓名：𠮷先生"),
        ("split_encoded_words.eml", "网络故障报告", "分开的编码字"),
        ("no_content_type.eml", "无类型", "没有 Content-Type 的正文"),
        ("broken_base64.eml", "broken base64", "损坏的编码"),
        ("html_only.eml", "HTML only", "第二段"),
        ("broken_header_word.eml", "故障乱码", "标签错误的字符集"),
    ],
)
def test_corpus_message_becomes_a_ticket(
    desk: Any, mail_in: Any, name: str, subject: str, text: str
) -> None:
    status, inbound = mail_in(corpus(name))
    assert status == 0
    assert inbound.status == InboundStatus.PROCESSED, inbound.reason
    assert inbound.ticket.subject == subject
    assert text in inbound.ticket.description


@pytest.mark.parametrize("name", ["no_from.eml", "no_headers.eml", "unknown_sender.eml"])
def test_unknown_senders_are_quarantined_not_lost(desk: Any, mail_in: Any, name: str) -> None:
    status, inbound = mail_in(corpus(name))
    assert status == 0
    assert inbound.status == InboundStatus.QUARANTINED
    assert reason_reads(inbound) == ("发件人未知。", "Unknown sender.")
    assert inbound.raw.read() == corpus(name)
    assert not Ticket.objects.exists()


def test_unknown_address_of_a_known_domain_becomes_a_contact_to_review(
    desk: Any, mail_in: Any
) -> None:
    _, inbound = mail_in(corpus("big5.eml"))  # chen@kehu-a.cn is not a contact yet
    contact = User.objects.get(email="chen@kehu-a.cn")
    assert (contact.organisation, contact.is_active) == (desk.personas.org_a, False)
    assert inbound.ticket.contact == contact
    assert inbound.ticket.requester == "Chen <chen@kehu-a.cn>"


def test_complaint_in_the_subject(desk: Any, mail_in: Any) -> None:
    _, inbound = mail_in(_mail("投诉：客服态度"))
    assert inbound.ticket.kind == TicketKind.COMPLAINT


@pytest.mark.parametrize(
    ("name", "zh", "en"),
    [
        (
            "auto_reply.eml",
            "自动邮件（Auto-Submitted: auto-replied）。",
            "Automatic mail (Auto-Submitted: auto-replied).",
        ),
        ("list_mail.eml", "自动邮件（Precedence: bulk）。", "Automatic mail (Precedence: bulk)."),
    ],
)
def test_automatic_mail_is_ignored_and_never_acknowledged(
    desk: Any, mail_in: Any, name: str, zh: str, en: str
) -> None:
    status, inbound = mail_in(corpus(name))
    assert status == 0
    assert inbound.status == InboundStatus.IGNORED
    assert reason_reads(inbound) == (zh, en)
    assert not Ticket.objects.exists()
    assert not Message.objects.filter(template_key="ticket_received").exists()


def test_auto_reply_to_a_ticket_threads_without_acknowledgement(desk: Any, mail_in: Any) -> None:
    _, first = mail_in(corpus("gbk_labelled_gb2312.eml"))
    raw = _mail(
        "自动回复",
        extra=f"Auto-Submitted: auto-replied\nIn-Reply-To: {intake.ack_message_id(first.ticket)}\n",
    )
    _, inbound = mail_in(raw)
    assert inbound.ticket == first.ticket
    assert Message.objects.filter(template_key="ticket_received").count() == 1


def test_rate_limit(desk: Any, settings: Any) -> None:
    settings.MAILIN_RATE_LIMIT = 10
    results = [
        intake.receive(_mail(f"loop {i}"), now=NOW + dt.timedelta(seconds=i)) for i in range(12)
    ]
    assert [r.status for r in results[:10]] == [InboundStatus.PROCESSED] * 10
    assert [(r.status, reason_reads(r)) for r in results[10:]] == [
        (
            InboundStatus.QUARANTINED,
            ("限流：该发件人发送过于频繁。", "Rate limit: too many messages from this sender."),
        )
    ] * 2
    # Eleven minutes later the sender is welcome again.
    later = intake.receive(_mail("later"), now=NOW + dt.timedelta(minutes=11))
    assert later.status == InboundStatus.PROCESSED


def test_same_bytes_twice_is_one_ticket(desk: Any, mail_in: Any) -> None:
    _, a = mail_in(corpus("big5.eml"))
    _, b = mail_in(corpus("big5.eml"))
    assert a == b
    assert Ticket.objects.count() == 1


def test_huge_attachment_is_dropped_with_a_note_on_the_ticket(desk: Any, settings: Any) -> None:
    settings.MAILIN_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
    big = b"\0" * (30 * 1024 * 1024)
    raw = (
        b"From: zhangsan@kehu-a.cn\nSubject: =?utf-8?B?"
        + base64.b64encode("抓包文件".encode())
        + b"?=\nMessage-ID: <huge@kehu-a.cn>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain; '
        b"charset=utf-8\n\n"
        + "见附件".encode()
        + b"\n--B\nContent-Type: application/octet-stream\n"
        b'Content-Disposition: attachment; filename="capture.pcap"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(big) + b"--B\n"
        b"Content-Type: text/plain; name=small.txt\nContent-Disposition: attachment; "
        b'filename="small.txt"\n\nsmall file\n--B--\n'
    )
    inbound = intake.receive(raw, now=NOW)

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.size == len(raw)
    assert inbound.ticket.description == "见附件"
    (kept,) = Attachment.objects.filter(message__ticket=inbound.ticket)
    assert (kept.filename, kept.file.read()) == ("small.txt", b"small file")
    note = Event.objects.filter(summary__contains="capture.pcap").get()
    zh, en = reads(note)
    assert en.startswith("attachment “capture.pcap” (") and en.endswith(f"#{inbound.pk}")
    assert zh.startswith("附件“capture.pcap”（") and zh.endswith(f"#{inbound.pk} 中保留")


def test_database_unreachable_exits_75_so_the_mta_retries(desk: Any, mail_in: Any) -> None:
    with mock.patch.object(intake, "receive", side_effect=OperationalError("connection refused")):
        status, _ = mail_in(corpus("big5.eml"))
    assert status == 75


def test_empty_input_is_refused(mail_in: Any, db: Any) -> None:
    status, inbound = mail_in(b"")
    assert (status, inbound) == (65, None)


def test_error_while_routing_quarantines(desk: Any) -> None:
    with mock.patch.object(intake.desk, "open_ticket", side_effect=RuntimeError("boom")):
        inbound = intake.receive(corpus("big5.eml"), now=NOW)
    assert inbound.status == InboundStatus.QUARANTINED
    # The exception's words are kept as given, in both readings.
    assert reason_reads(inbound) == (
        "处理出错：RuntimeError: boom。",
        "Routing failed: RuntimeError: boom.",
    )
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("automatic", "why_zh", "why_en"),
    [
        ("Auto-Submitted: auto-replied\n", *["Auto-Submitted: auto-replied"] * 2),
        ("X-Autoreply: yes\n", "X-Autoreply", "X-Autoreply"),
        ("Precedence: bulk\n", "Precedence: bulk", "Precedence: bulk"),
        ("List-Id: <noc.kehu-a.cn>\n", "邮件列表", "mailing list"),
    ],
)
def test_out_of_office_to_a_resolved_ticket_is_kept_but_reopens_nothing(
    desk: Any, automatic: str, why_zh: str, why_en: str
) -> None:
    from baozhang.desk import services
    from baozhang.desk.models import Clock, Status

    ticket = intake.receive(_mail("网络中断", mid="<first@kehu-a.cn>"), now=NOW).ticket
    services.change_status(
        desk.personas.agent, ticket, Status.RESOLVED, now=NOW + dt.timedelta(hours=1)
    )
    running_before = Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).count()

    inbound = intake.receive(
        _mail(f"Re: {ticket.reference}", extra=automatic, body="我正在休假 / out of office"),
        now=NOW + dt.timedelta(hours=2),
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.RESOLVED, 0)
    assert ticket.resolved_at is not None
    assert Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).count() == running_before
    assert (inbound.status, inbound.ticket) == (InboundStatus.PROCESSED, ticket)
    assert inbound.message.body == "我正在休假 / out of office"
    assert ticket.messages.filter(pk=inbound.message.pk).exists()
    assert reason_reads(inbound) == (
        f"工单 {ticket.reference} 收到自动邮件（{why_zh}），不改变状态。",
        f"Automatic mail ({why_en}) on {ticket.reference}, no status change.",
    )


def test_a_persons_reply_still_reopens_a_resolved_ticket(desk: Any) -> None:
    from baozhang.desk import services
    from baozhang.desk.models import Status

    ticket = intake.receive(_mail("网络中断", mid="<first@kehu-a.cn>"), now=NOW).ticket
    services.change_status(
        desk.personas.agent, ticket, Status.RESOLVED, now=NOW + dt.timedelta(hours=1)
    )
    intake.receive(_mail(f"Re: {ticket.reference}", body="又断了"), now=NOW + dt.timedelta(hours=2))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.OPEN, 1)


def test_same_message_id_with_other_bytes_is_kept_as_a_duplicate(desk: Any) -> None:
    raw = _mail("服务器宕机", mid="<once@kehu-a.cn>")
    first = intake.receive(raw, now=NOW)
    # The same mail again with one more Received: header (by IMAP, after the MTA's pipe).
    again = intake.receive(
        b"Received: from mx2.kehu-a.cn by imap.example; Mon, 12 Oct 2026 10:00:05 +0800\n" + raw,
        source="imap",
        now=NOW + dt.timedelta(seconds=5),
    )

    assert first.status == InboundStatus.PROCESSED
    assert again.pk != first.pk
    assert again.status == InboundStatus.IGNORED
    assert reason_reads(again) == (
        f"与入站邮件 #{first.pk} 重复。",
        f"Duplicate of inbound e-mail #{first.pk}.",
    )
    assert again.ticket is None and again.message is None
    assert again.raw.read().startswith(b"Received: from mx2")
    assert Ticket.objects.count() == 1
    assert first.ticket.messages.count() == 1
    assert Message.objects.filter(template_key="ticket_received").count() == 1


def test_same_message_id_as_a_reply_is_not_threaded_twice(desk: Any) -> None:
    ticket = intake.receive(_mail("服务器宕机"), now=NOW).ticket
    reply = _mail(f"Re: {ticket.reference}", mid="<reply-1@kehu-a.cn>", body="补充")
    intake.receive(reply, now=NOW + dt.timedelta(minutes=1))
    dup = intake.receive(b"X-Extra: 1\n" + reply, now=NOW + dt.timedelta(minutes=2))
    assert dup.status == InboundStatus.IGNORED
    assert ticket.messages.count() == 2


def test_address_of_another_customers_user_is_quarantined(desk: Any) -> None:
    # chen@kehu-a.cn is (an inactive) contact of customer B: a mail from that address
    # must not become customer A's ticket in B's contact's name.
    User.objects.filter(pk=desk.personas.contact_b.pk).update(
        email="chen@kehu-a.cn", is_active=False
    )
    inbound = intake.receive(corpus("big5.eml"), now=NOW)

    assert inbound.status == InboundStatus.QUARANTINED
    assert reason_reads(inbound) == (
        "该地址属于其他客户。",
        "The address belongs to another customer.",
    )
    assert not Ticket.objects.exists()
    assert User.objects.filter(email__iexact="chen@kehu-a.cn").count() == 1


def test_inactive_contact_of_the_same_customer_is_reused(desk: Any) -> None:
    first = intake.receive(corpus("big5.eml"), now=NOW)
    contact = first.ticket.contact
    again = intake.receive(_mail("又一个问题", sender="chen@kehu-a.cn"), now=NOW)
    assert again.ticket.contact == contact
    assert User.objects.filter(email__iexact="chen@kehu-a.cn").count() == 1


def test_words_of_ours_on_a_ticket_are_in_the_customers_language(desk: Any) -> None:
    from baozhang.desk.models import Status

    # A Chinese-reading customer's closed ticket, answered: a new ticket says so in Chinese.
    closed = intake.receive(_mail("网络中断"), now=NOW).ticket
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    follow = intake.receive(_mail(f"Re: {closed.reference}", body="又断了"), now=NOW).ticket
    assert follow.description == f"（已关闭工单 {closed.reference} 的后续）\n\n又断了"

    # A mail with neither subject nor text, released to an English-reading customer.
    blank = intake.receive(_mail("", sender="x@unknown.example", body=""), now=NOW)
    released = intake.release(desk.personas.agent, blank, desk.personas.org_b, now=NOW)
    assert desk.personas.org_b.language == "en"
    assert (released.ticket.subject, released.ticket.description) == (
        "(no subject)",
        "(empty message)",
    )
