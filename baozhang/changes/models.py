"""Change requests and emergency plans.

A :class:`ChangeRequest` is one software or configuration change or upgrade: what and why,
its risk, the services, customers and assets it touches, how it is rolled back, who asked
and who approved it (never the same person), when it is planned, the record of its
implementation and the review after it. States::

    draft → submitted → approved | rejected;  approved → implemented → reviewed
    draft | submitted | approved → cancelled

A change that was done without approval (found or recorded after the fact) is stored as
implemented with ``unauthorised`` set: it stays listed and counted (I2, 软件修改制度).

:class:`LowUsagePeriod` is a service's daily low-usage period (M3: upgrades at night); a
service without one uses 00:00–06:00 in the operator's time zone (core/changes.py).

An :class:`EmergencyPlan` (应急预案) says what to do in one kind of emergency; its
:class:`Drill` rows are the drills scheduled and held. Incidents recorded as emergencies
link the plan they used (``Incident.emergency_plan``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChangeKind(models.TextChoices):
    SOFTWARE = "software", _("Software change")
    CONFIGURATION = "configuration", _("Configuration change")
    UPGRADE = "upgrade", _("Upgrade")


class Risk(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class ChangeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")
    REVIEWED = "reviewed", pgettext_lazy("change", "Reviewed")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeResult(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Failed")


class ChangeRequest(models.Model):
    title = models.CharField(_("what is changed"), max_length=200)
    kind = models.CharField(_("kind of change"), max_length=16, choices=ChangeKind.choices)
    reason = models.TextField(_("why"))
    description = models.TextField(_("details"), blank=True)
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("affected services"), related_name="+", blank=True
    )
    customers = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("affected customers"),
        related_name="+",
        blank=True,
    )
    assets = models.ManyToManyField(
        "assets.Asset", verbose_name=_("affected assets"), related_name="+", blank=True
    )
    rollback_plan = models.TextField(_("rollback plan"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    outside_low_usage_reason = models.TextField(
        _("reason for working outside the low-usage period"), blank=True
    )
    maintenance_window = models.ForeignKey(
        "maintenance.MaintenanceWindow",
        verbose_name=_("maintenance window"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ChangeState.choices, default=ChangeState.DRAFT
    )
    unauthorised = models.BooleanField(
        _("done without approval"),
        default=False,
        help_text=_("Implemented without an approval: recorded as such and counted."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    implemented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("implemented by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    implemented_at = models.DateTimeField(_("implemented at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=ChangeResult.choices, blank=True)
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_notes = models.TextField(_("post-change review"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-planned_start", "-pk"]
        indexes = [
            models.Index(fields=["state", "planned_start"], name="change_state_start"),
            models.Index(fields=["unauthorised", "implemented_at"], name="change_unauth_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gt=models.F("planned_start")),
                name="change_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"CHG-{self.pk:05d}" if self.pk else "CHG-new"


def validate_time_zone(value: str) -> None:
    """An IANA time zone name (Asia/Shanghai), refused in both languages otherwise."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"未知时区 {value!r} / unknown time zone {value!r}") from None


class LowUsagePeriod(models.Model):
    """A service's daily low-usage period, local wall-clock times in ``time_zone``. An end
    not after the start crosses midnight (22:00–06:00)."""

    service = models.OneToOneField(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="low_usage_period",
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
    )

    class Meta:
        verbose_name = _("low-usage period")
        verbose_name_plural = _("low-usage periods")

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M} {self.time_zone}"


class EmergencyKind(models.TextChoices):
    MAJOR_OUTAGE = "major_outage", _("Major outage")
    POWER_FAILURE = "power_failure", _("Power failure")
    SECURITY_INCIDENT = "security_incident", _("Security incident")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    OTHER = "other", _("Other")


class EmergencyPlan(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of emergency"), max_length=20, choices=EmergencyKind.choices)
    kind_detail = models.CharField(
        _("kind, in words"),
        max_length=200,
        blank=True,
        help_text=_("Which emergency exactly (required for “Other”)."),
    )
    content = models.TextField(_("content and steps"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    drill_interval_days = models.PositiveSmallIntegerField(
        _("drill at least every (days)"), default=365
    )
    active = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class DrillResult(models.TextChoices):
    EFFECTIVE = "effective", _("The plan worked")
    PARTLY = "partly", _("Worked in part")
    INEFFECTIVE = "ineffective", _("Did not work")


class Drill(models.Model):
    """A drill of a plan: scheduled (``held_on`` empty), then recorded when held."""

    plan = models.ForeignKey(
        EmergencyPlan,
        verbose_name=_("emergency plan"),
        on_delete=models.CASCADE,
        related_name="drills",
    )
    scheduled_on = models.DateField(_("scheduled for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    plan_version = models.PositiveIntegerField(_("plan version drilled"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    result = models.CharField(_("result"), max_length=12, choices=DrillResult.choices, blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-scheduled_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.scheduled_on:%Y-%m-%d}"
