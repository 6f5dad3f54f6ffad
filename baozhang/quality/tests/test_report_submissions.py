"""Drafting the quality report after each period closes and recording its submission (Q3):
the periods that just closed, the deadline on the 5th working day of the business
calendar, the job assigning a quality inspector and telling them (once: a second run
drafts nothing), and the submission of an approved report — to whom, when, how, by whom,
the format and the SHA-256 of the file sent — kept unchanged by the database, through the
service, the API, the command and the page."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client

from baozhang.accounts.models import Role
from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.notify import services as notify
from baozhang.notify.models import Message
from baozhang.quality import services, submissions
from baozhang.quality.models import FrozenReportError, ReportDraft, Submission
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    CST,
    SEPTEMBER,
    seeded_september,
)

OCTOBER_10 = dt.datetime(2026, 10, 10, 10, tzinfo=CST)
DIGEST = hashlib.sha256(b"the file sent").hexdigest()


@pytest.fixture
def inspector(personas: Any, user_factory: Callable[..., Any]) -> Any:
    return user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")


@pytest.fixture
def approved(seeded_september: None, personas: Any, inspector: Any) -> Any:  # noqa: F811
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    services.approve(inspector, report, now=OCTOBER_10)
    return report


@pytest.mark.parametrize(
    ("now", "labels"),
    [
        # Early December: November has just closed; Q3 and 2025 closed long ago
        (dt.datetime(2026, 12, 7, 9, tzinfo=CST), ["2026-11"]),
        # Early January: December, the fourth quarter and the year have all closed
        (dt.datetime(2027, 1, 5, 9, tzinfo=CST), ["2026-12", "2026-Q4", "2026"]),
        # Early October: September and the third quarter
        (dt.datetime(2026, 10, 2, 9, tzinfo=CST), ["2026-09", "2026-Q3"]),
    ],
)
def test_the_periods_that_just_closed(now: dt.datetime, labels: list[str]) -> None:
    assert [p.label for p in submissions.closed_periods(now)] == labels


def test_the_deadline_is_the_fifth_working_day_after_the_period(db: None) -> None:
    # November 2026 closes at midnight into Tuesday 1 December: 1, 2, 3, 4 December and
    # Monday 7 December are the five working days; the report is due at its close
    end = dt.datetime(2026, 12, 1, tzinfo=CST)
    due = submissions.due_date(end, "cn-5x8").astimezone(CST)
    assert (due.date(), due.hour) == (dt.date(2026, 12, 7), 18)
    # On a 24x7 calendar every day works: due at the end of 5 December
    due = submissions.due_date(end, "24x7").astimezone(CST)
    assert due == dt.datetime(2026, 12, 6, tzinfo=CST)


def test_the_job_drafts_assigns_and_tells_the_inspector_once(personas: Any, inspector: Any) -> None:
    notify.create_channel(
        personas.admin,
        name="inspector's mail",
        kind="email",
        user=inspector,
        config={
            "smtp_host": "127.0.0.1",
            "smtp_port": 2525,
            "smtp_security": "none",
            "from_address": "noc@baozhang.example",
            "to_addresses": "inspector@operator.example",
        },
    )
    now = dt.datetime(2026, 12, 2, 9, tzinfo=CST)
    made = submissions.draft_closed_periods(now)
    assert [d.period_label for d in made] == ["2026-11"]
    draft = ReportDraft.objects.get()
    assert draft.assignee == inspector and draft.kind == "month"
    assert draft.due_at.astimezone(CST).date() == dt.date(2026, 12, 7)
    assert draft.statistics["server_faults"]["source"] == "configured"
    message = Message.objects.get(template_key="quality_report_assigned")
    assert "2026-11" in message.subject and "2026-12-07 18:00" in message.body
    assert submissions.draft_status(draft) == "to_prepare"
    # A second run, an hour later, drafts nothing and tells nobody again
    assert submissions.draft_closed_periods(now + dt.timedelta(hours=1)) == []
    assert ReportDraft.objects.count() == 1
    assert Message.objects.filter(template_key="quality_report_assigned").count() == 1


def test_without_an_inspector_the_service_director_is_assigned(personas: Any) -> None:
    submissions.draft_closed_periods(dt.datetime(2026, 12, 2, 9, tzinfo=CST))
    assert ReportDraft.objects.get().assignee == personas.director
    drafted = Event.objects.get(object_type="quality.reportdraft")
    assert reads(drafted) == ("质量统计报表 2026-11 已起草", "quality report 2026-11 drafted")


def test_the_events_of_a_report_read_in_each_readers_language(
    approved: Any, personas: Any, inspector: Any
) -> None:
    submissions.record_submission(
        inspector,
        approved,
        recipient="省通信管理局",
        method="portal",
        file_format="pdf",
        sha256=DIGEST,
        submitted_at=dt.datetime(2026, 10, 12, 15, tzinfo=CST),
    )
    ours = Event.objects.filter(object_type__startswith="quality.").exclude(summary_id="")
    said = [reads(e) for e in ours.order_by("pk")]
    assert said == [
        ("质量报表 2026-09 已准备冻结", "Quality report 2026-09 prepared for freezing"),
        ("质量报表 2026-09 已审批并冻结", "Quality report 2026-09 approved and frozen"),
        (
            "质量统计报表 2026-09 已报送 省通信管理局",
            "quality report 2026-09 submitted to 省通信管理局",
        ),
    ]


def test_a_submission_of_the_approved_report_is_recorded_and_kept(
    approved: Any, personas: Any, inspector: Any
) -> None:
    sent_at = dt.datetime(2026, 10, 12, 15, tzinfo=CST)
    item = submissions.record_submission(
        inspector,
        approved,
        recipient=" 省通信管理局 ",
        method="portal",
        file_format="pdf",
        sha256=DIGEST.upper(),
        submitted_at=sent_at,
        reference="回执 2026-0917",
    )
    item.refresh_from_db()
    assert (item.recipient, item.method, item.file_format) == ("省通信管理局", "portal", "pdf")
    assert item.sha256 == DIGEST and item.submitted_by == inspector
    assert item.submitted_at == sent_at and item.report == approved
    # The draft of the period, if any, says submitted
    draft = ReportDraft.objects.create(
        period_label=SEPTEMBER,
        kind="month",
        period_start=approved.period_start,
        period_end=approved.period_end,
        statistics={},
        due_at=sent_at,
        calendar_key="cn-5x8",
        created_at=sent_at,
    )
    assert submissions.draft_status(draft) == "submitted"
    # A record of truth: the model and the database refuse to change it
    item.recipient = "someone else"
    with pytest.raises(FrozenReportError):
        item.save()
    with pytest.raises(FrozenReportError):
        item.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Submission.objects.filter(pk=item.pk).update(recipient="someone else")
    assert Submission.objects.get(pk=item.pk).recipient == "省通信管理局"


def test_only_an_approved_report_and_a_past_time_are_accepted(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    with pytest.raises(ValidationError) as refused:
        submissions.record_submission(
            inspector,
            report,
            recipient="省通信管理局",
            method="email",
            file_format="xlsx",
            sha256="not a digest",
            submitted_at=dt.datetime(2099, 1, 1, tzinfo=CST),
        )
    assert set(refused.value.message_dict) == {"report", "sha256", "submitted_at"}
    with pytest.raises(PermissionDenied):
        submissions.record_submission(
            personas.agent,
            report,
            recipient="x",
            method="email",
            file_format="pdf",
            sha256=DIGEST,
        )
    assert not Submission.objects.exists()


def test_the_api_records_and_lists_submissions(
    approved: Any, personas: Any, inspector: Any
) -> None:
    client = Client()
    client.force_login(inspector)
    body = {
        "frozen_report": approved.pk,
        "recipient": "省通信管理局",
        "method": "email",
        "file_format": "xlsx",
        "sha256": DIGEST,
        "submitted_at": "2026-10-12T15:00:00+08:00",
    }
    created = client.post("/api/v1/quality/submissions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["submitted_by"] == "inspector"
    listed = client.get(f"/api/v1/quality/submissions?frozen_report={approved.pk}").json()
    assert [s["sha256"] for s in listed] == [DIGEST]
    # Malformed input is refused with the error envelope
    bad = client.post(
        "/api/v1/quality/submissions",
        {**body, "sha256": "xyz"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "error" in bad.json()
    missing = client.post(
        "/api/v1/quality/submissions",
        {**body, "frozen_report": 999999},
        content_type="application/json",
    )
    assert missing.status_code == 404
    assert client.get("/api/v1/quality/drafts").status_code == 200
    # An agent may not; a customer's contact is told nothing exists
    client.force_login(personas.agent)
    assert client.get("/api/v1/quality/submissions").status_code == 403
    client.force_login(personas.contact_a)
    assert client.get("/api/v1/quality/submissions").status_code == 404
    assert Submission.objects.count() == 1


def test_the_command_records_the_file_sent(approved: Any, inspector: Any, tmp_path: Any) -> None:
    sent = tmp_path / "quality-2026-09.pdf"
    sent.write_bytes(b"the file sent")
    out = io.StringIO()
    call_command(
        "report",
        "submit",
        str(sent),
        "--frozen",
        str(approved.pk),
        "--to",
        "省通信管理局",
        "--via",
        "paper",
        "--at",
        "2026-10-12T15:00+08:00",
        "--as",
        "inspector",
        stdout=out,
    )
    item = Submission.objects.get()
    assert (item.sha256, item.file_format, item.method) == (DIGEST, "pdf", "paper")
    assert DIGEST in out.getvalue()
    listing = io.StringIO()
    call_command("report", "drafts", stdout=listing)
    assert "尚无起草的报表" in listing.getvalue()


def test_the_page_records_a_submission_from_the_uploaded_file(
    approved: Any, inspector: Any
) -> None:
    client = Client()
    inspector.language = "zh-hans"
    inspector.save(update_fields=["language"])
    client.force_login(inspector)
    page = client.get("/quality/submissions/").content.decode()
    assert "报表起草与报送" in page and f"record-{approved.pk}" in page
    # The approved report downloads as the PDF to send
    pdf = client.get(f"/quality/report/frozen/{approved.pk}/file.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    upload = io.BytesIO(pdf.content)
    upload.name = "quality-2026-09.pdf"
    response = client.post(
        f"/quality/submissions/new/{approved.pk}/",
        {
            "recipient": "省通信管理局",
            "submitted_at": "2026-10-12T15:00",
            "method": "portal",
            "file": upload,
            "file_format": "",
            "sha256": "",
            "reference": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = Submission.objects.get()
    assert item.sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert item.file_format == "pdf"
    listed = client.get("/quality/submissions/").content.decode()
    assert "省通信管理局" in listed and item.sha256[:16] in listed
    # In English too
    inspector.language = "en"
    inspector.save(update_fields=["language"])
    assert "Report drafts and submissions" in client.get("/quality/submissions/").content.decode()


@pytest.mark.parametrize(
    ("language", "said", "unsaid"),
    [
        ("zh-hans", "报送时间不能晚于现在。", "The time of sending cannot be in the future."),
        ("en", "The time of sending cannot be in the future.", "报送时间不能晚于现在。"),
    ],
)
def test_a_refused_submission_says_why_in_the_readers_language_only(
    approved: Any, inspector: Any, language: str, said: str, unsaid: str
) -> None:
    inspector.language = language
    inspector.save(update_fields=["language"])
    client = Client()
    client.force_login(inspector)
    response = client.post(
        f"/quality/submissions/new/{approved.pk}/",
        {
            "recipient": "省通信管理局",
            "submitted_at": "2099-01-01T09:00",
            "method": "portal",
            "file_format": "pdf",
            "sha256": DIGEST,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["submitted_at"] == [said]
    assert unsaid not in response.content.decode()
    assert not Submission.objects.exists()
