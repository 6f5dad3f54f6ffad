"""Control characters in a mail are removed at the door: NUL reaches neither the database
(PostgreSQL refuses it) nor the pages."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from baozhang.mailin.models import InboundStatus
from baozhang.mailin.parsing import parse

from .conftest import corpus


def test_a_nul_subject_from_an_unknown_charset_opens_a_clean_ticket(
    desk: Any, mail_in: Any, login: Any
) -> None:
    # given a mail whose subject is =?x-unknown?B?AAAA?= (three NUL) and whose body holds
    # NUL and an escape sequence
    status, inbound = mail_in(corpus("nul_subject_unknown_charset.eml"))
    # then it opens a ticket (on SQLite and on PostgreSQL alike) with no control character
    assert status == 0
    assert inbound.status == InboundStatus.PROCESSED, inbound.reason
    ticket = inbound.ticket
    # with a subject of ours in the customer's language (customer A reads Chinese)
    assert ticket.subject == "（无主题）"
    assert "\x00" not in ticket.description and "\x1b" not in ticket.description
    assert "控制字符在正文里" in ticket.description
    assert inbound.subject == ""
    # and the queue and the ticket page serve none either
    client = login(desk.personas.agent)
    for url in ("/desk/", f"/desk/tickets/{ticket.pk}/"):
        page = client.get(url).content.decode()
        assert ticket.reference in page
        assert "\x00" not in page and "\x1b" not in page


@pytest.mark.parametrize(
    ("header", "subject"),
    [
        ("=?x-unknown?B?AAAA?=", ""),
        ("=?utf-8?B?5pWF6ZqcAOaKpeWRig==?=", "故障报告"),  # 故障\x00报告
        ("=?utf-8?Q?line=0Aone=09two=07?=", "line one two"),
        ("=?gbk?B?" + base64.b64encode("故障\x1b[0m".encode("gbk")).decode() + "?=", "故障[0m"),
    ],
)
def test_subjects_are_one_line_without_controls(header: str, subject: str | None) -> None:
    raw = f"From: a@kehu-a.cn\r\nSubject: {header}\r\nMessage-ID: <c@x>\r\n\r\nbody\r\n"
    mail = parse(raw.encode())
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in mail.subject)
    if subject is not None:
        assert mail.subject == subject


def test_names_filenames_and_ids_are_cleaned() -> None:
    raw = (
        b"From: =?utf-8?B?5byg5LiJAA==?= <zhangsan@kehu-a.cn>\r\n"  # 张三\x00
        b"Message-ID: <id\x00@kehu-a.cn>\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="log\x07.txt"\r\n\r\n'
        b"data\r\n--b--\r\n"
    )
    mail = parse(raw)
    assert mail.from_name == "张三"
    assert mail.message_id == "<id@kehu-a.cn>"
    assert mail.attachments[0].filename == "log.txt"
