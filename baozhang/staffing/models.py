from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Seat(models.Model):
    """A desk position of the service desk (D7: at least 3 seats)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    extension = models.CharField(_("phone extension"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """One person of the operator on duty from start to end, at a seat or none."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="shifts",
    )
    seat = models.ForeignKey(
        Seat,
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts",
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"), db_index=True)
    note = models.CharField(_("role note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "person_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


def _nine() -> dt.time:
    return dt.time(9, 0)


def _eighteen() -> dt.time:
    return dt.time(18, 0)


class CoveragePromise(models.Model):
    """The staffing promise (one row, pk 1). Defaults are those of D7."""

    calendar_key = models.CharField(
        _("covered hours (calendar)"),
        max_length=64,
        default="24x7",
        help_text=_("24x7, cn-5x8 or the key of one of your calendars."),
    )
    duty_on_rest_days = models.BooleanField(
        _("someone on duty on every rest day"),
        default=True,
        help_text=_(
            "For a 5x8 calendar: someone on duty in the day-shift hours of every "
            "weekend day and legal holiday."
        ),
    )
    min_on_duty = models.PositiveSmallIntegerField(
        _("minimum on duty at any covered moment"), default=1
    )
    min_day_shift = models.PositiveSmallIntegerField(_("minimum on a day shift"), default=2)
    day_shift_start = models.TimeField(_("day shift starts"), default=_nine)
    day_shift_end = models.TimeField(_("day shift ends"), default=_eighteen)
    min_seats = models.PositiveSmallIntegerField(
        _("minimum seats"), default=3, validators=[MinValueValidator(0)]
    )
    min_staff = models.PositiveSmallIntegerField(
        _("minimum service staff"), default=5, validators=[MinValueValidator(0)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("coverage promise")
        verbose_name_plural = _("coverage promises")

    def __str__(self) -> str:
        return str(_("Staffing promise"))


class GapWarning(models.Model):
    """A coverage gap the periodic check has warned of; the unique fingerprint makes
    the warning once-only across restarts and across workers."""

    fingerprint = models.CharField(_("fingerprint"), max_length=200, unique=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=20)
    missing = models.PositiveSmallIntegerField(_("people missing"))
    warned_at = models.DateTimeField(_("warned at"))

    class Meta:
        verbose_name = _("gap warning")
        verbose_name_plural = _("gap warnings")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.kind} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"
