"""Service-level agreements and their lifecycle (S1–S6): design, negotiation, targets,
exemption and penalty clauses, the data that measures them, and reviews."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATING = "negotiating", _("Negotiating")
    ACTIVE = "active", _("Active")
    UNDER_REVIEW = "under_review", _("Under review")
    ENDED = "ended", _("Ended")


# An agreement binds while it is active and while its final review runs.
IN_FORCE_STATUSES = frozenset({AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW})


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def in_force(self) -> AgreementQuerySet:
        """The agreements that bind now (IN_FORCE_STATUSES)."""
        return self.filter(status__in=IN_FORCE_STATUSES)


class Agreement(models.Model):
    customer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    # Named `organisation` by the scoping rule's convention through a property below.
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    service = models.TextField(_("service covered"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    monthly_fee = models.DecimalField(
        _("monthly fee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    review_started_at = models.DateTimeField(
        _("final review begun at"), null=True, blank=True, editable=False
    )
    quality_needs = models.TextField(
        _("customer's quality needs"),
        blank=True,
        help_text=_("What the customer needs from the service, in their words (S2)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def in_force(self) -> bool:
        """Whether the agreement binds now (IN_FORCE_STATUSES)."""
        return self.status in IN_FORCE_STATUSES

    def response_time_targets(self, clock: str) -> models.QuerySet[Target]:
        """The response-time targets of this agreement for one clock of the service desk
        (first_response, next_update or resolution)."""
        return self.targets.filter(kind=TargetKind.RESPONSE_TIME, clock=clock)

    @property
    def organisation(self):  # type: ignore[no-untyped-def]
        """The customer, under the name the event record and scoping rules use."""
        return self.customer


class Risk(models.Model):
    """A risk to the promise and how it is covered (S2)."""

    class Level(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("risk"), max_length=300)
    likelihood = models.CharField(_("likelihood"), max_length=8, choices=Level.choices)
    impact = models.CharField(_("impact"), max_length=8, choices=Level.choices)
    coverage = models.TextField(_("how it is covered"))

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class TargetKind(models.TextChoices):
    AVAILABILITY = "availability", _("Availability (%)")
    MAX_DOWNTIME = "max_downtime", _("Maximum downtime per period (minutes)")
    SUPPORT_HOURS = "support_hours", _("Support hours")
    RESPONSE_TIME = "response_time", _("Response / update / resolution time")
    MIN_COUNT = "min_count", _("Count (e.g. concurrent users at peak)")
    MAX_GAP = "max_gap", _("Frequency (e.g. a backup at least every N hours)")
    FREQUENCY_SHARE = (
        "frequency_share",
        _("Frequency: share of intervals of N hours with a successful report (e.g. backups)"),
    )


class TargetFamily(models.TextChoices):
    TIME = "time", _("time-based")
    COUNT = "count", _("count-based")
    FREQUENCY = "frequency", _("frequency-based")


FAMILY_OF = {
    TargetKind.AVAILABILITY: TargetFamily.TIME,
    TargetKind.MAX_DOWNTIME: TargetFamily.TIME,
    TargetKind.SUPPORT_HOURS: TargetFamily.TIME,
    TargetKind.RESPONSE_TIME: TargetFamily.TIME,
    TargetKind.MIN_COUNT: TargetFamily.COUNT,
    TargetKind.MAX_GAP: TargetFamily.FREQUENCY,
    TargetKind.FREQUENCY_SHARE: TargetFamily.FREQUENCY,
}
# Targets fed by heartbeats (observations without a value): a push monitor's pings.
FREQUENCY_KINDS = (TargetKind.MAX_GAP, TargetKind.FREQUENCY_SHARE)


class MeasuringPeriod(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


class Target(models.Model):
    """One promise of an agreement (S3), with its calendar, period and price."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    objective = models.DecimalField(
        _("objective"),
        max_digits=12,
        decimal_places=4,
        help_text=_(
            "Availability: percent (99.9). Maximum downtime: minutes. Response time: share of "
            "items within their limit, percent (100). Count: the minimum. Frequency: the "
            "longest allowed gap in hours (48); share of intervals: the interval in hours "
            "(48 for every 2 days)."
        ),
    )
    calendar_key = models.CharField(
        _("calendar"),
        max_length=60,
        default="24x7",
        help_text=_("The business calendar the target is measured on (24x7, cn-5x8, …)."),
    )
    period = models.CharField(
        _("measuring period"),
        max_length=8,
        choices=MeasuringPeriod.choices,
        default=MeasuringPeriod.MONTH,
    )
    priority_limits = models.JSONField(
        _("limits per priority"),
        default=dict,
        blank=True,
        help_text=_('Response time only: ISO 8601 durations per priority, e.g. {"P1": "PT30M"}.'),
    )
    clock = models.CharField(
        _("clock"),
        max_length=16,
        blank=True,
        choices=[
            ("first_response", _("first response")),
            ("next_update", _("next update")),
            ("resolution", _("resolution")),
        ],
        help_text=_("Response time only: which ticket clock the limits are for."),
    )
    aggregate = models.CharField(
        _("aggregate"),
        max_length=4,
        blank=True,
        choices=[("max", _("peak (maximum)")), ("min", _("lowest (minimum)"))],
    )
    estimated_monthly_cost = models.DecimalField(
        _("our estimated monthly cost to meet it"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    missed_credit_percent = models.DecimalField(
        _("credit when missed (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A flat service credit for a missed target without tiers."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def family(self) -> str:
        return FAMILY_OF[TargetKind(self.kind)]

    @property
    def family_label(self) -> str:
        return str(FAMILY_OF[TargetKind(self.kind)].label)


class PenaltyTier(models.Model):
    """Penalty clause (惩罚条款): below `threshold`, `credit_percent` of the period's fee."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="tiers")
    threshold = models.DecimalField(_("below"), max_digits=12, decimal_places=4)
    credit_percent = models.DecimalField(
        _("credit (percent of the fee)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("penalty tier")
        verbose_name_plural = _("penalty tiers")
        ordering = ["-threshold"]

    def __str__(self) -> str:
        return f"< {self.threshold} → {self.credit_percent}%"


class ExemptionKind(models.TextChoices):
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    CUSTOMER_CAUSED = "customer_caused", _("Caused by the customer")
    ANNOUNCED_MAINTENANCE = "announced_maintenance", _("Announced maintenance")
    THIRD_PARTY = "third_party", _("Third party outside our control")
    OTHER = "other", _("Other")


class ExemptionClause(models.Model):
    """Exemption clause (免责条款): a named kind of time that does not count against us."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    kind = models.CharField(_("kind"), max_length=24, choices=ExemptionKind.choices)
    text = models.TextField(_("clause text"))

    class Meta:
        verbose_name = _("exemption clause")
        verbose_name_plural = _("exemption clauses")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Exclusion(models.Model):
    """A span of time excluded under a clause; shown in every figure, never hidden."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="exclusions")
    clause = models.ForeignKey(ExemptionClause, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        ordering = ["start"]

    def __str__(self) -> str:
        return self.reason


class Downtime(models.Model):
    """A span when the service was down, as recorded (by hand now; by probes later)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="downtimes")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    description = models.CharField(_("description"), max_length=300)
    source = models.CharField(_("source"), max_length=40, default="manual")

    class Meta:
        verbose_name = _("downtime")
        verbose_name_plural = _("downtimes")
        ordering = ["start"]

    def __str__(self) -> str:
        return self.description


class Observation(models.Model):
    """A measured value of a count target, or a heartbeat of a frequency target."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="observations")
    at = models.DateTimeField(_("at"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.value if self.value is not None else ''}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review status", "Open")
    SIGNED = "signed", _("Signed by both sides")


class Review(models.Model):
    """S5: was the agreement met over a period, is the customer satisfied, what fees follow,
    an audit of our own process, and the signatures of both sides."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reviews")
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period until"))
    is_final = models.BooleanField(_("final review (ends the service)"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    verdicts = models.JSONField(_("verdicts"), default=list, blank=True)
    all_met = models.BooleanField(_("all targets met"), null=True, blank=True)
    credit_percent = models.DecimalField(
        _("service credit (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    credit_amount = models.DecimalField(
        _("service credit"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("customer satisfaction (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    process_audit = models.TextField(_("audit of our own process"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, null=True)
    operator_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the operator by"),
    )
    operator_signed_at = models.DateTimeField(_("operator signed at"), null=True, blank=True)
    customer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the customer by"),
    )
    customer_signed_at = models.DateTimeField(_("customer signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def organisation(self):  # type: ignore[no-untyped-def]
        return self.agreement.customer
