"""/api/v1/quality/report: the quality statistics of a period (baozhang/quality/report.py),
for the operator's quality inspectors, service directors and administrators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Field, Router, Schema

from baozhang.accounts.permissions import Capability, require
from baozhang.api.types import Id
from baozhang.quality.files import CONTENT_TYPES, file_response, safe_name
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.statistics import Scope, check_scope
from baozhang.quality.views import report_document

router = Router(tags=["quality"])


class QualityReport(Schema):
    """One entry per statistic, each with ``source`` ("configured" or "none") and its
    figures; an entry without a source has ``note`` ("no source configured / 未配置数据来源").
    Durations are seconds, rates fractions (0–1)."""

    period: dict[str, Any]
    scope: dict[str, Any]
    server_faults: dict[str, Any]
    collection_integrity: dict[str, Any]
    equipment_downtime: dict[str, Any]
    nms_interruptions: dict[str, Any]
    site_information: dict[str, Any]
    information_security: dict[str, Any]
    emergency_events: dict[str, Any]
    complaints: dict[str, Any]
    operating_quality: dict[str, Any]
    # Q2, S4: causes, trend, repeats, actions (quality/analysis_report.py)
    analysis: dict[str, Any]


HTML = "text/html; charset=utf-8"

# The same report as a file: format=xlsx, pdf or html answer 200 with these types.
_FILES = {
    "responses": {
        200: {
            "content": {
                content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type in (*CONTENT_TYPES.values(), "text/html")
            }
        }
    }
}


@router.get("/quality/report", response=QualityReport, openapi_extra=_FILES)
def get_quality_report(
    request: HttpRequest,
    period: Annotated[str, Field(max_length=40)],
    customer: Id | None = None,
    service: Id | None = None,
    region: Annotated[str, Field(min_length=1, max_length=60)] | None = None,
    format: Literal["json", "xlsx", "pdf", "html"] = "json",
) -> dict[str, Any] | HttpResponse:
    """The quality statistics (Q4, Q5) of ``period`` — ``2026-11``, ``2026-Q4``, ``2026`` or
    ``2026-11-01..2026-11-30`` — for the whole operator, one customer, one service or one
    region (the services delivered from it, catalog's ``Service.region``; its complaints
    are those of the customers of its services). 422 for an unknown customer, service or
    region, or for more than one of them.
    Staff who read the audit (quality inspector, service director, administrator, security
    officer) only: 403 for anyone else, customers' people included.

    ``format``: ``json`` (default, this schema), ``xlsx`` (the workbook: a sheet per
    statistic, Chinese headings with English below), ``pdf`` (embedded Chinese font, in
    the request's language) or ``html`` (the page's sections and the charts' tables as one
    file without scripts, in the request's language, as ``baozhang report quality --format
    html`` writes it), returned as an attachment with its content type."""
    require(request.auth, Capability.VIEW_AUDIT)
    scope = Scope(customer_id=customer, service_id=service, region=region)
    check_scope(scope)
    report = quality_report(parse_period(period), scope, label=period)
    if format == "json":
        return report
    if format == "html":
        response = HttpResponse(report_document(report), content_type=HTML)
        response["Content-Disposition"] = f'attachment; filename="quality-{safe_name(period)}.html"'
        return response
    return file_response(report, format, language=get_language())
