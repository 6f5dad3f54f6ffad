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
from baozhang.monitoring import figures
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
