from __future__ import annotations

import contextlib
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from baozhang.core.calendar import BuiltinCalendars, parse_spans

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Words that page URLs under /calendars/ use, and the built-in calendars' keys.
RESERVED_KEYS = frozenset({*BuiltinCalendars(), "new", "schedules", "try"})
CHINA = "CN"


def normalise_spans(text: str) -> str:
    """Spans as ``"09:00-12:00 13:00-18:00"``; accepts commas or spaces between spans.

    ``""`` and ``"closed"`` give ``""``. Raises ValueError (bilingual, from core) for a bad
    span.
    """
    compact = re.sub(r"\s*-\s*", "-", text.strip())
    spans = parse_spans(",".join(compact.replace(",", " ").split()))
    return " ".join(str(s) for s in spans)


def validate_spans(value: str) -> None:
    try:
        normalise_spans(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_spans") from None


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _(
                "Unknown time zone %(value)r: expected an IANA name such as Asia/Shanghai. / "
                "未知时区 %(value)r：应为 IANA 名称，如 Asia/Shanghai。"
            ),
            code="invalid_time_zone",
            params={"value": value},
        ) from None


def validate_country(value: str) -> None:
    from baozhang.core.calendar_country import supported_countries

    if value and value not in supported_countries():
        raise ValidationError(
            _(
                "Unknown country %(value)r: expected CN or another ISO 3166-1 alpha-2 code "
                "that the holidays package supports (e.g. DE, US). / 未知国家 %(value)r：应为 CN "
                "或 holidays 包支持的其他 ISO 3166-1 两字母代码（如 DE、US）。"
            ),
            code="invalid_country",
            params={"value": value},
        )


def validate_key(value: str) -> None:
    if value in RESERVED_KEYS:
        raise ValidationError(
            _(
                "The key %(value)r is reserved (built-in calendars and page names: "
                "%(reserved)s). / 标识 %(value)r 为保留字（内置日历与页面名称：%(reserved)s）。"
            ),
            code="reserved_key",
            params={"value": value, "reserved": ", ".join(sorted(RESERVED_KEYS))},
        )


class BusinessCalendar(models.Model):
    """An operator-defined business calendar; ``baozhang.calendars.selectors.calendar_for``
    turns it into a core ``Calendar``.

    ``version`` goes up on every change of the calendar or its dates, so that the built
    core object can be cached per key and rebuilt only when something changed.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    key = models.CharField(
        _("key"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9-]*$",
                _(
                    "Use lower-case letters, digits and hyphens, e.g. gold-7x24. / "
                    "请使用小写字母、数字和连字符，如 gold-7x24。"
                ),
            ),
            validate_key,
        ],
        help_text=_("Used by the command line and by agreements; cannot be changed later."),
    )
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    base_schedule = models.CharField(
        _("national schedule"),
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=_(
            "Empty for none, CN for China's official schedule with make-up days, or another "
            "country's ISO code for its public holidays."
        ),
    )
    monday = models.CharField(_("Monday"), max_length=200, blank=True, validators=[validate_spans])
    tuesday = models.CharField(
        _("Tuesday"), max_length=200, blank=True, validators=[validate_spans]
    )
    wednesday = models.CharField(
        _("Wednesday"), max_length=200, blank=True, validators=[validate_spans]
    )
    thursday = models.CharField(
        _("Thursday"), max_length=200, blank=True, validators=[validate_spans]
    )
    friday = models.CharField(_("Friday"), max_length=200, blank=True, validators=[validate_spans])
    saturday = models.CharField(
        _("Saturday"), max_length=200, blank=True, validators=[validate_spans]
    )
    sunday = models.CharField(_("Sunday"), max_length=200, blank=True, validators=[validate_spans])
    workday_spans = models.CharField(
        _("make-up day spans"),
        max_length=200,
        blank=True,
        validators=[validate_spans],
        help_text=_("Spans of make-up working days and opened dates; empty: Monday's spans."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive calendars still compute deadlines but are not offered anew."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    def clean(self) -> None:
        errors = {}
        for day in (*WEEKDAYS, "workday_spans"):
            # A bad value stays as typed: its field validator reports it.
            with contextlib.suppress(ValueError):
                setattr(self, day, normalise_spans(getattr(self, day)))
        if all(not getattr(self, day) for day in WEEKDAYS):
            errors["monday"] = _(
                "Give working spans for at least one weekday, e.g. 09:00-12:00 13:00-18:00. / "
                "至少一个工作日须有工作时段，如 09:00-12:00 13:00-18:00。"
            )
        if errors:
            raise ValidationError(errors)

    def week(self) -> list[str]:
        return [getattr(self, day) for day in WEEKDAYS]


class DateKind(models.TextChoices):
    CLOSED = "closed", _("closed")
    OPENED = "opened", _("opened")


class CalendarDate(models.Model):
    """One of the operator's own dates: closed (a closure) or opened (an extra working day).
    It wins over the national schedule and the weekly spans."""

    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="dates"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DateKind.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"


class ImportedSchedule(models.Model):
    """A newly announced official schedule for a country, in the docs/calendars.md format.

    Laid over the package's schedule of that country (in import order) for every calendar
    based on it, built-in cn-5x8 included: its years stop being provisional.
    """

    country = models.CharField(
        _("country"), max_length=2, default=CHINA, validators=[validate_country]
    )
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(_("schedule text"))
    years = models.CharField(_("years covered"), max_length=200, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported schedule")
        verbose_name_plural = _("imported schedules")
        ordering = ["country", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.country} {self.years}: {self.name}"

    def clean(self) -> None:
        from baozhang.core.calendar_schedule import parse_schedule

        try:
            schedule = parse_schedule(self.text, name=self.name or "imported")
        except ValueError as exc:
            raise ValidationError({"text": str(exc)}) from None
        self.years = ", ".join(str(y) for y in sorted(schedule.years))
