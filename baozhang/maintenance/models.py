"""Planned maintenance (F6, M3, T3): a window of time in which some services are worked on,
announced to the customers who use them, and excluded from availability figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class WindowStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class MaintenanceWindow(models.Model):
    """``[start, end)`` during which ``services`` are under maintenance.

    Only scheduled windows count: they put monitors in maintenance and are excluded from
    availability. Whether a window is upcoming, in progress or over follows from the clock;
    ``completed_at`` is when customers were told it is over (once)."""

    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Public text: what is done and what customers will notice."),
    )
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), related_name="maintenance_windows"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    is_emergency = models.BooleanField(
        _("emergency"),
        default=False,
        help_text=_("Emergency work may be announced less than 24 hours ahead, with a reason."),
    )
    emergency_reason = models.TextField(_("reason for the emergency"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=WindowStatus.choices, default=WindowStatus.SCHEDULED
    )
    # Each reschedule is announced again; the revision keeps those notices apart.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completion announced at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["status", "start"], name="maint_status_start"),
            models.Index(fields=["status", "end"], name="maint_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="maint_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start:%Y-%m-%d %H:%M})"

    def display_title(self, language: str | None = None) -> str:
        """The title in ``language`` ("en" or "zh-hans"; by default the reader's, so that
        ``{{ window.display_title }}`` follows the page), falling back to the Chinese."""
        if language is None:
            language = get_language() or ""
        if language.startswith("en") and self.title_en:
            return self.title_en
        return self.title
