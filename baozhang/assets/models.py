"""The asset register (资产登记, I5, F8, X5): what the operator runs and keeps.

An :class:`Asset` is one unit — a server, a network device, a line (an egress link or a
circuit), a machine room or a rack, a unit of power and environment, a software system
(the network-management software, 网管软件, among them) — with its owner, place, make,
the people responsible for it, its role (primary or standby, F8), the time it must run
(7x24 or a business calendar), its warranty and its status. Services and customers that
depend on it are recorded here; the monitors that watch it and the incidents that name it
point at it from their own, higher, areas (``Monitor.registered_assets``,
``Incident.assets``). Technical documents are kept with versions (:class:`AssetDocument`,
append-only: a new version is a new row).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssetKind(models.TextChoices):
    SERVER = "server", _("Server")
    NETWORK_DEVICE = "network_device", _("Network device")
    LINE = "line", _("Line (egress link or circuit)")
    ROOM = "room", _("Machine room")
    RACK = "rack", _("Rack")
    UPS = "ups", _("UPS")
    PDU = "pdu", _("PDU")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    SENSOR = "sensor", _("Environment sensor")
    SOFTWARE = "software", _("Software system")
    NMS = "nms", _("Network-management software")
    OTHER = "other", pgettext_lazy("asset kind", "Other")


# Places other assets stand in.
PLACES = frozenset({AssetKind.ROOM, AssetKind.RACK})
# Q4(3) "servers and main equipment" (服务器及主要设备).
MAIN_EQUIPMENT = frozenset(
    {
        AssetKind.SERVER,
        AssetKind.NETWORK_DEVICE,
        AssetKind.UPS,
        AssetKind.PDU,
        AssetKind.AIR_CONDITIONING,
    }
)


class AssetStatus(models.TextChoices):
    CONSTRUCTION = "construction", _("In construction")
    IN_SERVICE = "in_service", _("In service")
    REPAIR = "repair", _("Under repair")
    RETIRED = "retired", _("Retired")


class AssetRole(models.TextChoices):
    """F8: an equipment fault is a primary or standby unit not running in its time."""

    NONE = "", _("Not applicable")
    PRIMARY = "primary", _("Primary")
    STANDBY = "standby", _("Standby")


# The required running time when no business calendar is named: all the time.
ALWAYS = "24x7"


class Asset(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssetStatus.choices,
        default=AssetStatus.IN_SERVICE,
        db_index=True,
    )
    owner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_assets",
        help_text=_("The operator, or the customer whose equipment it is."),
    )
    location = models.ForeignKey(
        "self",
        verbose_name=_("room or rack"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contents",
        limit_choices_to={"kind__in": sorted(PLACES)},
    )
    location_text = models.CharField(_("location"), max_length=200, blank=True)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    address = models.CharField(_("management address"), max_length=100, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=AssetRole.choices, default=AssetRole.NONE, blank=True
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A critical asset needs at least two responsible people (X5)."),
    )
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible people"),
        related_name="responsible_assets",
        blank=True,
    )
    required_time = models.CharField(
        _("required running time"),
        max_length=60,
        default=ALWAYS,
        help_text=_("24x7, or the key of a business calendar."),
    )
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    services = models.ManyToManyField(
        "catalog.Service",
        verbose_name=_("services that depend on it"),
        related_name="assets",
        blank=True,
    )
    customers = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("customers that depend on it"),
        related_name="dependent_assets",
        blank=True,
    )
    # Lines
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    bandwidth_mbps = models.PositiveIntegerField(_("bandwidth (Mbit/s)"), null=True, blank=True)
    end_a = models.CharField(_("end A"), max_length=200, blank=True)
    end_b = models.CharField(_("end B"), max_length=200, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=60,
        blank=True,
        help_text=_("Its id in another register (a NetBox device's ID)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "status"], name="asset_kind_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def where(self) -> str:
        """The room or rack's name, else the location text."""
        if self.location_id is not None:
            return str(self.location)
        return self.location_text


def document_path(instance: AssetDocument, filename: str) -> str:
    return f"asset-documents/{instance.asset_id}/{filename[-100:] or 'document'}"


class AssetDocument(models.Model):
    """One version of one technical document of an asset (I5). Append-only: a new
    version of the same title is a new row, the earlier ones stay readable."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"))
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("technical document")
        verbose_name_plural = _("technical documents")
        ordering = ["asset", "title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "title", "version"], name="one_asset_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConstructionProject(models.Model):
    """A construction project (工程, I6): the contractor builds, the operator's maintenance
    takes over. Its assets stay "in construction" until the handover is accepted (验收) by
    a person of the operations side; the acceptance puts them in service."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    contractor = models.CharField(_("contractor"), max_length=200)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible people"),
        related_name="construction_projects",
        blank=True,
        help_text=_("The project's own people (they do not accept its handover)."),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    assets = models.ManyToManyField(
        Asset, verbose_name=_("assets"), related_name="construction_projects", blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handover accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("handover accepted at"), null=True, blank=True)
    acceptance_note = models.CharField(_("acceptance remark"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("construction project")
        verbose_name_plural = _("construction projects")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class AcceptanceTest(models.Model):
    """One acceptance test of a project (验收测试): an item, its requirement, what was
    measured and whether it passed, by whom and when."""

    project = models.ForeignKey(
        ConstructionProject,
        verbose_name=_("construction project"),
        on_delete=models.CASCADE,
        related_name="tests",
    )
    item = models.CharField(_("item"), max_length=200)
    requirement = models.CharField(_("requirement"), max_length=300)
    measured = models.CharField(_("measured / result"), max_length=300)
    passed = models.BooleanField(_("passed"))
    tester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    tested_on = models.DateField(_("tested on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance test")
        verbose_name_plural = _("acceptance tests")
        ordering = ["tested_on", "id"]

    def __str__(self) -> str:
        return self.item


class HandoverTopic(models.TextChoices):
    DOCUMENTS = "documents", _("Documents handed over")
    SPARE_PARTS = "spare_parts", _("Spare parts")
    TRAINING = "training", _("Training")
    MONITORING = "monitoring", _("Monitoring configured")
    BACKUP = "backup", _("Backups configured")
    OTHER = "other", pgettext_lazy("handover item", "Other")


class HandoverItem(models.Model):
    """One item of the handover checklist (移交清单), checked by a named person."""

    project = models.ForeignKey(
        ConstructionProject,
        verbose_name=_("construction project"),
        on_delete=models.CASCADE,
        related_name="handover_items",
    )
    topic = models.CharField(_("topic"), max_length=16, choices=HandoverTopic.choices)
    text = models.CharField(_("what is handed over"), max_length=300)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
