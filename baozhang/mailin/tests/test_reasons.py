"""Why an inbound message is where it is reads in one language, the reader's (issue 18 §1):
each step a sentence of ours said again, typed and foreign text (an exception, the
outbox's refusal, a user name, a reference) kept as given; reasons stored glued before
migration 0003 read the same once converted, others in the reader's half."""

from __future__ import annotations

import importlib
import re
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from baozhang.desk.models import Ticket
from baozhang.mailin import intake
from baozhang.mailin.models import InboundMessage, InboundSource, InboundStatus

from .conftest import NOW
from .reading import read_as, reason_reads
from .test_intake import _mail

pytestmark = pytest.mark.django_db

migration = importlib.import_module("baozhang.mailin.migrations.0003_reason_parts")


@pytest.fixture
def operator_channel(desk: Any) -> Any:
    """An operator's e-mail channel as the acknowledgement finds it (none is sent here)."""
    with mock.patch.object(intake, "_operator_email_channel", return_value=desk.channel):
        yield desk.channel


def _acknowledgement(answer: Any) -> Any:
    """notify.enqueue, but the acknowledgement (only) answered with ``answer``: a value,
    or an exception raised."""
    enqueue = intake.notify.enqueue

    def fake(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("recipient"):  # the customer's notice of the new ticket
            return enqueue(*args, **kwargs)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return mock.patch.object(intake.notify, "enqueue", side_effect=fake)


def _opened() -> InboundMessage:
    inbound = intake.receive(_mail("网络中断"), now=NOW)
    assert inbound.status == InboundStatus.PROCESSED
    return inbound


def test_an_invalid_sender_address_is_named_as_given(desk: Any, operator_channel: Any) -> None:
    with mock.patch.object(intake, "validate_email", side_effect=ValidationError("bad")):
        inbound = _opened()
    ref = inbound.ticket.reference
    assert reason_reads(inbound) == (
        f"已创建工单 {ref}。未发送回执：发件地址“zhangsan@kehu-a.cn”无效。",
        f"Opened {ref}. No acknowledgement sent: no valid sender address “zhangsan@kehu-a.cn”.",
    )


def test_a_disabled_operator_channel_is_said(desk: Any, operator_channel: Any) -> None:
    with _acknowledgement(None):
        inbound = _opened()
    ref = inbound.ticket.reference
    assert reason_reads(inbound) == (
        f"已创建工单 {ref}。未发送回执：运营方邮件通道已停用。",
        f"Opened {ref}. No acknowledgement sent: the operator's e-mail channel is disabled.",
    )


def test_the_outboxs_refusal_is_kept_as_given_in_the_readers_half(
    desk: Any, operator_channel: Any
) -> None:
    refusal = ValueError("收件地址“x”无效 / recipient address “x” is invalid")
    with _acknowledgement(refusal):
        inbound = _opened()
    ref = inbound.ticket.reference
    assert reason_reads(inbound) == (
        f"已创建工单 {ref}。未发送回执：收件地址“x”无效。",
        f"Opened {ref}. No acknowledgement sent: recipient address “x” is invalid.",
    )


def test_a_delivery_report_and_a_bounce_sender_are_said(desk: Any) -> None:
    report = intake.receive(
        b"From: zhangsan@kehu-a.cn\nSubject: Undelivered\nMessage-ID: <r1@kehu-a.cn>\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nnot delivered\n--b--\n",
        now=NOW,
    )
    bounce = intake.receive(_mail("Returned mail", sender="mailer-daemon@kehu-a.cn"), now=NOW)
    assert (report.status, bounce.status) == (InboundStatus.IGNORED, InboundStatus.IGNORED)
    assert reason_reads(report) == ("自动邮件（投递报告）。", "Automatic mail (delivery report).")
    assert reason_reads(bounce) == (
        "自动邮件（发件人 mailer-daemon@kehu-a.cn）。",
        "Automatic mail (sender mailer-daemon@kehu-a.cn).",
    )


def test_a_routing_error_in_both_languages_reads_in_the_readers_half(desk: Any) -> None:
    error = ValueError("结束须晚于开始 / the end must be after the start")
    with mock.patch.object(intake.desk, "open_ticket", side_effect=error):
        inbound = intake.receive(_mail("网络中断"), now=NOW)
    assert inbound.status == InboundStatus.QUARANTINED
    assert reason_reads(inbound) == (
        "处理出错：ValueError: 结束须晚于开始。",
        "Routing failed: ValueError: the end must be after the start.",
    )


def test_a_released_reply_reads_as_two_sentences(desk: Any) -> None:
    ticket = intake.receive(_mail("网络中断"), now=NOW).ticket
    stranger = intake.receive(
        _mail(f"Re: {ticket.reference}", sender="li@elsewhere.example", body="补充"), now=NOW
    )
    assert stranger.status == InboundStatus.QUARANTINED
    released = intake.release(desk.personas.agent, stranger, desk.personas.org_a, now=NOW)
    ref = ticket.reference
    assert released.message.ticket == ticket
    assert reason_reads(released) == (
        f"由 agent 放行。工单 {ref} 的回复。",
        f"Released by agent. Reply to {ref}.",
    )


# -- reasons stored before migration 0003 ----------------------------------------------------

OLD: list[tuple[str, str, str]] = [
    ("unknown sender / 未知发件人", "发件人未知。", "Unknown sender."),
    (
        "rate limit / 发送过于频繁",
        "限流：该发件人发送过于频繁。",
        "Rate limit: too many messages from this sender.",
    ),
    ("duplicate of #12 / 重复", "与入站邮件 #12 重复。", "Duplicate of inbound e-mail #12."),
    (
        "sender x@evil.example is not of BZ-000007's customer / 发件人不属于工单 BZ-000007 的客户",
        "发件人 x@evil.example 不属于工单 BZ-000007 的客户。",
        "The sender x@evil.example is not of the customer of BZ-000007.",
    ),
    (
        "automatic mail (mailing list) / 自动邮件",
        "自动邮件（邮件列表）。",
        "Automatic mail (mailing list).",
    ),
    (
        "automatic mail (Auto-Submitted: auto-replied) / 自动邮件",
        "自动邮件（Auto-Submitted: auto-replied）。",
        "Automatic mail (Auto-Submitted: auto-replied).",
    ),
    (
        "automatic mail (delivery report) on BZ-000007, no status change / 自动邮件，不改变状态",
        "工单 BZ-000007 收到自动邮件（投递报告），不改变状态。",
        "Automatic mail (delivery report) on BZ-000007, no status change.",
    ),
    (
        "address belongs to another customer / 地址属于其他客户",
        "该地址属于其他客户。",
        "The address belongs to another customer.",
    ),
    ("opened BZ-000007", "已创建工单 BZ-000007。", "Opened BZ-000007."),
    ("reply to BZ-000007", "工单 BZ-000007 的回复。", "Reply to BZ-000007."),
    (
        "released by agent: opened BZ-000008",
        "由 agent 放行。已创建工单 BZ-000008。",
        "Released by agent. Opened BZ-000008.",
    ),
    (
        "released by wang.wu: reply to BZ-000008",
        "由 wang.wu 放行。工单 BZ-000008 的回复。",
        "Released by wang.wu. Reply to BZ-000008.",
    ),
    (
        "opened BZ-000009; no acknowledgement / 未发送回执: "
        "no enabled e-mail channel of the operator / 运营方没有启用的邮件通道",
        "已创建工单 BZ-000009。未发送回执：运营方没有启用的邮件通道。",
        "Opened BZ-000009. No acknowledgement sent: the operator has no enabled e-mail channel.",
    ),
    (
        "opened BZ-000009; no acknowledgement / 未发送回执: "
        "no valid sender address “a@” / 发件地址无效",
        "已创建工单 BZ-000009。未发送回执：发件地址“a@”无效。",
        "Opened BZ-000009. No acknowledgement sent: no valid sender address “a@”.",
    ),
    (
        "opened BZ-000009; no acknowledgement / 未发送回执: "
        "收件地址“x”无效 / recipient address “x” is invalid",
        "已创建工单 BZ-000009。未发送回执：收件地址“x”无效。",
        "Opened BZ-000009. No acknowledgement sent: recipient address “x” is invalid.",
    ),
    (
        "error: RuntimeError: boom",
        "处理出错：RuntimeError: boom。",
        "Routing failed: RuntimeError: boom.",
    ),
    (
        "unknown sender / 未知发件人; ignored by agent",
        "发件人未知。由 agent 忽略。",
        "Unknown sender. Ignored by agent.",
    ),
    (
        "error: OperationalError: database is locked; ignored by agent",
        "处理出错：OperationalError: database is locked。由 agent 忽略。",
        "Routing failed: OperationalError: database is locked. Ignored by agent.",
    ),
    # A form the migration does not know: the ignoring is a step, the rest as written.
    (
        "转人工 / handed over; ignored by agent",
        "转人工。由 agent 忽略。",
        "handed over. Ignored by agent.",
    ),
]


def _old(reason: str, status: str = InboundStatus.QUARANTINED) -> InboundMessage:
    inbound = InboundMessage(
        received_at=NOW,
        source=InboundSource.STDIN,
        size=3,
        sha256=str(hash(reason)),
        status=status,
        reason=reason,
    )
    inbound.raw.save("old.eml", ContentFile(b"old"), save=False)
    inbound.save()
    return inbound


@pytest.mark.parametrize(("reason", "zh", "en"), OLD, ids=[r for r, _, _ in OLD])
def test_the_migration_converts_a_known_glued_reason(
    db: Any, reason: str, zh: str, en: str
) -> None:
    inbound = _old(reason)
    migration.forwards(apps, None)
    inbound.refresh_from_db()
    assert inbound.reason_parts
    assert reason_reads(inbound) == (zh, en)
    assert inbound.reason == en  # the record keeps it in English now


def test_the_migration_keeps_an_unknown_reason_as_written(db: Any) -> None:
    glued = _old("转交人工处理 / handed over to a person")
    typed = _old("something else entirely")
    migration.forwards(apps, None)
    glued.refresh_from_db()
    typed.refresh_from_db()
    assert (glued.reason_parts, glued.reason) == ([], "转交人工处理 / handed over to a person")
    assert reason_reads(glued) == ("转交人工处理", "handed over to a person")
    assert (typed.reason_parts, read_as(typed, "zh-hans")) == ([], "something else entirely")


def test_the_migration_leaves_converted_rows_alone(desk: Any) -> None:
    inbound = intake.receive(_mail("网络中断", sender="nobody@unknown.example"), now=NOW)
    before = (inbound.reason, inbound.reason_parts)
    migration.forwards(apps, None)
    inbound.refresh_from_db()
    assert (inbound.reason, inbound.reason_parts) == before


def test_an_old_unknown_reason_ignored_now_keeps_its_words(desk: Any) -> None:
    inbound = _old("转交人工处理 / handed over to a person")
    intake.ignore(desk.personas.agent, inbound, now=NOW)
    assert reason_reads(inbound) == (
        "转交人工处理。由 agent 忽略。",
        "handed over to a person. Ignored by agent.",
    )


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("zh-hans", "发件人未知。由 agent 忽略。", "Unknown sender"),
        ("en", "Unknown sender. Ignored by agent.", "未知"),
    ],
)
def test_converted_reasons_on_the_pages_read_in_one_language(
    desk: Any, login: Any, language: str, shown: str, not_shown: str
) -> None:
    inbound = _old("unknown sender / 未知发件人; ignored by agent", InboundStatus.IGNORED)
    migration.forwards(apps, None)
    agent = desk.personas.agent
    agent.language = language
    agent.save(update_fields=["language"])
    client = login(agent)
    for url in (
        reverse("mailin:quarantine") + "?status=ignored",
        reverse("mailin:detail", args=[inbound.pk]),
    ):
        html = client.get(url).content.decode()
        cells = re.findall(r'data-testid="reason">(.*?)</(?:td|dd)>', html, re.S)
        assert [c.strip() for c in cells] == [shown], url
        assert not_shown not in html, url


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "发件人未知。"), ("en", "Unknown sender.")]
)
def test_the_admin_lists_the_reason_in_the_readers_language(
    desk: Any, login: Any, language: str, shown: str
) -> None:
    intake.receive(_mail("网络中断", sender="nobody@unknown.example"), now=NOW)
    admin = desk.personas.admin
    admin.language = language
    admin.save(update_fields=["language"])
    html = login(admin).get(reverse("admin:mailin_inboundmessage_changelist")).content.decode()
    assert shown in html
    assert not Ticket.objects.exists()
