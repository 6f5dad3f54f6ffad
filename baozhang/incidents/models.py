"""Incidents (faults, F1–F10): what broke, who it hurt, how it was handled and what we
learnt (Q2). The status page reads these models; services.py changes them."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from baozhang.analysis.models import Action, SubjectKind
from baozhang.analysis.selectors import actions_of
from baozhang.core.bilingual import one_language
from baozhang.events.text import render


class IncidentStatus(models.TextChoices):
    """The fault process of F1, in order; an incident only moves forward."""

    DETECTED = "detected", pgettext_lazy("incident status", "Detected")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident status", "Acknowledged")
    DISPATCHED = "dispatched", pgettext_lazy("incident status", "Engineer dispatched")
    MITIGATED = "mitigated", pgettext_lazy("incident status", "Mitigated")
    RESOLVED = "resolved", pgettext_lazy("incident status", "Resolved")
    REVIEWED = "reviewed", pgettext_lazy("incident status", "Reviewed")


# The lifecycle order; the index of a status is how far along the process it is.
LIFECYCLE: tuple[str, ...] = tuple(IncidentStatus.values)
# Still being worked on: the customer's service is not restored yet.
OPEN_STATUSES = frozenset(LIFECYCLE[: LIFECYCLE.index(IncidentStatus.RESOLVED)])


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


# F2/F9: the restore target by severity, in minutes ("recovery within 30 minutes").
RESTORE_TARGET_MINUTES: dict[str, int] = {
    Severity.CRITICAL: 30,
    Severity.MAJOR: 120,
    Severity.MINOR: 480,
}
DEFAULT_RESTORE_TARGET_MINUTES = 30


class Classification(models.TextChoices):
    """The fault classes of F8 (responsibility is a separate axis)."""

    SERVER_DISCONNECTION = "server_disconnection", _("Server disconnection")
    EQUIPMENT_FAULT = (
        "equipment_fault",
        _("Equipment fault (primary or standby not running in its required time)"),
    )
    EGRESS_LINK = "egress_link", _("Egress-link fault")
    HUMAN_CAUSED = "human_caused", _("Human-caused fault")
    MAJOR_OUTAGE = "major_outage", _("Major outage")
    SOFTWARE = "software", _("Software fault")
    OTHER = "other", _("Other")


class Responsibility(models.TextChoices):
    INSIDE = "inside", _("Inside the operations department's responsibility")
    OUTSIDE = "outside", _("Outside the operations department's responsibility")


class Source(models.TextChoices):
    MONITOR = "monitor", _("Monitoring")
    MANUAL = "manual", _("Entered by hand")
    TICKET = "ticket", _("Customer ticket")


class Incident(models.Model):
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=IncidentStatus.choices,
        default=IncidentStatus.DETECTED,
        db_index=True,
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.CRITICAL
    )
    restore_target_minutes = models.PositiveIntegerField(
        _("restore target (minutes)"),
        default=DEFAULT_RESTORE_TARGET_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 90)],
    )
    restore_due_at = models.DateTimeField(_("restore due at"), db_index=True)
    # Set once by the periodic check when the incident passed restore_due_at unresolved.
    restore_missed_at = models.DateTimeField(_("restore target missed at"), null=True, blank=True)
    classification = models.CharField(
        _("classification"),
        max_length=24,
        choices=Classification.choices,
        default=Classification.SERVER_DISCONNECTION,
    )
    responsibility = models.CharField(
        _("responsibility"),
        max_length=10,
        choices=Responsibility.choices,
        default=Responsibility.INSIDE,
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    is_public = models.BooleanField(
        _("on the status page"),
        default=True,
        help_text=_("Shown with its public updates on the public status page."),
    )
    is_emergency = models.BooleanField(_("emergency event"), default=False)
    emergency_procedure = models.TextField(_("emergency procedure applied"), blank=True)
    # The emergency plan (应急预案) the event was handled by; the text above keeps the notes.
    emergency_plan = models.ForeignKey(
        "changes.EmergencyPlan",
        verbose_name=_("emergency plan used"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    detected_at = models.DateTimeField(_("detected at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    mitigated_at = models.DateTimeField(_("mitigated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_incidents",
    )
    dispatch_location = models.CharField(_("dispatched to"), max_length=200, blank=True)
    dispatch_note = models.TextField(_("dispatch note"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    customers = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("affected customers"),
        related_name="incidents",
        blank=True,
    )
    monitors = models.ManyToManyField(
        "monitoring.Monitor", verbose_name=_("monitors"), related_name="incidents", blank=True
    )
    assets = models.ManyToManyField(
        "assets.Asset",
        verbose_name=_("assets involved"),
        related_name="incidents",
        blank=True,
        help_text=_("Equipment, lines or systems of the asset register the fault is on."),
    )
    tickets = models.ManyToManyField(
        "desk.Ticket", verbose_name=_("tickets"), related_name="incidents", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["service", "status"], name="incident_service_status")]

    def __str__(self) -> str:
        """Reference and title, the title in the reader's language (:attr:`title_text`);
        a record that is kept (an event) names the incident by :attr:`label`."""
        return f"{self.reference} {self.title_text}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def title_text(self) -> str:
        """The title as staff read it, in the reader's language (:func:`title_in`)."""
        return title_in(self, get_language())

    @property
    def label(self) -> str:
        """The incident as a stored record names it, whole in either language: its
        reference and a typed title; a title monitoring wrote (both languages glued) is
        left out, the reference alone."""
        if self.source == Source.MONITOR:
            return self.reference
        return f"{self.reference} {self.title}"[:200]

    @property
    def resolution_text(self) -> str:
        """The resolution in the reader's language: one of ours is kept as the pair
        ``中文 / English`` of a message of the catalogue and read in the reader's half;
        typed text (even a pair a person wrote) reads as written."""
        return resolution_in(self.resolution, get_language())


def title_in(incident: Incident, language: str | None) -> str:
    """An incident's title in ``language``. Monitoring writes ``<name>: <reason>``, the
    name its service's in both languages (``网站托管 / Web hosting``) and the reason the
    monitor's in both (``1 of 1 regions down … / 1 个区域中 1 个判定故障 …``): the service
    is named in ``language`` and the reason read in its half. A typed title as written."""
    title = incident.title
    if incident.source != Source.MONITOR:
        return title
    service = incident.service
    name, rest = "", title
    if service is not None:
        both = f"{service.name} / {service.name_en}" if service.name_en else ""
        for stored in (both, service.name):
            if stored and title.startswith(stored) and title[len(stored) :][:2] in ("", ": "):
                name, rest = service.display_name(language or ""), title[len(stored) :]
                break
    if not name:
        return glued_title_in(title, language)
    if not rest.startswith(": "):
        return name + rest
    return f"{name}: {one_language(rest[2:], language)}"


def glued_title_in(title: str, language: str | None) -> str:
    """A title monitoring wrote, read in ``language`` from its text alone (an event's
    record of it, where the service may have changed since): ``<name>: <reason>``, each
    part that is a ``中文 / English`` pair in its half; other text as written."""
    if " / " not in title:
        return title
    at = title.find(": ")
    while at != -1:
        name, reason = title[:at], title[at + 2 :]
        shown = one_language(name, language)
        if shown != name or " / " not in name:
            return f"{shown}: {one_language(reason, language)}"
        at = title.find(": ", at + 2)
    return one_language(title, language)


def resolution_in(text: str, language: str) -> str:
    """``text`` in ``language`` when it is exactly one of our messages in both languages
    (``中文 / English``), else as written."""
    english = one_language(text, "en")
    with translation.override("zh-hans"):
        chinese = gettext(english)
    if chinese == english or text != f"{chinese} / {english}":
        return text
    return one_language(text, language)


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline (F4). Public ones go to the affected customers
    and the status page; internal notes stay with the operator's staff."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="updates"
    )
    at = models.DateTimeField(_("at"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices)
    message = models.TextField(_("message"))
    # A text of ours (a msgid of the catalogue and its parameters), said again in each
    # reader's language; blank for text a person typed, kept in ``message`` as written.
    text_id = models.CharField(_("message id"), max_length=300, blank=True)
    params = models.JSONField(
        _("message parameters"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("incident update")
        verbose_name_plural = _("incident updates")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def author_label(self) -> str:
        return str(self.author) if self.author_id else "system"

    @property
    def text(self) -> str:
        """The entry in the reader's language: our message said again, or typed text as
        written (an entry of ours stored ``中文 / English`` before, in the reader's half)."""
        if self.text_id == GLUED:
            return one_language(self.message, get_language())
        if self.text_id:
            return render(self.text_id, self.params)
        return self.message


# ``text_id`` of an entry of ours written before entries kept their message and parameters
# (migration 0006): its ``中文 / English`` text is read in the reader's half.
GLUED = "glued"


def text_in(entry: IncidentUpdate, language: str) -> str:
    """What a timeline entry says to a reader of ``language``."""
    with translation.override(language):
        return entry.text


class IncidentReview(models.Model):
    """The after-action review of one resolved incident (Q2): cause and prevention."""

    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="review"
    )
    cause = models.TextField(_("root cause"))
    prevention = models.TextField(_("preventive measures"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    class Meta:
        verbose_name = _("incident review")
        verbose_name_plural = _("incident reviews")

    def __str__(self) -> str:
        return f"{self.incident.reference} review"

    @property
    def actions(self) -> QuerySet[Action]:
        """The review's corrective and preventive actions: those of the incident's cause
        analysis, the one tracker (baozhang/analysis; moved there by migration 0003)."""
        return actions_of(SubjectKind.INCIDENT, self.incident_id)
