"""Drafting the quality report after each period closes, and recording its submission to
the competent authority (Q3).

:func:`draft_closed_periods` is the periodic job (registered in quality's ``ready()``):
once a month, quarter or year has closed it drafts that period's report
(:class:`~baozhang.quality.models.ReportDraft`, the figures as they are then), assigns it
to the person who prepares it and sets the deadline: the 5th working day after the period
closes on the operator's business calendar (``QUALITY_REPORT_CALENDAR``, default
``cn-5x8``). The platform has no "quality manager" role: the report goes to a quality
inspector (the role whose capabilities are reading the audit and preparing frozen reports),
or the person named by ``QUALITY_REPORT_ASSIGNEE``, else a service director; the assignee
is told through their notification channels. A second run drafts nothing new.

:func:`record_submission` records that an approved frozen report was sent: to whom, when,
how, by whom, the file format and the SHA-256 of the file sent. Only an approved
(frozen) report can be recorded as submitted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from baozhang.accounts.models import OrganisationKind, Role
from baozhang.accounts.permissions import Capability, require
from baozhang.calendars.selectors import calendar_for
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.notify import services as notify
from baozhang.quality.models import (
    FileFormat,
    FrozenReport,
    PeriodKind,
    ReportDraft,
    Submission,
    SubmissionMethod,
)
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.selectors import is_frozen
from baozhang.quality.statistics import Period, Scope

# Recording a submission: the people who prepare and approve frozen reports.
CAPABILITY = Capability.FREEZE_QUALITY_REPORTS
DUE_WORKING_DAYS = 5
# A period is drafted if it closed less than this long ago (a worker that was stopped
# for a while catches up; a new installation does not draft last year's reports).
DRAFT_WITHIN = dt.timedelta(days=31)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ClosedPeriod:
    label: str
    kind: str
    start: dt.datetime
    end: dt.datetime


def closed_periods(now: dt.datetime) -> list[ClosedPeriod]:
    """The month, quarter and year that closed most recently before ``now`` (local time),
    each only if it closed within DRAFT_WITHIN."""
    today = timezone.localtime(now).date()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    year, month = last_month.year, last_month.month
    quarter_year, quarter = year, (month - 1) // 3 + 1
    if month % 3 != 0:  # the last quarter to close is the one before
        quarter -= 1
        if quarter == 0:
            quarter_year, quarter = year - 1, 4
    labels = [
        (f"{year}-{month:02d}", PeriodKind.MONTH),
        (f"{quarter_year}-Q{quarter}", PeriodKind.QUARTER),
        (f"{today.year - 1}", PeriodKind.YEAR),
    ]
    out = []
    for label, kind in labels:
        period = parse_period(label)
        if period.end <= now < period.end + DRAFT_WITHIN:
            out.append(ClosedPeriod(label, kind, period.start, period.end))
    return out


def due_date(period_end: dt.datetime, calendar_key: str | None = None) -> dt.datetime:
    """End of business on the DUE_WORKING_DAYS-th working day after the period closes
    (the first day after the period is day 1 when it is a working day)."""
    calendar = calendar_for(calendar_key or settings.QUALITY_REPORT_CALENDAR)
    last_moment = period_end - dt.timedelta(microseconds=1)
    return calendar.add_working_days(last_moment, DUE_WORKING_DAYS).at


def default_assignee() -> Any:
    """``QUALITY_REPORT_ASSIGNEE`` (a username) if set and active, else the first active
    quality inspector of the operator, else the first service director; None if none."""
    users = get_user_model().objects.filter(
        is_active=True, organisation__kind=OrganisationKind.OPERATOR
    )
    if settings.QUALITY_REPORT_ASSIGNEE:
        named = users.filter(username=settings.QUALITY_REPORT_ASSIGNEE).first()
        if named is not None:
            return named
    for role in (Role.QUALITY_INSPECTOR, Role.SERVICE_DIRECTOR):
        person = users.filter(groups__name=role).order_by("pk").first()
        if person is not None:
            return person
    return None


def draft_closed_periods(now: dt.datetime | None = None) -> list[ReportDraft]:
    """The periodic job: draft each period of :func:`closed_periods` that has no draft
    yet; returns the drafts made (none on a second run)."""
    now = now or timezone.now()
    made = []
    for closed in closed_periods(now):
        if ReportDraft.objects.filter(period_label=closed.label).exists():
            continue
        draft = _draft(closed, now)
        if draft is not None:
            made.append(draft)
    return made


def _draft(closed: ClosedPeriod, now: dt.datetime) -> ReportDraft | None:
    statistics = quality_report(Period(closed.start, closed.end), Scope(), now=now)
    del statistics["period"], statistics["scope"]
    statistics = json.loads(json.dumps(statistics, cls=DjangoJSONEncoder))
    calendar_key = settings.QUALITY_REPORT_CALENDAR
    assignee = default_assignee()
    try:
        with transaction.atomic():
            draft = ReportDraft.objects.create(
                period_label=closed.label,
                kind=closed.kind,
                period_start=closed.start,
                period_end=closed.end,
                statistics=statistics,
                assignee=assignee,
                due_at=due_date(closed.end, calendar_key),
                calendar_key=calendar_key,
                created_at=now,
            )
            record(
                EventKind.CREATED,
                draft,
                actor_label="quality.draft_closed_periods",
                organisation=None,
                after={
                    "period": closed.label,
                    "assignee": assignee.pk if assignee else None,
                    "due_at": draft.due_at.isoformat(),
                },
                summary=said("quality report %(period)s drafted", period=closed.label),
                at=now,
            )
            if assignee is not None:
                notify.notify_user(
                    assignee,
                    "quality_report_assigned",
                    {
                        "period": closed.label,
                        "due": timezone.localtime(draft.due_at).strftime("%Y-%m-%d %H:%M"),
                        "url": f"{settings.BAOZHANG_BASE_URL}/quality/submissions/",
                        "person": assignee.get_full_name() or assignee.username,
                    },
                    f"quality:draft:{draft.pk}:u{assignee.pk}",
                )
    except IntegrityError:  # another worker drafted it at the same moment
        return None
    return draft


# -- status of a draft --------------------------------------------------------------------


def _operator_reports(label: str) -> QuerySet[FrozenReport]:
    return FrozenReport.objects.filter(
        period_label=label, customer_id__isnull=True, service_id__isnull=True
    ).select_related("approval")


def draft_status(draft: ReportDraft) -> str:
    """``submitted`` (a submission recorded for an approved report of the period),
    ``frozen`` (approved, not yet recorded as sent), ``prepared`` (awaiting approval) or
    ``to_prepare``."""
    reports = list(_operator_reports(draft.period_label))
    if Submission.objects.filter(report__in=reports).exists():
        return "submitted"
    if any(is_frozen(r) for r in reports):
        return "frozen"
    return "prepared" if reports else "to_prepare"


def approved_reports(label: str | None = None) -> list[FrozenReport]:
    """The approved (frozen) reports, newest period first; of one period if given."""
    qs = FrozenReport.objects.filter(approval__isnull=False).select_related("approval")
    if label is not None:
        qs = qs.filter(period_label=label)
    return list(qs.order_by("-period_end", "-prepared_at", "-pk"))


# -- recording a submission ---------------------------------------------------------------


def record_submission(
    actor: Any,
    report: FrozenReport,
    *,
    recipient: str,
    method: str,
    file_format: str,
    sha256: str,
    submitted_at: dt.datetime | None = None,
    submitted_by: Any = None,
    reference: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Submission:
    """Record that ``report`` (approved) was sent to ``recipient`` at ``submitted_at``
    (default now) by ``submitted_by`` (default the actor), by ``method``, as a file of
    ``file_format`` whose SHA-256 is ``sha256``. Raises ValidationError (bilingual
    messages) for a report not approved, a time in the future or a malformed field."""
    require(actor, CAPABILITY)
    now = now or timezone.now()
    submitted_at = submitted_at or now
    recipient = " ".join((recipient or "").split())
    sha256 = (sha256 or "").strip().lower()
    errors: dict[str, Any] = {}
    if not is_frozen(report):
        errors["report"] = _l("Only an approved (frozen) report can be recorded as submitted.")
    if not recipient:
        errors["recipient"] = _l("Say to whom the report was sent.")
    elif len(recipient) > 200:
        errors["recipient"] = _l("At most 200 characters.")
    if method not in SubmissionMethod.values:
        errors["method"] = _l("Choose how the report was sent.")
    if file_format not in FileFormat.values:
        errors["file_format"] = _l("Choose the format of the file sent.")
    if not SHA256.match(sha256):
        errors["sha256"] = _l("The SHA-256 digest is 64 hexadecimal characters.")
    if timezone.is_naive(submitted_at):
        errors["submitted_at"] = _l("Give the time with its time zone.")
    elif submitted_at > now + dt.timedelta(minutes=5):
        errors["submitted_at"] = _l("The time of sending cannot be in the future.")
    elif submitted_at < report.prepared_at.replace(second=0, microsecond=0):
        # (to the minute: a form gives the time of sending without seconds)
        errors["submitted_at"] = _l("The report was sent before it was prepared.")
    if len(reference) > 200:
        errors["reference"] = _l("At most 200 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        submission = Submission.objects.create(
            report=report,
            recipient=recipient,
            submitted_at=submitted_at,
            method=method,
            submitted_by=submitted_by or actor,
            file_format=file_format,
            sha256=sha256,
            reference=reference.strip(),
            note=note.strip(),
            recorded_at=now,
        )
        record(
            EventKind.CREATED,
            submission,
            actor=actor,
            organisation=None,
            after={
                "report": report.pk,
                "recipient": recipient,
                "method": method,
                "file_format": file_format,
                "sha256": sha256,
                "submitted_at": submitted_at.isoformat(),
            },
            summary=said(
                "quality report %(period)s submitted to %(recipient)s",
                period=report.period_label,
                recipient=recipient,
            ),
            parent=report,
            at=now,
        )
    return submission


def submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related("report", "submitted_by")
