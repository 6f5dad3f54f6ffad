"""Cause analysis (Q2, S4): the one tracker of corrective and preventive actions.

Each analysed subject — a fault (an incident) or an upheld complaint (a desk ticket) — has
one :class:`Analysis`: its cause category from the operator's taxonomy
(:class:`CauseCategory`), its root cause, and its :class:`Action` rows (corrective or
preventive, each with an owner and a due date, tracked to done). The incidents' reviews
keep their actions here (incidents 0003 moved them).

This app sits below desk and incidents (docs/architecture.md): a subject is named by its
kind and id, never by a foreign key upward; the app that owns the subject (incidents,
desk) calls these services and says which of its subjects belong to a period or scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    INCIDENT = "incident", _("Fault")
    COMPLAINT = "complaint", _("Complaint")


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", _("Corrective")
    PREVENTIVE = "preventive", _("Preventive")


class CauseCategory(models.Model):
    """One cause category of the operator's taxonomy. The eight of the seed are built in
    (migration 0002): they may be renamed and deactivated, never deleted; the operator adds
    more. An inactive category is kept on the analyses that used it and offered no more."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    built_in = models.BooleanField(_("built in"), default=False, editable=False)

    # `migrate` writes the built-in rows by itself: a database holding only those counts
    # as empty for a restore (platform_backup.tables.tables_holding_data).
    seeded_by_migrate = True

    class Meta:
        verbose_name = _("cause category")
        verbose_name_plural = _("cause categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (Chinese unless English is active)."""
        lang = translation.get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name


class Analysis(models.Model):
    """The cause analysis of one subject (a fault or a complaint)."""

    subject_kind = models.CharField(_("subject"), max_length=10, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    # A short human name of the subject (an incident's reference, a ticket's number), so
    # that the actions page names it without reading the area above.
    subject_label = models.CharField(_("subject label"), max_length=200, blank=True)
    # When the subject happened (an incident's detection, a complaint's opening): repeats
    # are counted by it.
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    # What repeats are counted on. The asset register will add ``asset`` beside it (a
    # nullable foreign key to the asset; repeats then group by asset where one is set).
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        CauseCategory,
        verbose_name=_("cause category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analyses",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    # A complaint found justified (upheld) counts among the causes; one that is not does not.
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    analysed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analysed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    analysed_at = models.DateTimeField(_("analysed at"))

    class Meta:
        verbose_name = _("cause analysis")
        verbose_name_plural = _("cause analyses")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"], name="analysis_one_per_subject"
            )
        ]

    def __str__(self) -> str:
        return self.subject_label or f"{self.subject_kind} {self.subject_id}"


class Action(models.Model):
    """A corrective or preventive action with its owner and due date, tracked to done."""

    analysis = models.ForeignKey(
        Analysis, verbose_name=_("analysis"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ActionKind.choices, default=ActionKind.PREVENTIVE
    )
    description = models.CharField(_("description"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description
