from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baozhang.calendars.models import CHINA, WEEKDAYS, BusinessCalendar, DateKind
from baozhang.calendars.presenters import countries_in_reader_language
from baozhang.core.calendar_iso import format_duration, parse_spoken_duration
from baozhang.core.calendar_types import WorkingDays

_SPANS_HELP = _("For example 09:00-12:00 13:00-18:00; empty for a rest day.")


def country_choices(*, blank: bool) -> list[tuple[str, str]]:
    first = [("", _("None: weekly spans and own dates only"))] if blank else []
    china = [(CHINA, _("China: State Council schedule with make-up days (CN)"))]
    others = [(c, f"{n} ({c})") for c, n in countries_in_reader_language().items() if c != CHINA]
    return [*first, *china, *others]


class CalendarForm(forms.ModelForm):
    """Fields of a calendar; the service validates again and saves (never form.save())."""

    class Meta:
        model = BusinessCalendar
        fields = [
            "name",
            "key",
            "description",
            "time_zone",
            "base_schedule",
            *WEEKDAYS,
            "workday_spans",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=_("Time zone"),
            choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
            initial="Asia/Shanghai",
        )
        self.fields["base_schedule"] = forms.ChoiceField(
            label=_("National schedule"), choices=country_choices(blank=True), required=False
        )
        for day in (*WEEKDAYS, "workday_spans"):
            self.fields[day].help_text = _SPANS_HELP
        if self.instance.pk:
            self.fields["key"].disabled = True

    def _post_clean(self) -> None:
        # The service validates the model (spans, time zone, uniqueness) and the view
        # shows its errors under these field names: one copy of the rules.
        pass


class DateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DateKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ScheduleForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), initial=CHINA)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example the title of the official notice."),
    )
    text = forms.CharField(
        label=_("Schedule"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "One statement a line: 'year 2027', '2027-01-01 holiday New Year', "
            "'2027-02-13 workday make-up day'. See docs/calendars.md."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(blank=False)


class TryForm(forms.Form):
    start = forms.CharField(
        label=_("Start"),
        help_text=_("ISO 8601 with offset, e.g. 2026-09-30T16:00:00+08:00"),
    )
    duration = forms.CharField(
        label=_("Duration"),
        required=False,
        help_text=_(
            "Business time such as 4 hours 30 minutes, or working days such as 10 working days"
        ),
    )
    end = forms.CharField(
        label=_("End"),
        required=False,
        help_text=_("ISO 8601 with offset; gives the business time from start to end"),
    )

    def clean_duration(self) -> str:
        """What people type ("4 小时 30 分钟", "10 working days") becomes the ISO form the
        computation takes; text that is not a duration is left for it to refuse."""
        text = str(self.cleaned_data.get("duration") or "").strip()
        try:
            span = parse_spoken_duration(text) if text else None
        except ValueError:
            return text
        if span is None:
            return text
        return f"{span.days}wd" if isinstance(span, WorkingDays) else format_duration(span)
