"""The quality report as a file, one place for every way out (the page's download links,
GET /api/v1/quality/report?format=…, the command, the drafts of the submissions): its
bytes, content type and file name, and the SHA-256 digest a submission records."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from baozhang.quality.pdf import CONTENT_TYPE as PDF
from baozhang.quality.pdf import write_pdf
from baozhang.quality.xlsx import write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {"xlsx": XLSX, "pdf": PDF}


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    content_type: str
    filename: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def safe_name(label: str) -> str:
    """``label`` fit for a file name: letters, digits, - . _; anything else becomes _."""
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in label) or "report"


def report_file(
    report: dict[str, Any], fmt: str, *, language: str | None = None, live: bool = True
) -> ReportFile:
    """quality_report's ``report`` as an XLSX workbook (both languages) or a PDF (in
    ``language``, default the current one; ``live=False``: a frozen report's, see
    write_pdf). Raises ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"格式无效 {fmt!r} / invalid format {fmt!r} (xlsx, pdf)")
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_workbook(report, buffer)
    else:
        write_pdf(report, buffer, language=language, live=live)
    name = f"quality-{safe_name(report['period'].get('label') or 'report')}.{fmt}"
    return ReportFile(buffer.getvalue(), CONTENT_TYPES[fmt], name)


def frozen_as_report(frozen: Any) -> dict[str, Any]:
    """A frozen report (quality.models.FrozenReport) as quality_report's dict: its
    period, scope and the statistics as they were approved."""
    return {
        "period": {
            "label": frozen.period_label,
            "start": frozen.period_start.isoformat(),
            "end": frozen.period_end.isoformat(),
        },
        "scope": {"customer_id": frozen.customer_id, "service_id": frozen.service_id},
        **frozen.statistics,
    }


def frozen_file(frozen: Any, fmt: str, *, language: str | None = None) -> ReportFile:
    """A frozen report as the XLSX or PDF file to send, named after its period and id."""
    made = report_file(frozen_as_report(frozen), fmt, language=language, live=False)
    name = f"quality-{safe_name(frozen.period_label)}-frozen-{frozen.pk}.{fmt}"
    return ReportFile(made.content, made.content_type, name)


def as_response(made: ReportFile) -> HttpResponse:
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


def file_response(report: dict[str, Any], fmt: str, *, language: str | None = None) -> HttpResponse:
    """The file as a download."""
    return as_response(report_file(report, fmt, language=language))
