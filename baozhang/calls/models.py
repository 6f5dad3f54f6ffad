"""The call log (D1): calls on the service hotline, the free 800 number and faxes, logged
by agents. Offered and answered inbound calls give the connection rate (接通率, D2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CallChannel(models.TextChoices):
    # The same values as desk.Channel, so a call's ticket carries its channel unchanged.
    HOTLINE = "hotline", _("Service hotline")
    FREE_800 = "free_800", _("800 number")
    FAX = "fax", _("Fax")


class Direction(models.TextChoices):
    IN = "in", _("Inbound")
    OUT = "out", _("Outbound")


class CallRecord(models.Model):
    channel = models.CharField(_("channel"), max_length=10, choices=CallChannel.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    caller_name = models.CharField(_("caller"), max_length=200, blank=True)
    number = models.CharField(_("number"), max_length=50, blank=True)
    customer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    started_at = models.DateTimeField(_("time"), db_index=True)
    answered = models.BooleanField(_("answered"), default=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls_taken",
    )
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    note = models.TextField(_("note"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    logged_at = models.DateTimeField(_("logged at"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["direction", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.number or self.caller_name or '?'}"

    @property
    def organisation(self):  # type: ignore[no-untyped-def]
        return self.customer
