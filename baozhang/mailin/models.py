"""Inbound e-mail: the IMAP mailboxes we poll and every message that came in, kept raw."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from baozhang.core.bilingual import one_language
from baozhang.events.text import render


class Security(models.TextChoices):
    SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (loopback and tests only)")


class Mailbox(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("TLS mode"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user"), max_length=200)
    password = models.CharField(_("password"), max_length=200, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    default_customer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("default customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tickets from senders we cannot match go to this customer; empty: quarantine."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_uid = models.PositiveBigIntegerField(_("last UID fetched"), default=0)
    # A lease, so that two workers never poll one mailbox at once.
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")
    IGNORED = "ignored", _("Ignored")


class InboundSource(models.TextChoices):
    STDIN = "stdin", _("mail-in (MTA pipe)")
    IMAP = "imap", _("IMAP")


class InboundMessage(models.Model):
    """One raw message as it came, before anything else happens to it (never lost)."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=InboundSource.choices)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    raw = models.FileField(_("raw message"), upload_to="mailin/%Y/%m/")
    size = models.PositiveBigIntegerField(_("size"))
    raw_truncated = models.BooleanField(_("raw message truncated"), default=False)
    sha256 = models.CharField(max_length=64, db_index=True)
    email_message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True, db_index=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InboundStatus.choices,
        default=InboundStatus.RECEIVED,
        db_index=True,
    )
    # Why the message is where it is, in English (searches, the raw record); what people
    # read is ``reason_parts``: one sentence per step (quarantined, released, opened,
    # ignored …), each a message of the catalogue and its parameters
    # (``{"said": msgid, "params": …}``, events/text.py) said in the reader's language, or
    # ``{"text": …}`` for a reason stored before as written. Empty parts (rows older than
    # migration 0003 whose form was unknown): ``reason`` read through one_language.
    reason = models.TextField(_("reason"), blank=True)
    reason_parts = models.JSONField(
        _("reason as said"), default=list, blank=True, encoder=DjangoJSONEncoder
    )
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_emails",
    )
    message = models.ForeignKey(
        "desk.TicketMessage",
        verbose_name=_("ticket message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged = models.BooleanField(_("acknowledged"), default=False)
    # Set when the body's declared charset did not read it and another reading was taken
    # (parsing.decode): what the mail said, what it was read as, how many bytes were lost.
    # The raw message above keeps the bytes as they came.
    charset_declared = models.CharField(_("declared charset"), max_length=40, blank=True)
    charset_read = models.CharField(_("charset read as"), max_length=40, blank=True)
    charset_lost = models.PositiveIntegerField(_("bytes replaced"), default=0)

    @property
    def charset_repaired(self) -> bool:
        return bool(self.charset_read)

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language, one sentence per step."""
        return reason_in_words(self.reason_parts, self.reason)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["from_address", "received_at"])]

    def __str__(self) -> str:
        return f"{self.from_address or '?'}: {self.subject or '—'}"


_END = (".", "。", "!", "！", "?", "？")


def reason_in_words(parts: list[Any] | None, fallback: str = "") -> str:
    """Stored reason parts (see ``InboundMessage.reason``) in the active language, each a
    sentence; no parts: ``fallback`` in the reader's half when it is a glued pair."""
    language = get_language() or ""
    if not parts:
        return one_language(fallback, language)
    chinese = not language.startswith("en")
    text = ""
    for part in parts:
        if isinstance(part, dict) and "said" in part:
            sentence = render(str(part["said"]), part.get("params"))
        else:
            typed = part.get("text", "") if isinstance(part, dict) else part
            sentence = one_language(str(typed), language)
        sentence = sentence.strip()
        if not sentence:
            continue
        if not sentence.endswith(_END):  # typed words at the end (an exception's text)
            sentence += "。" if chinese else "."
        # Chinese sentences follow each other without a space.
        glue = "" if chinese and text.endswith(("。", "！", "？")) else " "
        text = f"{text}{glue}{sentence}" if text else sentence
    return text
