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
