"""The monitors behind the report's 完好率 (Q4 (2), issue 16 §5): the drill-down's totals
are the report's own figure, its list shows one page of monitors and computes only
those, and its queries do not grow with the number of monitors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from baozhang.accounts.models import Role
from baozhang.monitoring import figures, rollups
from baozhang.monitoring.models import Monitor
from baozhang.monitoring.tests.test_integrity_of import FIRST, _monitor, _raw, _rollup
from baozhang.quality import views
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.report_sections import RATE
from baozhang.quality.statistics import Scope

DAYS = 7
PERIOD = f"{FIRST}..{FIRST + dt.timedelta(days=DAYS - 1)}"
URL = f"/quality/report/records/?period={PERIOD}&what=monitors"
LINK = re.compile(r'href="/monitoring/monitors/(\d+)/"')


def _foot(page: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', page)
    assert found is not None, name
    return found.group(1)


def _monitors(n: int, tag: str = "") -> list[Monitor]:
    """``n`` monitors with a rollup for each day they lived through: most created before
    the period, every third on its second day; with ``tag`` "gap", one whose fourth day
    was not rolled up (its raw results are read)."""
    d0 = figures.day_bounds(FIRST)[0]
    made = []
    for i in range(n):
        created = d0 - dt.timedelta(days=30) if i % 3 else d0 + dt.timedelta(hours=30 + i % 7)
        m = _monitor(f"{tag} monitor {i:03d}", created)
        for k in range(DAYS):
            day = FIRST + dt.timedelta(days=k)
            if figures.day_bounds(day)[1] <= m.created_at:
                continue
            if tag == "gap" and i == 1 and k == 3:
                _raw(m, day, range(0, 1440, 2), failing={40, 41})
                continue
            _rollup(m, day, k + i)
        made.append(m)
    return made


@pytest.fixture
def reader(personas: Any, user_factory: Callable[..., Any]) -> Client:
    inspector = user_factory(
        personas.operator, [Role.QUALITY_INSPECTOR], username="inspector", language="en"
    )
    client = Client()
    client.force_login(inspector)
    return client


@pytest.mark.parametrize("tag", ["", "gap"])
def test_the_monitors_totals_are_the_reports_collection_integrity(
    reader: Client, monkeypatch: pytest.MonkeyPatch, tag: str
) -> None:
    # Given monitors created before and during a closed period (one with a day not
    # rolled up), listed four to a page
    _monitors(11, tag)
    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 4)
    report = quality_report(parse_period(PERIOD), Scope())["collection_integrity"]
    # Then every page's totals are the report's figure, and the figure is its monitors' sum
    for page_number in (1, 3):
        page = reader.get(f"{URL}&page={page_number}").content.decode()
        assert int(_foot(page, "periods")) == report["periods"]
        assert int(_foot(page, "abnormal")) == report["abnormal"]
        assert int(_foot(page, "excluded")) == report["excluded"]
        assert _foot(page, "rate") == views._shown(report["rate"], RATE)
    each = report["monitors"]
    assert len(each) == 11
    assert report["periods"] == sum(m["periods"] for m in each) > 0
    assert report["abnormal"] == sum(m["abnormal"] for m in each) > 0
    assert report["excluded"] == sum(m["excluded"] for m in each) > 0


def test_a_page_lists_and_computes_only_its_own_monitors(
    reader: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 11 monitors, four to a page
    made = _monitors(11)
    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 4)
    computed: list[list[int]] = []
    real = figures.integrity_of

    def integrity_of(monitors: Any, *args: Any, **kwargs: Any) -> Any:
        chosen = list(monitors)
        computed.append([m.id for m in chosen])
        return real(chosen, *args, **kwargs)

    monkeypatch.setattr(figures, "integrity_of", integrity_of)
    report = quality_report(parse_period(PERIOD), Scope())["collection_integrity"]
    own = {m["monitor_id"]: m for m in report["monitors"]}
    computed.clear()
    # When the third page is read
    page = reader.get(f"{URL}&page=3").content.decode()
    # Then it lists the last three monitors (by id), each with the report's own figures,
    # and computed the 完好率 of those three only
    shown = [int(pk) for pk in LINK.findall(page)]
    assert shown == [m.id for m in made[8:]]
    assert computed == [shown]
    assert 'data-count="11"' in page
    rows = re.findall(r"<tr>\s*<td><a [^>]+>[^<]+</a></td>\s*<td>(\d+)</td><td>", page)
    assert [int(p) for p in rows] == [own[pk]["periods"] for pk in shown]
    assert "Page 3 of 3" in page


def test_the_monitors_page_takes_as_many_queries_for_30_monitors_as_for_3(
    reader: Client,
) -> None:
    def queries() -> int:
        reader.get(URL)  # the session and the like, read once
        with CaptureQueriesContext(connection) as seen:
            page = reader.get(URL)
        assert page.status_code == 200
        return len(seen)

    # Given 3 monitors, then 30 (created before and during the period)
    _monitors(3, "a")
    few = queries()
    _monitors(27, "b")
    many = queries()
    # Then the page reads as many times for ten times the monitors
    assert Monitor.objects.count() == 30
    assert many == few


def test_a_months_monitors_page_reads_their_monthly_sums(reader: Client) -> None:
    # Given monitors rolled up each day of March (two created during it: one at its
    # start, one on the 10th), and the monthly sums written from the daily rollups
    march = dt.date(2026, 3, 1)
    m0 = figures.day_bounds(march)[0]
    made = []
    for i, created in enumerate(
        [m0 - dt.timedelta(days=40)] * 4 + [m0, m0 + dt.timedelta(days=9, hours=9, minutes=7)]
    ):
        m = _monitor(f"march monitor {i}", created)
        for k in range(31):
            day = march + dt.timedelta(days=k)
            if figures.day_bounds(day)[1] > m.created_at:
                _rollup(m, day, k + i)
        made.append(m)
    assert rollups.rebuild_months() == len(made)
    # When the month's monitors page is read
    with CaptureQueriesContext(connection) as seen:
        page = reader.get("/quality/report/records/?period=2026-03&what=monitors")
    # Then its totals are each monitor's own figures added up, read from the monthly
    # sums alone (no daily rollup read)
    assert page.status_code == 200
    assert not [q for q in seen if "monitoring_dailyrollup" in q["sql"]]
    period = parse_period("2026-03")
    own = [figures.monitor_figures(m, period.start, period.end).integrity for m in made]
    text = page.content.decode()
    assert int(_foot(text, "periods")) == sum(i.periods for i in own) > 0
    assert int(_foot(text, "abnormal")) == sum(i.abnormal for i in own) > 0
    assert int(_foot(text, "excluded")) == sum(i.excluded for i in own) > 0
