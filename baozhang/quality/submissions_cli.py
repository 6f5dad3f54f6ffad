"""The drafts' and submissions' subcommands of ``baozhang report`` (Q3):

- ``baozhang report drafts``: the reports drafted after each period closed, with their
  assignee, deadline and status;
- ``baozhang report draft``: run the drafting job now (what the worker does hourly);
  drafts nothing new when the closed periods already have theirs;
- ``baozhang report submit FILE --frozen ID --to 省通信管理局 --via portal|email|paper|other
  --as USER [--at 2026-12-04T10:00+08:00] [--reference R] [--note N]``: record that the
  approved report ID was sent as FILE (its SHA-256 and format are read from the file).

Messages print both languages (中文 / English): a command has no request language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from baozhang.quality import submissions
from baozhang.quality.frozen_cli import _actor, _bilingual, _report
from baozhang.quality.models import FileFormat, ReportDraft, SubmissionMethod

SUBCOMMANDS = ("drafts", "draft", "submit")
STATUS = {
    "to_prepare": "待准备 / to prepare",
    "prepared": "待审批 / awaiting approval",
    "frozen": "已审批待报送 / approved, not yet sent",
    "submitted": "已报送 / submitted",
}


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--to", dest="recipient", help="submit：报送对象 / sent to")
    parser.add_argument(
        "--via", choices=SubmissionMethod.values, help="submit：报送方式 / how it was sent"
    )
    parser.add_argument(
        "--at", dest="sent_at", help="submit：报送时间 ISO 8601，默认现在 / when (default now)"
    )
    parser.add_argument("--reference", default="", help="submit：回执编号 / receipt")
    parser.add_argument("--note", default="", help="submit：备注 / note")


def _when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"时间无效 {text!r}（ISO 8601）/ invalid time {text!r} (ISO 8601)"
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _drafts(out: TextIO) -> None:
    rows = list(ReportDraft.objects.select_related("assignee"))
    if not rows:
        out.write("尚无起草的报表 / no report has been drafted yet\n")
    for d in rows:
        who = d.assignee.username if d.assignee else "-"
        due = timezone.localtime(d.due_at).strftime("%Y-%m-%d %H:%M")
        status = STATUS[submissions.draft_status(d)]
        out.write(f"{d.period_label}\t{who}\t{due}\t{status}\n")


def _submit(options: dict[str, Any], out: TextIO) -> None:
    path = options.get("file")
    if not path:
        raise CommandError("请指明报送的文件 / give the file sent: baozhang report submit FILE")
    if not options.get("recipient") or not options.get("via"):
        raise CommandError("请用 --to 与 --via 指明报送对象与方式 / give --to and --via")
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件 / cannot read the file: {exc}") from None
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FileFormat.values:
        raise CommandError(
            f"文件格式应为 pdf、xlsx 或 json / the file should be pdf, xlsx or json: {path}"
        )
    report = _report(options)
    submission = submissions.record_submission(
        _actor(options),
        report,
        recipient=options["recipient"],
        method=options["via"],
        file_format=fmt,
        sha256=hashlib.sha256(content).hexdigest(),
        submitted_at=_when(options.get("sent_at")),
        reference=options.get("reference") or "",
        note=options.get("note") or "",
    )
    out.write(
        f"已记录报送 #{submission.pk}：报表 #{report.pk} → {submission.recipient} / submission "
        f"#{submission.pk} recorded: report #{report.pk} → {submission.recipient} "
        f"(SHA-256 {submission.sha256})\n"
    )


def run(options: dict[str, Any], out: TextIO, err: TextIO) -> None:
    kind = options["kind"]
    try:
        if kind == "drafts":
            _drafts(out)
        elif kind == "draft":
            made = submissions.draft_closed_periods()
            for d in made:
                out.write(f"已起草 / drafted: {d.period_label}\n")
            if not made:
                out.write("无新的报表需起草 / nothing new to draft\n")
        elif kind == "submit":
            _submit(options, out)
    except ValidationError as exc:
        raise CommandError(" ".join(_bilingual(e) for e in exc.error_list)) from None
    except PermissionDenied as exc:
        raise CommandError(f"权限不足 / {exc}") from None
