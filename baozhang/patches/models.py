"""Patches (补丁, M5): security advisories, the software installed on each asset, and per
asset and advisory whether the patch is pending, scheduled, installed or not applicable.

An :class:`Advisory` names a product (a package name as the inventory reports it), the
versions it affects (a spec, core/patches.py) and the version that fixes it. The
:class:`InstalledSoftware` of an asset is the last inventory reported for it (by the agent
script through the API, or imported). Matching the two makes one :class:`PatchStatus` per
affected asset, with its deadline by severity on the business calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baozhang.core.patches import Scheme, Severity


class SeverityLevel(models.TextChoices):
    CRITICAL = Severity.CRITICAL.value, _("Critical")
    HIGH = Severity.HIGH.value, _("High")
    MEDIUM = Severity.MEDIUM.value, _("Medium")
    LOW = Severity.LOW.value, _("Low")


class VersionScheme(models.TextChoices):
    DEBIAN = Scheme.DEBIAN.value, _("Debian (dpkg)")
    PEP440 = Scheme.PEP440.value, _("PEP 440 (Python)")


class AdvisorySource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    CSV = "csv", _("Imported from CSV")
    DEBIAN = "debian", _("Debian security tracker")


class Advisory(models.Model):
    reference = models.CharField(
        _("reference"),
        max_length=120,
        unique=True,
        help_text=_("The advisory's id (DSA-5678-1, a CVE id, the vendor's bulletin)."),
    )
    title = models.CharField(_("title"), max_length=300)
    product = models.CharField(
        _("product"), max_length=200, db_index=True, help_text=_("As the inventory names it.")
    )
    affected = models.CharField(
        _("affected versions"),
        max_length=300,
        blank=True,
        help_text=_(
            "Constraints joined by commas (>=2.0, <2.4.1); "
            "empty: every version below the fixed one."
        ),
    )
    fixed_version = models.CharField(_("fixed version"), max_length=120, blank=True)
    scheme = models.CharField(
        _("version scheme"),
        max_length=10,
        choices=VersionScheme.choices,
        default=VersionScheme.DEBIAN,
    )
    severity = models.CharField(_("severity"), max_length=10, choices=SeverityLevel.choices)
    cve_ids = models.JSONField(_("CVE ids"), default=list, blank=True)
    released_on = models.DateField(_("release date"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=AdvisorySource.choices, default=AdvisorySource.MANUAL
    )
    source_text = models.CharField(_("where it came from"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        ordering = ["-released_on", "-pk"]

    def __str__(self) -> str:
        return self.reference


class InventorySource(models.TextChoices):
    AGENT = "agent", _("Reported by the inventory agent")
    CSV = "csv", _("Imported from CSV")


class InstalledSoftware(models.Model):
    """One package or product installed on an asset, as last reported."""

    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.CASCADE,
        related_name="installed_software",
    )
    name = models.CharField(_("product"), max_length=200)
    version = models.CharField(_("version"), max_length=120)
    source = models.CharField(_("source"), max_length=10, choices=InventorySource.choices)
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("installed software")
        verbose_name_plural = _("installed software")
        ordering = ["asset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="one_installed_product")
        ]
        indexes = [models.Index(fields=["name"], name="installed_software_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class PatchState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SCHEDULED = "scheduled", _("Scheduled")
    INSTALLED = "installed", _("Installed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


OPEN_STATES = (PatchState.PENDING, PatchState.SCHEDULED)
SETTLED_STATES = (PatchState.INSTALLED, PatchState.NOT_APPLICABLE)


class PatchStatus(models.Model):
    """Whether one asset has the patch of one advisory. Its deadline counts from the
    moment the match was found (the operator cannot patch what it does not know of)."""

    advisory = models.ForeignKey(
        Advisory, verbose_name=_("advisory"), on_delete=models.CASCADE, related_name="statuses"
    )
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.CASCADE,
        related_name="patch_statuses",
    )
    state = models.CharField(
        _("status"),
        max_length=16,
        choices=PatchState.choices,
        default=PatchState.PENDING,
        db_index=True,
    )
    installed_version = models.CharField(_("version found"), max_length=120, blank=True)
    matched_at = models.DateTimeField(_("matched at"))
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    change_reference = models.CharField(
        _("change"),
        max_length=120,
        blank=True,
        help_text=_("The change request it is scheduled in."),
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    settled_at = models.DateTimeField(_("installed or judged at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("why not applicable"), blank=True)
    alarmed_at = models.DateTimeField(_("overdue alarm sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("patch status")
        verbose_name_plural = _("patch statuses")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["advisory", "asset"], name="one_patch_status"),
        ]

    def __str__(self) -> str:
        return f"{self.advisory} @ {self.asset_id}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
