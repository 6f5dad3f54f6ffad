"""Turn one raw e-mail into a small value: who sent it, what it says, what it answers.

Pure: no Django, no I/O, no clock. `parse(raw)` never raises; whatever it could not read
it replaces (U+FFFD) and lists in `defects`. Chinese mail is decoded with the superset of
what it claims: GB2312/GBK labels are read as GB18030 (mail clients label GBK text as
GB2312 all the time) and Big5 as Big5-HKSCS.
"""

from __future__ import annotations

import base64
import codecs
import email
import email.header
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser

from baozhang.core.text import clean_line, clean_text

# The superset each label is decoded with (the label itself is often wrong).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "",
    "x-unknown": "",
}
# Tried in this order when the label is missing or wrong. UTF-8 first: it almost never
# decodes text that is not UTF-8; GB18030 decodes nearly anything, so it comes after.
_GUESSES = ("utf-8", "gb18030", "big5hkscs")

_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_MSGID = re.compile(r"<[^<>\s]+>")
_LOOP_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}
# ``ParsedMail.auto_submitted`` for a delivery report, and before a bounce sender's address
# (the other values are the headers as they came).
DELIVERY_REPORT = "delivery report"
BOUNCE_SENDER = "sender "
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|noreply|no-reply|do-not-reply)@", re.I)


@dataclass(frozen=True)
class Defect:
    """A problem met while reading the mail: an English message of the catalogue and its
    parameters, which a page says in the reader's language (events.text.render); a defect
    Python's parser reported goes by its class name."""

    msgid: str
    params: tuple[tuple[str, str | int], ...] = ()

    def __str__(self) -> str:
        return self.msgid % dict(self.params) if self.params else self.msgid


def _defect(msgid: str, **params: str | int) -> Defect:
    return Defect(msgid, tuple(params.items()))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None  # None when it was larger than the cap given to parse()


@dataclass(frozen=True)
class ParsedMail:
    from_address: str = ""
    from_name: str = ""
    subject: str = ""
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    auto_submitted: str = ""  # why it looks automatic ("" for a person's mail)
    bulk: bool = False
    list_mail: bool = False
    defects: tuple[Defect, ...] = field(default=())
    # When the body's declared charset did not read it: (declared label, codec read with,
    # bytes replaced); the raw message is kept as it came.
    charset_repair: tuple[str, str, int] | None = None

    @property
    def automatic(self) -> bool:
        """True for mail no person wrote: auto-replies, bounces, bulk and list mail. We
        never acknowledge it (mail loops)."""
        return bool(self.auto_submitted) or self.bulk or self.list_mail

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this message answers, nearest first."""
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(mid, None)
        return tuple(seen)

    @property
    def sender_label(self) -> str:
        if self.from_name and self.from_address:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_address or self.from_name


def codec_for(charset: str | None) -> str:
    """The codec to decode `charset` with ("" when the label is unknown or useless)."""
    label = (charset or "").strip().strip('"').lower()
    if not label:
        return ""
    label = _SUPERSETS.get(label, label)
    if not label:
        return ""
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""


@dataclass(frozen=True)
class Decoded:
    """Text of some bytes and how it was read."""

    text: str
    codec: str  # the codec the text was read with
    declared: str  # the codec of the bytes' label ("" when there was none we know)
    lost: int = 0  # replacement characters put in for bytes the codec could not read

    @property
    def repaired(self) -> bool:
        """True when the label did not read the bytes cleanly: another codec read them,
        or some bytes were replaced."""
        return bool(self.declared) and (self.codec != self.declared or self.lost > 0)


def _lossy(data: bytes, codec: str) -> tuple[str, int]:
    text = data.decode(codec, errors="replace")
    return text, text.count("\ufffd")


def decode(data: bytes, charset: str | None = None) -> Decoded:
    """`data` read by its label if that decodes cleanly; by the label with a few bytes
    replaced when only a few are bad (a truncated part); else by the first guess that
    decodes cleanly; else by the candidate that loses least: the label, GB18030 or Big5
    with undecodable bytes replaced (a GBK body labelled UTF-8 with a stray byte or two
    is read as GB18030, not as a page of U+FFFD)."""
    label = codec_for(charset)
    if label:
        try:
            return Decoded(data.decode(label), label, label)
        except (UnicodeDecodeError, LookupError):
            pass
        text, lost = _lossy(data, label)
        if lost <= max(2, len(text) // 200):
            return Decoded(text, label, label, lost)
    for codec in _GUESSES:
        if codec == label:
            continue
        try:
            return Decoded(data.decode(codec), codec, label)
        except UnicodeDecodeError:
            continue
    candidates = [label] if label else []
    candidates += [codec for codec in _GUESSES if codec != label]
    readings = [(codec, *_lossy(data, codec)) for codec in candidates]
    # What a reading loses: the bytes it replaced, and the characters it made of bytes that
    # mean nothing in it (GB18030 maps Big5's to the private use area). min() keeps the
    # first of equals: the label wins a tie.
    best = min(readings, key=lambda r: r[2] + len(_PRIVATE_USE.findall(r[1])))
    return Decoded(best[1], best[0], label, best[2])


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of `data` (see :func:`decode`)."""
    return decode(data, charset).text


def _to_bytes(value: str) -> bytes:
    # Raw 8-bit header bytes arrive as surrogate escapes from the bytes parser.
    return value.encode("ascii", errors="surrogateescape")


def decode_header(value: object) -> str:
    """A header as text: encoded words (also split across folded lines, also in the middle
    of a word), raw 8-bit bytes in any of our charsets; never raises."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        try:
            parts = email.header.decode_header(value)
        except Exception:
            return decode_bytes(_to_bytes(str(value)))
    else:
        text = str(value)
        try:
            parts = email.header.decode_header(text)
        except Exception:  # broken base64 in an encoded word
            return _unfold(decode_bytes(_to_bytes(text)))
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            chunk = _to_bytes(chunk)
        out.append(decode_bytes(chunk, charset))
    return _unfold("".join(out))


def _unfold(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in {"script", "style", "head"}:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"} and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: tags dropped, blocks on their own lines."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
        text = "".join(extractor.parts)
    except Exception:
        text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _header(msg: Message, name: str) -> str:
    try:
        return decode_header(msg.get(name))
    except Exception:
        return ""


def _raw_header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    if value is None:
        return ""
    return str(value)


def _sender(msg: Message) -> tuple[str, str]:
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        raw = _raw_header(msg, name)
        if not raw:
            continue
        try:
            addresses = email.utils.getaddresses([raw])
        except Exception:
            addresses = []
        for display, address in addresses:
            address = decode_header(address).strip().lower()
            if "@" in address and " " not in address:
                return decode_header(display).strip().strip('"'), address
        # A From without any address: keep the text as the name.
        return decode_header(raw), ""
    return "", ""


def _ids(msg: Message, name: str) -> tuple[str, ...]:
    return tuple(_MSGID.findall(clean_line(_raw_header(msg, name))))


def _lenient_base64(text: str) -> bytes:
    data = re.sub(r"[^A-Za-z0-9+/]", "", text.split("=")[0] if "=" in text else text)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    return base64.b64decode(data + "=" * (-len(data) % 4))


def _payload(part: Message, defects: list[Defect]) -> bytes:
    raw = part.get_payload()
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "base64" and isinstance(raw, str):
        try:
            return base64.b64decode(re.sub(r"\s", "", raw), validate=True)
        except (ValueError, TypeError):
            defects.append(_defect("broken base64 in %(type)s", type=part.get_content_type()))
            try:
                return _lenient_base64(raw)
            except (ValueError, TypeError):
                return _to_bytes(raw)
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:
        defects.append(
            _defect(
                "undecodable part %(type)s: %(error)s", type=part.get_content_type(), error=str(exc)
            )
        )
        return _to_bytes(raw) if isinstance(raw, str) else b""
    if data is None:
        return b""
    if isinstance(data, str):
        return _to_bytes(data)
    return bytes(data)


def _estimated_size(part: Message) -> int:
    raw = part.get_payload()
    if not isinstance(raw, str):
        return 0
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "base64":
        return len(re.sub(r"\s", "", raw)) * 3 // 4
    return len(raw)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # an undecoded RFC 2231 triple
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header(str(name)) if name else ""


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and not _filename(part):
        return False
    return part.get_content_maintype() not in {"text", "multipart"} or bool(_filename(part))


def parse(raw: bytes, *, max_attachment_bytes: int | None = None) -> ParsedMail:
    """The message's sender, subject, text (text/plain preferred, else HTML stripped to
    text), attachments and threading headers. Attachments larger than
    `max_attachment_bytes` come back with `data=None` and their (estimated) size. Never
    raises: a message that is not even MIME comes back as its bytes decoded as text."""
    defects: list[Defect] = []
    try:
        msg = email.message_from_bytes(raw)
    except Exception as exc:  # pragma: no cover - the parser is very forgiving
        return ParsedMail(
            text=clean_text(decode_bytes(raw)),
            defects=(_defect("not a message: %(error)s", error=str(exc)),),
        )
    from_name, from_address = _sender(msg)
    if not from_address:
        defects.append(_defect("no sender address"))
    message_id = next(iter(_ids(msg, "Message-ID")), "")
    if not message_id:
        # A stable stand-in, so that the same message is recognised when it comes again.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id.invalid>"
        defects.append(_defect("no Message-ID"))

    plain: list[str] = []
    markup: list[str] = []
    attachments: list[Attachment] = []
    repair: tuple[str, str, int] | None = None
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if _is_attachment(part):
            size = _estimated_size(part)
            data: bytes | None = None
            if max_attachment_bytes is None or size <= max_attachment_bytes:
                data = _payload(part, defects)
                size = len(data)
                if max_attachment_bytes is not None and size > max_attachment_bytes:
                    data = None
            attachments.append(
                Attachment(
                    filename=clean_line(_filename(part)) or f"attachment-{len(attachments) + 1}",
                    content_type=ctype,
                    size=size,
                    data=data,
                )
            )
            continue
        charset = part.get_param("charset")
        label = charset.strip().strip('"').lower() if isinstance(charset, str) else None
        decoded = decode(_payload(part, defects), label)
        text = decoded.text
        if decoded.repaired and repair is None and label:
            repair = (label, decoded.codec, decoded.lost)
            defects.append(
                _defect(
                    "Character encoding repaired: declared %(declared)s, read as %(read)s "
                    "(%(lost)s unreadable bytes replaced).",
                    declared=label,
                    read=decoded.codec,
                    lost=decoded.lost,
                )
            )
        if ctype == "text/html":
            markup.append(text)
        elif part.get_content_maintype() == "text":
            plain.append(text)
    if plain:
        body = "\n\n".join(t.strip() for t in plain if t.strip())
    else:
        body = "\n\n".join(html_to_text(m) for m in markup)
    body = clean_text(body.replace("\r\n", "\n"))

    auto = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    auto_reason = f"Auto-Submitted: {auto}" if auto and auto != "no" else ""
    if not auto_reason:
        for name in ("X-Autoreply", "X-Autorespond"):
            if msg.get(name) is not None:
                auto_reason = name
        if msg.get_content_type() == "multipart/report":
            auto_reason = DELIVERY_REPORT
        elif _BOUNCE_SENDERS.match(from_address):
            auto_reason = f"{BOUNCE_SENDER}{from_address}"
    precedence = _header(msg, "Precedence").strip().lower()
    # Control characters are removed here, at the door (core.text): NUL from an unknown
    # charset's encoded word must reach neither the database nor the pages.
    return ParsedMail(
        from_address=clean_line(from_address),
        from_name=clean_line(from_name),
        subject=clean_line(_header(msg, "Subject")),
        text=body.strip(),
        attachments=tuple(attachments),
        message_id=message_id,
        in_reply_to=_ids(msg, "In-Reply-To"),
        references=_ids(msg, "References"),
        auto_submitted=auto_reason,
        bulk=precedence in _LOOP_PRECEDENCE,
        list_mail=msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None,
        defects=tuple(defects)
        + tuple(Defect(type(d).__name__) for d in getattr(msg, "defects", [])),
        charset_repair=repair,
    )
