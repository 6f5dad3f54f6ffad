"""The backup register (备份登记, M2): per asset or system, what is backed up, how often,
how long it is kept, where, and who answers for it. Each entry has its own push monitor
(monitoring's heartbeat): the backup job pings it with the size and checksum of what it
wrote; a missing or failed backup turns the monitor down, which alarms like any monitor.
The judged pings are kept here as :class:`BackupReport` rows (the raw pings are pruned
after a few days; the agreement's frequency figure reads months)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EveryUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class BackupJob(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_jobs",
    )
    system = models.CharField(
        _("system"),
        max_length=200,
        blank=True,
        help_text=_("The system backed up, when it is no asset of the register."),
    )
    what = models.CharField(_("what is backed up"), max_length=300)
    every = models.PositiveIntegerField(_("every"))
    every_unit = models.CharField(_("unit"), max_length=8, choices=EveryUnit.choices)
    grace_minutes = models.PositiveIntegerField(
        _("grace (minutes)"),
        default=60,
        help_text=_("How late a backup may report before it counts as missing."),
    )
    retention_days = models.PositiveIntegerField(_("kept for (days)"))
    location = models.CharField(_("where it is stored"), max_length=300)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="backup_jobs",
    )
    monitor = models.OneToOneField(
        "monitoring.Monitor",
        verbose_name=_("heartbeat monitor"),
        on_delete=models.PROTECT,
        related_name="backup_job",
    )
    active = models.BooleanField(_("active"), default=True)
    rehearsal_plans = models.ManyToManyField(
        "upkeep.Plan",
        verbose_name=_("restore rehearsals"),
        related_name="rehearsed_backups",
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def interval(self) -> dt.timedelta:
        if self.every_unit == EveryUnit.DAYS:
            return dt.timedelta(days=self.every)
        return dt.timedelta(hours=self.every)


class ReportKind(models.TextChoices):
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    MISSED = "missed", _("missing (no report in time)")


class BackupReport(models.Model):
    """One report of a backup: a ping (succeeded or failed, with size and checksum when the
    job sent them) or a deadline without one (missed). Append-only."""

    job = models.ForeignKey(
        BackupJob, verbose_name=_("backup"), on_delete=models.CASCADE, related_name="reports"
    )
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("result"), max_length=10, choices=ReportKind.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    checksum = models.CharField(_("checksum"), max_length=140, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("backup report")
        verbose_name_plural = _("backup reports")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["job", "at"], name="backup_report_job_at")]

    def __str__(self) -> str:
        return f"{self.job} {self.at:%Y-%m-%d %H:%M} {self.kind}"
