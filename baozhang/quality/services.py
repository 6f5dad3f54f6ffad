"""Frozen quality reports (Q1): the only code that writes them. One function per action:
prepare a snapshot of a closed period, approve it (a second person), amend it. Nothing
here updates or deletes a snapshot; each action is recorded as an event."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from baozhang.accounts.permissions import Capability, require
from baozhang.core.frozen_report import report_digest
from baozhang.events.models import EventKind
from baozhang.events.services import record
from baozhang.events.text import said
from baozhang.quality.models import FrozenReport, FrozenReportApproval
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.selectors import heading, is_frozen, record_versions
from baozhang.quality.statistics import Period, Scope

# Who prepares, approves and amends a frozen report: quality inspectors, service directors
# and administrators (accounts/permissions.py); every reader of the audit may read one.
CAPABILITY = Capability.FREEZE_QUALITY_REPORTS
READ_CAPABILITY = Capability.VIEW_AUDIT


def _snapshot(
    actor: Any, label: str, period: Period, scope: Scope, now: dt.datetime
) -> FrozenReport:
    statistics = quality_report(period, scope, now=now, label=label)
    del statistics["period"], statistics["scope"]
    # As the database will give it back (decimals and times as JSON carries them).
    statistics = json.loads(json.dumps(statistics, cls=DjangoJSONEncoder))
    records = record_versions(period, scope)
    report = FrozenReport(
        period_label=label,
        period_start=period.start,
        period_end=period.end,
        customer_id=scope.customer_id,
        service_id=scope.service_id,
        statistics=statistics,
        records=records,
        prepared_by=actor,
        prepared_at=now,
    )
    report.digest = report_digest(*heading(report), statistics, records)
    return report


def prepare_frozen_report(
    actor: Any,
    period_label: str,
    scope: Scope | None = None,
    *,
    now: dt.datetime | None = None,
) -> FrozenReport:
    """Take the snapshot of a closed period's statistics (its end in the past), prepared
    by ``actor``; it is frozen once another person approves it."""
    require(actor, CAPABILITY)
    now = now or timezone.now()
    try:
        period = parse_period(period_label)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if period.end > now:
        raise ValidationError(
            _l("Only a closed period can be frozen: %(period)s has not ended yet."),
            params={"period": period_label},
        )
    scope = scope or Scope()
    if scope.region is not None:
        raise ValidationError(
            _l(
                "A region's report cannot be frozen yet: freeze the whole operator's, a "
                "customer's or a service's."
            )
        )
    with transaction.atomic():
        report = _snapshot(actor, period_label, period, scope, now)
        report.save()
        record(
            EventKind.CREATED,
            report,
            actor=actor,
            organisation=None,
            after={"period": period_label, "digest": report.digest},
            summary=said("Quality report %(period)s prepared for freezing", period=period_label),
            at=now,
        )
    return report


def approve(actor: Any, report: FrozenReport, *, now: dt.datetime | None = None) -> Any:
    """Approve ``report`` as its second person: it is frozen from now on. Refused to its
    preparer and for a report already approved."""
    require(actor, CAPABILITY)
    now = now or timezone.now()
    if report.prepared_by_id == actor.pk:
        raise ValidationError(
            _l("The preparer of a report cannot approve it: a second person must.")
        )
    if is_frozen(report):
        raise ValidationError(_l("This report has already been approved."))
    with transaction.atomic():
        approval = FrozenReportApproval.objects.create(
            report=report, approved_by=actor, approved_at=now
        )
        record(
            EventKind.STATE_CHANGED,
            report,
            actor=actor,
            organisation=None,
            after={"approved_by": actor.pk, "digest": report.digest},
            summary=said(
                "Quality report %(period)s approved and frozen", period=report.period_label
            ),
            at=now,
        )
    report.approval = approval
    return approval


def amend(
    actor: Any, original: FrozenReport, reason: str, *, now: dt.datetime | None = None
) -> FrozenReport:
    """Correct a frozen report: a new snapshot of the same period and scope, taken from
    the records as they are now, that amends ``original`` with ``reason``; the original
    stays. The amendment is frozen once a second person approves it."""
    require(actor, CAPABILITY)
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError(_l("An amendment needs its reason."))
    if original.amends_id is not None:
        raise ValidationError(_l("Amend the original report, not one of its amendments."))
    if not is_frozen(original):
        raise ValidationError(_l("Only a frozen (approved) report can be amended."))
    period = Period(original.period_start, original.period_end)
    scope = Scope(customer_id=original.customer_id, service_id=original.service_id)
    with transaction.atomic():
        amendment = _snapshot(actor, original.period_label, period, scope, now)
        amendment.amends = original
        amendment.reason = reason
        amendment.save()
        record(
            EventKind.CREATED,
            amendment,
            actor=actor,
            organisation=None,
            after={"amends": original.pk, "reason": reason, "digest": amendment.digest},
            summary=said(
                "Amendment of quality report %(period)s prepared", period=original.period_label
            ),
            parent=original,
            at=now,
        )
    return amendment
