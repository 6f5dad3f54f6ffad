"""``{% report_charts report as charts %}``: the charts of a quality report
(baozhang/quality/charts.py) for the page, in the reader's language: each with the data
its canvas draws (passed through ``json_script``, read by the shared web/static/charts.js) and
its table as text (values as the report page shows them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from baozhang.quality import charts as quality_charts
from baozhang.quality.report_sections import COUNT, RATE
from baozhang.quality.views import _shown

register = template.Library()


def _number(value: Any, kind: str) -> float | int | None:
    """A value as the chart draws it: rates in percent."""
    if value is None:
        return None
    return round(value * 100, 3) if kind == RATE else round(value, 3)


def present(chart: quality_charts.Chart) -> dict[str, Any]:
    columns, kinds, rows = quality_charts.table(chart)
    return {
        "key": chart.key,
        "title": str(chart.title),
        "note": str(chart.note),
        "script_id": f"bz-chart-{chart.key}",
        "columns": [str(c) for c in columns],
        "rows": [
            [str(row[0]), *(_shown(v, k) for v, k in zip(row[1:], kinds[1:], strict=True))]
            for row in rows
        ],
        "extra": [(str(label), _shown(value, kind)) for label, value, kind in chart.extra],
        "data": {
            "labels": [str(label) for label in chart.labels],
            "series": [
                {
                    "label": str(s.label),
                    "values": [_number(v, s.kind) for v in s.values],
                    "unit": "%" if s.kind == RATE else "",
                    "integer": s.kind == COUNT,
                    "axis": s.axis,
                    "style": s.style,
                }
                for s in chart.series
            ],
            "meets": chart.meets,
        },
    }


@register.simple_tag
def report_charts(
    report: dict[str, Any], now: dt.datetime | None = None, live: bool = True
) -> list[dict[str, Any]]:
    if not report or "operating_quality" not in report:
        return []
    return [present(c) for c in quality_charts.charts(report, now=now, live=live)]
