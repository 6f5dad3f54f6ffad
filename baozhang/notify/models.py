from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.models import Language
from baozhang.notify.errors import shown


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")
    WECOM = "wecom", _("WeCom group bot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu bot")
    SMS = "sms", _("SMS gateway")


class Channel(models.Model):
    """Where notifications for one organisation, or one person, are sent.

    Exactly one of `organisation` and `user` is set. `config` holds the kind's settings
    (validated by `baozhang.notify.channels.clean_config`), secrets included, so the admin
    and the API never show it back in full.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="notify_channels",
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_channels",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Leave empty to use the organisation's or the person's language."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, user__isnull=True)
                    | models.Q(organisation__isnull=True, user__isnull=False)
                ),
                name="notify_channel_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DEAD = "dead", _("undeliverable")


class Message(models.Model):
    """One notification in the transactional outbox.

    Subject and body are rendered when the message is enqueued, so every retry sends the
    same text. `next_attempt_at` is when a worker may next claim the row: for a pending
    message the next try, for a message being sent the end of the sender's lease (after
    which a killed worker's message is claimed again).
    """

    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="messages"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="notify_messages",
        null=True,
        blank=True,
    )
    template_key = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    # E-mail channels only (services.enqueue refuses them for other kinds): a recipient
    # instead of the channel's "to" addresses, and extra mail headers (In-Reply-To,
    # References, Auto-Submitted …). Empty: the channel's own recipients, no extra headers.
    recipient = models.EmailField(_("recipient"), max_length=254, blank=True, default="")
    headers = models.JSONField(_("extra mail headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_by = models.CharField(_("locked by"), max_length=200, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Why the last try failed (notify.errors): the platform's message and its parameters,
    # said in the reader's language, and the channel's own text as given.
    last_error_id = models.CharField(_("last error message"), max_length=300, blank=True)
    last_error_params = models.JSONField(_("last error parameters"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification message")
        verbose_name_plural = _("notification messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.channel_id} [{self.status}]"

    @property
    def last_error_text(self) -> str:
        """Why the last try failed, in the active language."""
        return shown(self.last_error_id, self.last_error_params, self.last_error)


class DeliveryAttempt(models.Model):
    """One try at sending a message. `ok` is None while the try runs; a try whose worker
    was killed stays None for ever and is shown as interrupted."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200)
    ok = models.BooleanField(_("succeeded"), null=True)
    # As Message.last_error*: the platform's message and the channel's own text.
    error_id = models.CharField(_("error message"), max_length=300, blank=True)
    error_params = models.JSONField(_("error parameters"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message", "number", "id"]

    def __str__(self) -> str:
        return f"#{self.number} {self.worker} {self.ok}"

    @property
    def error_text(self) -> str:
        """Why this try failed, in the active language."""
        return shown(self.error_id, self.error_params, self.error)


class UnreachedReason(models.TextChoices):
    NO_CHANNEL = "no_channel", _("no enabled notification channel")
    NO_ADDRESS = "no_address", _("no personal channel and no e-mail address")
    NO_SENDER = "no_sender", _("no personal channel, and no operator e-mail channel to send from")
    NO_ONE = "no_one", _("no one to tell")


class Unreached(models.Model):
    """A notice that reached no one: the organisation (or the person) it was for had no
    channel that could carry it. Written in the transaction of the change that caused the
    notice, beside the messages it would have had, so that pages and events say what
    happened ("not notified") instead of "told", and staff see it to fix.

    One row per notice and recipient (``dedup_key``). Organisation rows name the
    organisation; person rows the person (and their organisation); ``no_one`` rows neither
    (``label`` says whom: a level of the desk with nobody in its group)."""

    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    template_key = models.CharField(_("template"), max_length=100)
    reason = models.CharField(_("reason"), max_length=16, choices=UnreachedReason.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="unreached_notices",
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="unreached_notices",
        null=True,
        blank=True,
    )
    label = models.CharField(_("whom"), max_length=200, blank=True)
    # What the notice was about, as events name it ("desk.ticket", "12", "T-2026-0001 …").
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice not delivered")
        verbose_name_plural = _("notices not delivered")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="notify_unreached_about"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} ✗ {self.user_id or self.organisation_id or self.label}"
