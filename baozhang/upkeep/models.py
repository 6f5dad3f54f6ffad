"""Maintenance plans and work orders (维护作业计划与工单, M1, I4).

A :class:`Plan` says what is maintained (the item), how often (the period, on calendar
days or on a business calendar), on which assets (the quantity), how (its
:class:`PlanStep` checklist, each step with its technical requirement), by whom (the
responsible team, and the people above it for escalation) and within what time limit.

A :class:`WorkOrder` is one plan's work on one asset for one period (unique: generating
twice creates nothing twice). Its :class:`WorkRecord` rows are the original record (原始记
录), append-only: version 1 is what the performer recorded and signed; a correction is a
new version with its reason, and the earlier versions stay readable. Each version holds
one :class:`Reading` per step (the measured value, the requirement as it stood, the
verdict) and may add :class:`Photo` files. Acceptance (验收) is signed on the work order by
a second person who performed no version of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baozhang.core.upkeep import PeriodKind, RequirementKind, Verdict
from baozhang.events.text import render


class Period(models.TextChoices):
    DAILY = PeriodKind.DAILY.value, _("Daily")
    WEEKLY = PeriodKind.WEEKLY.value, _("Weekly")
    MONTHLY = PeriodKind.MONTHLY.value, _("Monthly")
    QUARTERLY = PeriodKind.QUARTERLY.value, _("Quarterly")
    YEARLY = PeriodKind.YEARLY.value, _("Yearly")
    EVERY_N_DAYS = PeriodKind.EVERY_N_DAYS.value, _("Every N days")


class Requirement(models.TextChoices):
    RANGE = RequirementKind.RANGE.value, _("A range")
    VALUE = RequirementKind.VALUE.value, _("A value")
    YES_NO = RequirementKind.YES_NO.value, _("Yes or no")


class Outcome(models.TextChoices):
    PASS = Verdict.PASS.value, _("Pass")
    FAIL = Verdict.FAIL.value, _("Fail")
    MISSING = Verdict.MISSING.value, _("Not measured")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To do")
    RECORDED = "recorded", _("Recorded, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")


class Plan(models.Model):
    item = models.CharField(_("maintenance item"), max_length=200)
    # A plan the platform made (a backup's restore rehearsal) keeps its item as a message
    # of the catalogue and its parameters (events/text.py), read in each reader's
    # language; ``item`` then holds the English text (sorting, searching). Empty for a
    # plan typed by a person: its item is shown as written.
    item_said = models.CharField(max_length=200, blank=True, editable=False)
    item_params = models.JSONField(null=True, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    every_days = models.PositiveSmallIntegerField(
        _("every N days"), null=True, blank=True, help_text=_("Only for “every N days”.")
    )
    calendar_key = models.CharField(
        _("business calendar"),
        max_length=60,
        blank=True,
        help_text=_("Empty: calendar days. A calendar's key (cn-5x8 …): working days."),
    )
    starts_on = models.DateField(_("first day"))
    assets = models.ManyToManyField(
        "assets.Asset", verbose_name=_("assets"), related_name="upkeep_plans"
    )
    team_name = models.CharField(_("responsible team"), max_length=100)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team members"),
        related_name="upkeep_teams",
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalate to"),
        related_name="upkeep_supervised",
        blank=True,
        help_text=_("The level above the team, told when a work order is late."),
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"),
        help_text=_("Days from the start of the period (working days on a business calendar)."),
    )
    lead_days = models.PositiveSmallIntegerField(_("generated ahead (days)"), default=7)
    warn_hours = models.PositiveSmallIntegerField(_("warn before the limit (hours)"), default=24)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.item_text

    @property
    def item_text(self) -> str:
        """The item in the reader's language when the platform wrote it, else as typed."""
        return render(self.item_said, self.item_params) if self.item_said else self.item


class PlanStep(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    # True: ``title`` is a message of the catalogue (a step the platform wrote), read in
    # each reader's language; else the operator's text, shown as typed.
    title_said = models.BooleanField(default=False, editable=False)
    requirement = models.CharField(
        _("technical requirement"), max_length=8, choices=Requirement.choices
    )
    low = models.DecimalField(_("low"), max_digits=14, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    tolerance = models.DecimalField(_("tolerance"), max_digits=14, decimal_places=4, default=0)
    expected_yes = models.BooleanField(_("expected answer is yes"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="upkeep_step_position")
        ]

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        return gettext(self.title) if self.title_said else self.title


class WorkOrder(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="work_orders")
    asset = models.ForeignKey(
        "assets.Asset",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("asset"),
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"), help_text=_("The first day after it."))
    due_at = models.DateTimeField(_("time limit"), db_index=True)
    warn_at = models.DateTimeField(_("warn at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="upkeep_orders",
        verbose_name=_("assigned to"),
    )
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    performed_at = models.DateTimeField(_("signed by the performer at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_version = models.PositiveSmallIntegerField(
        _("accepted version"), null=True, blank=True
    )
    acceptance_remark = models.TextField(_("acceptance remark"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "asset", "period_start"], name="upkeep_one_order_per_period"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="upkeep_order_status_due")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"WO-{self.pk}"


class WorkRecord(models.Model):
    """One version of a work order's original record. Never changed once written."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="records")
    version = models.PositiveSmallIntegerField(_("version"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    signed = models.BooleanField(_("signed by the performer"), default=False)
    remarks = models.TextField(_("remarks"), blank=True)
    reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        verbose_name = _("original record")
        verbose_name_plural = _("original records")
        ordering = ["work_order", "version"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "version"], name="upkeep_record_version")
        ]

    def __str__(self) -> str:
        return f"{self.work_order.reference} v{self.version}"


class Reading(models.Model):
    """A step's measured value in one version of the record, with the requirement as it
    stood when it was recorded (a plan changed later does not rewrite the record)."""

    record = models.ForeignKey(WorkRecord, on_delete=models.PROTECT, related_name="readings")
    step = models.ForeignKey(
        PlanStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    title_said = models.BooleanField(default=False, editable=False)  # as PlanStep's
    requirement_text = models.CharField(_("technical requirement"), max_length=100)
    number = models.DecimalField(
        _("measured value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    answer = models.BooleanField(_("answer"), null=True, blank=True)
    outcome = models.CharField(_("result"), max_length=8, choices=Outcome.choices)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["record", "position"]

    def __str__(self) -> str:
        return f"{self.title_text}: {self.outcome}"

    @property
    def title_text(self) -> str:
        return gettext(self.title) if self.title_said else self.title


def photo_path(instance: Photo, filename: str) -> str:
    return f"upkeep/{instance.record.work_order_id}/{filename}"


class Photo(models.Model):
    record = models.ForeignKey(WorkRecord, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.filename
