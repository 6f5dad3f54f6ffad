"""Frozen quality reports (Q1): the figures of a closed period as they were approved.

A :class:`FrozenReport` is written once and never changed: its statistics, the versions
of the records behind them, and the SHA-256 digest over both
(:mod:`baozhang.core.frozen_report`). It is frozen once a second person, not its
preparer, approves it (:class:`FrozenReportApproval`, a row of its own, so that the
snapshot itself is never updated). A correction is a new snapshot that ``amends`` the
original, with its reason; the original stays. The database refuses to update either
table (migration 0002), as it does for events.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class FrozenReportError(Exception):
    """Raised when code tries to edit or delete a frozen report (Q1)."""


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise FrozenReportError("a frozen report cannot be changed / 已冻结的报表不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise FrozenReportError("a frozen report cannot be deleted / 已冻结的报表不能删除")


class FrozenReport(_AppendOnly):
    period_label = models.CharField(_("period"), max_length=40)
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    customer_id = models.PositiveIntegerField(_("customer"), null=True, blank=True)
    service_id = models.PositiveIntegerField(_("service"), null=True, blank=True)
    statistics = models.JSONField(_("statistics"), encoder=DjangoJSONEncoder)
    records = models.JSONField(_("record versions"), encoder=DjangoJSONEncoder)
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    reason = models.TextField(_("reason for the amendment"), blank=True)

    class Meta:
        verbose_name = _("frozen quality report")
        verbose_name_plural = _("frozen quality reports")
        ordering = ["period_start", "prepared_at", "pk"]

    def __str__(self) -> str:
        return f"{self.period_label} #{self.pk}"


class FrozenReportApproval(_AppendOnly):
    report = models.OneToOneField(
        FrozenReport,
        on_delete=models.PROTECT,
        related_name="approval",
        verbose_name=_("report"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("approval of a frozen report")
        verbose_name_plural = _("approvals of frozen reports")

    def __str__(self) -> str:
        return f"{self.report} ✓ {self.approved_by_id}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ReportDraft(models.Model):
    """The quality report of a closed month, quarter or year, drafted by the periodic job
    (quality/submissions.py) once the period closes and assigned to the person who
    prepares it, with its deadline on the operator's business calendar. ``statistics``:
    the figures as they were when drafted (the report itself is frozen and approved
    through FrozenReport). One draft per period: a second run drafts nothing new."""

    period_label = models.CharField(_("period"), max_length=40, unique=True)
    kind = models.CharField(_("kind of period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    statistics = models.JSONField(_("statistics when drafted"), encoder=DjangoJSONEncoder)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due at"))
    calendar_key = models.CharField(_("calendar"), max_length=64)
    created_at = models.DateTimeField(_("drafted at"))

    class Meta:
        verbose_name = _("quality report draft")
        verbose_name_plural = _("quality report drafts")
        ordering = ["-period_end", "kind"]

    def __str__(self) -> str:
        return self.period_label


class SubmissionMethod(models.TextChoices):
    PORTAL = "portal", _("Portal upload")
    EMAIL = "email", _("E-mail")
    PAPER = "paper", _("Paper")
    OTHER = "other", _("Other")


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"


class Submission(_AppendOnly):
    """A record that an approved frozen report was sent to the competent authority: to
    whom, when, how, by whom, the format of the file and the SHA-256 digest of the file
    sent. A record of truth: never changed nor deleted (the database refuses, migration
    0004); a correction is a new record."""

    report = models.ForeignKey(
        FrozenReport,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("frozen report"),
    )
    recipient = models.CharField(_("sent to"), max_length=200)
    submitted_at = models.DateTimeField(_("sent at"))
    method = models.CharField(_("how"), max_length=10, choices=SubmissionMethod.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    file_format = models.CharField(_("file format"), max_length=10, choices=FileFormat.choices)
    sha256 = models.CharField(_("SHA-256 of the file sent"), max_length=64)
    reference = models.CharField(_("receipt or reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("submission of a quality report")
        verbose_name_plural = _("submissions of quality reports")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient}"
