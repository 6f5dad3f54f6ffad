"""The corpus: real-world and malformed messages, each read without an exception."""

from __future__ import annotations

import base64

import pytest

from baozhang.mailin.parsing import decode_bytes, decode_header, parse

from .conftest import CORPUS, corpus

CASES = [
    # file, subject, a piece of the text, sender address
    (
        "gbk_labelled_gb2312.eml",
        "服务器宕机，请尽快处理（喆）",
        "联系人王喆、李堃",
        "zhangsan@kehu-a.cn",
    ),
    ("big5.eml", "網路中斷，請協助處理", "台北機房網路中斷", "chen@kehu-a.cn"),
    ("gb18030_raw_header.eml", "生僻字𠮷报障", "姓名：𠮷先生", "li@kehu-a.cn"),
    ("split_encoded_words.eml", "网络故障报告", "分开的编码字", "wangwu@kehu-a.cn"),
    ("no_from.eml", "no sender here", "Who sent me?", ""),
    ("no_content_type.eml", "无类型", "没有 Content-Type 的正文", "zhao@kehu-a.cn"),
    ("broken_base64.eml", "broken base64", "损坏的编码", "qian@kehu-a.cn"),
    ("html_only.eml", "HTML only", "第一段&\n\n第二段", "sun@kehu-a.cn"),
    ("no_headers.eml", "", "这是一封没有邮件头的邮件。", ""),
    ("unterminated_multipart.eml", "log attached", "见附件。", "zhou@kehu-a.cn"),
    ("broken_header_word.eml", "故障乱码", "标签错误的字符集", "wu@kehu-a.cn"),
    ("unknown_sender.eml", "请帮忙", "陌生人的来信", "someone@unknown.example"),
    (
        "gbk_labelled_utf8_stray_bytes.eml",
        "交换机宕机",
        "核心交换机今晨宕机，业务中断",
        "zhangsan@kehu-a.cn",
    ),
    ("nul_subject_unknown_charset.eml", "", "控制字符在正文里", "zhangsan@kehu-a.cn"),
]


@pytest.mark.parametrize(("name", "subject", "text", "sender"), CASES)
def test_corpus_message_is_read(name: str, subject: str, text: str, sender: str) -> None:
    mail = parse(corpus(name))
    assert mail.subject == subject
    assert text in mail.text
    assert mail.from_address == sender
    assert mail.message_id.startswith("<")


def test_every_corpus_file_has_a_case() -> None:
    names = {p.name for p in CORPUS.glob("*.eml")}
    assert names - {c[0] for c in CASES} == {"auto_reply.eml", "list_mail.eml"}


def test_sender_name_from_encoded_words() -> None:
    assert parse(corpus("gbk_labelled_gb2312.eml")).from_name == "张三"
    assert parse(corpus("split_encoded_words.eml")).from_name == "王五"


def test_loop_flags() -> None:
    auto = parse(corpus("auto_reply.eml"))
    assert auto.automatic and auto.auto_submitted == "Auto-Submitted: auto-replied"
    listed = parse(corpus("list_mail.eml"))
    assert listed.automatic and listed.bulk and listed.list_mail
    assert not parse(corpus("big5.eml")).automatic
    assert parse(b"From: a@b.cn\nAuto-Submitted: no\n\nhi").automatic is False
    assert parse(b"From: MAILER-DAEMON@b.cn\n\nbounce").automatic is True


def test_attachment_name_in_gbk_encoded_word() -> None:
    (attachment,) = parse(corpus("unterminated_multipart.eml")).attachments
    assert (attachment.filename, attachment.data) == ("日志.txt", b"line 1\nline 2\n")


def test_attachment_over_the_cap_has_no_data_but_its_size() -> None:
    payload = b"x" * 3000
    raw = (
        b"From: a@kehu-a.cn\nSubject: big\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nsee\n'
        b"--B\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
        b'filename="big.bin"\nContent-Transfer-Encoding: base64\n\n'
        + base64.encodebytes(payload)
        + b"--B--\n"
    )
    (attachment,) = parse(raw, max_attachment_bytes=1000).attachments
    assert attachment.data is None
    assert abs(attachment.size - 3000) < 10
    assert parse(raw).attachments[0].data == payload


def test_references_and_thread_order() -> None:
    mail = parse(
        b"From: a@b.cn\nIn-Reply-To: <c@x>\nReferences: <a@x>\n <b@x> <c@x>\n"
        b"Message-ID: <d@x>\n\nhi"
    )
    assert mail.thread_ids == ("<c@x>", "<b@x>", "<a@x>")
    assert mail.message_id == "<d@x>"


@pytest.mark.parametrize(
    ("data", "label", "expected"),
    [
        ("喆".encode("gbk"), "gb2312", "喆"),  # GBK labelled GB2312
        ("𠮷".encode("gb18030"), "gbk", "𠮷"),  # GB18030 four bytes labelled GBK
        ("中文".encode("gbk"), None, "中文"),
        ("中文".encode("gbk"), "us-ascii", "中文"),
        ("中文".encode(), "no-such-charset", "中文"),
        ("繁體".encode("big5"), "big5", "繁體"),
        ("恒".encode("big5hkscs"), "big5", "恒"),  # HKSCS labelled Big5
    ],
)
def test_decode_bytes(data: bytes, label: str | None, expected: str) -> None:
    assert decode_bytes(data, label) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "=?utf-8?B?!!!?=", "=?nonsense?Q?abc?=", "\udcff\udcfe", "=?gb2312?B?", "a" * 10000],
)
def test_decode_header_never_raises(value: object) -> None:
    assert isinstance(decode_header(value), str)


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff" * 100, b"From:\n\n", b"Content-Type: multipart/mixed\n\n--", b"\n\n\n"],
)
def test_garbage_never_raises(raw: bytes) -> None:
    assert isinstance(parse(raw).text, str)
