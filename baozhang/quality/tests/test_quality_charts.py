"""The quality report's charts (Q3): availability and 完好率 per day of a month, faults by
class, complaints as a Pareto and recovery times against the 30-minute target, each from
the report's own figures (hand-calculated for the seeded September), and the page drawing
them with their tables and no inline script."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from baozhang.monitoring.tests.test_figures import D1, MIN, a_day_of_checks, monitor  # noqa: F401
from baozhang.quality import charts
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.statistics import Scope
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)


def _by_key(report: dict[str, Any], now: dt.datetime | None = None) -> dict[str, charts.Chart]:
    return {c.key: c for c in charts.charts(report, now=now)}


def test_faults_complaints_and_recovery_of_the_seeded_month(
    seeded_september: None,  # noqa: F811
) -> None:
    data = quality_report(parse_period(SEPTEMBER), Scope(), label=SEPTEMBER)
    found = _by_key(data)
    # Faults by class: the report's own counts and hours, class by class
    faults = found["faults_by_class"]
    counts = dict(zip([str(x) for x in faults.labels], faults.series[0].values, strict=True))
    assert sum(faults.series[0].values) == data["operating_quality"]["fault_count"] == 4
    assert sorted(v for v in counts.values() if v) == [1, 1, 1, 1]
    hours = sum(faults.series[1].values)
    assert hours == pytest.approx(data["operating_quality"]["fault_duration_seconds"] / 3600)
    # Complaints: billing 1, (none) 1, the cumulative share reaching 100 %
    pareto = found["complaints_pareto"]
    assert pareto.series[0].values == [1, 1]
    assert pareto.series[1].values == [0.5, 1.0]
    # Recovery: 10 min, 20 min (within 30), 50 min and 120 min (not)
    recovery = found["recovery_times"]
    assert recovery.series[0].values == [1, 1, 1, 0, 1, 0, 0]
    assert recovery.meets == [True, True, False, False, False, False, False]
    with translation.override("en"):
        extra = {str(label): value for label, value, _kind in recovery.extra}
    assert extra["Restored within 30 minutes"] == 2
    assert extra["Share restored within 30 minutes"] == 0.5
    assert (
        extra["Restore targets missed"]
        == (data["operating_quality"]["targets"]["recovery"]["restore_targets_missed"])
    )
    # A month is drawn day by day
    assert found["availability"].labels[:2] == ["09-01", "09-02"]
    assert len(found["availability"].labels) == 30


def test_availability_and_integrity_per_day_match_the_monitor(monitor: Any) -> None:  # noqa: F811
    # A day of one-minute checks, 30 failing and 2 cycles without a check
    a_day_of_checks(monitor, set(range(600, 630)), skipped={10, 11})
    data = quality_report(parse_period("2026-11-01..2026-11-04"), Scope(), now=D1 + MIN)
    chart = _by_key(data, now=D1 + MIN)["availability"]
    assert chart.labels == ["11-01", "11-02", "11-03", "11-04"]
    availability, integrity = chart.series[0].values, chart.series[1].values
    # 11-02: 30 of 1,440 minutes down; 32 of 1,440 periods abnormal
    assert availability[1] == pytest.approx(1 - 30 / 1440, abs=1e-3)
    assert integrity[1] == pytest.approx(1408 / 1440)
    # 11-04 had not begun: nothing drawn
    assert availability[3] is None and integrity[3] is None


@pytest.mark.parametrize(
    ("period", "labels"),
    [
        ("2026-Q4", ["2026-10", "2026-11", "2026-12"]),
        ("2026", [f"2026-{m:02d}" for m in range(1, 13)]),
    ],
)
def test_a_quarter_or_a_year_is_drawn_month_by_month(period: str, labels: list[str]) -> None:
    assert [label for label, _p in charts.sub_periods(parse_period(period))] == labels


def test_the_page_passes_the_charts_as_json_with_their_tables(
    seeded_september: None,  # noqa: F811
    personas: Any,
) -> None:
    client = Client()
    client.force_login(personas.director)
    response = client.get(f"/quality/report/?period={SEPTEMBER}")
    page = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page and "/static/charts.js" in page
    # No inline script: every <script> either loads a file or carries JSON
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    blob = re.search(
        r'<script id="bz-chart-recovery_times" type="application/json">(.*?)</script>', page
    )
    assert blob is not None
    spec = json.loads(blob.group(1))
    assert spec["series"][0]["values"] == [1, 1, 1, 0, 1, 0, 0]
    assert page.count('data-testid="chart-table"') == 4
    assert "script-src 'self'" in response["Content-Security-Policy"]
