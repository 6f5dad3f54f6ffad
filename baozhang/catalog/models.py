"""The catalogue: the services the operator promises (S1), which monitors measure and
agreements, incidents and maintenance windows name. The asset register will live here too."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """A service the operator promises, as its customers know it (hosting, a web site, a
    link). Incidents and maintenance windows are per service; the status page lists the
    public ones."""

    # Events written before the catalogue had an app of its own name services so.
    former_object_types: ClassVar[tuple[str, ...]] = ("monitoring.service",)

    name = models.CharField(_("name (Chinese)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(
        _("on the public status page"),
        default=True,
        help_text=_("Shown with its state, uptime and incidents on the public status page."),
    )
    customers = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("customers"),
        related_name="services",
        blank=True,
        help_text=_(
            "Customers who use this service: they are told of its incidents and maintenance."
        ),
    )
    region = models.CharField(
        _("region"),
        max_length=60,
        blank=True,
        db_index=True,
        help_text=_(
            "Where the service is delivered from: its machine room or node region, e.g. "
            "East China. The quality report can be read for one region."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        # The table keeps the name it had in monitoring, where the model started: moving
        # the model (catalog 0001) changed no table, so no row could be lost. Its
        # customers' table keeps its name too (monitoring_service_customers).
        db_table = "monitoring_service"
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        """The name in ``language`` ("en" or "zh-hans"; by default the reader's, so that
        ``{{ service.display_name }}`` on a page follows the page's language), falling back
        to the Chinese. ``str(service)`` stays the Chinese name (the event record's label)."""
        if language is None:
            language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name
