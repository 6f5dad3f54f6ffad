"""A body its declared charset cannot read is read by the candidate that loses least, the
raw bytes are kept, and the agent sees on the ticket that it was repaired."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from baozhang.mailin.models import InboundStatus
from baozhang.mailin.parsing import decode, parse

from .conftest import corpus

REPORT = "您好：服务器宕机，请尽快派工程师处理。联系人王喆".encode("gbk")


@pytest.mark.parametrize(
    ("data", "label", "text", "codec", "lost", "repaired"),
    [
        # the issue's case: GBK labelled UTF-8, two stray bytes at the end
        (REPORT + b"\xff\xfe", "utf-8", "您好：服务器宕机", "gb18030", 2, True),
        # a clean GBK body with the same wrong label
        (REPORT, "utf-8", "您好：服务器宕机", "gb18030", 0, True),
        # Big5 labelled UTF-8 with a stray byte: Big5 loses least
        (
            "網路中斷，請協助處理台北機房".encode("big5") + b"\xff",
            "utf-8",
            "網路中斷",
            "big5hkscs",
            1,
            True,
        ),
        # UTF-8 cut short by one byte: the label, one byte replaced
        ("网络中断，请协助处理".encode()[:-1], "utf-8", "网络中断", "utf-8", 1, True),
        # what decodes cleanly by its label (or by its superset) is no repair
        ("网络中断".encode(), "utf-8", "网络中断", "utf-8", 0, False),
        ("喆".encode("gbk"), "gb2312", "喆", "gb18030", 0, False),
        # without a label there is nothing to repair
        (REPORT + b"\xff\xfe", None, "您好：服务器宕机", "gb18030", 2, False),
    ],
)
def test_the_candidate_that_loses_least(data, label, text, codec, lost, repaired) -> None:
    decoded = decode(data, label)
    assert text in decoded.text
    assert (decoded.codec, decoded.lost, decoded.repaired) == (codec, lost, repaired)


def test_the_issue_mail_is_read_as_gb18030_and_marked() -> None:
    # given a GBK body labelled utf-8 with \xff\xfe at its end, its raw subject in GBK
    mail = parse(corpus("gbk_labelled_utf8_stray_bytes.eml"))
    # then subject and body are both read, the body marked as repaired
    assert mail.subject == "交换机宕机"
    assert "核心交换机今晨宕机，业务中断，请尽快派工程师处理" in mail.text
    assert mail.text.count("\ufffd") == 2
    assert mail.charset_repair == ("utf-8", "gb18030", 2)
    assert [str(d) for d in mail.defects if d.msgid.startswith("Character")] == [
        "Character encoding repaired: declared utf-8, read as gb18030 "
        "(2 unreadable bytes replaced)."
    ]


def test_a_clean_mail_is_not_marked() -> None:
    assert parse(corpus("gbk_labelled_gb2312.eml")).charset_repair is None
    assert parse(corpus("big5.eml")).charset_repair is None


def _ticket_page(client: Any, ticket: Any) -> str:
    response = client.get(f"/desk/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_repair_is_kept_and_shown_to_agents_in_both_languages(
    desk: Any, mail_in: Any, login: Any
) -> None:
    # given the mail arrives through mail-in
    raw = corpus("gbk_labelled_utf8_stray_bytes.eml")
    status, inbound = mail_in(raw)
    assert status == 0 and inbound.status == InboundStatus.PROCESSED
    # then the ticket reads in Chinese, the raw bytes are kept as they came
    ticket = inbound.ticket
    assert "核心交换机今晨宕机" in ticket.description
    with inbound.raw.open("rb") as f:
        assert f.read() == raw
    assert (inbound.charset_declared, inbound.charset_read, inbound.charset_lost) == (
        "utf-8",
        "gb18030",
        2,
    )
    # and an agent sees the repair on the ticket page, in Chinese and in English
    agent = desk.personas.agent
    zh = _ticket_page(login(agent), ticket)
    assert "字符编码已修复：声明为 utf-8，按 GB18030 读取（2 个无法识别的字节已替换）。" in zh
    assert f"/mail/{inbound.pk}/raw" in zh
    agent.language = "en"
    agent.save(update_fields=["language"])
    with translation.override("en"):
        en = _ticket_page(login(agent), ticket)
    assert "Character encoding repaired: declared utf-8, read as GB18030" in en
    # and the customer's contact sees their words without the agents' note
    contact = _ticket_page(login(desk.personas.contact_a), ticket)
    assert "核心交换机今晨宕机" in contact
    assert 'data-testid="charset-repaired"' not in contact


def test_a_mail_read_by_its_label_shows_no_repair(desk: Any, mail_in: Any, login: Any) -> None:
    _, inbound = mail_in(corpus("gbk_labelled_gb2312.eml"))
    assert inbound.charset_read == ""
    page = _ticket_page(login(desk.personas.agent), inbound.ticket)
    assert 'data-testid="charset-repaired"' not in page
