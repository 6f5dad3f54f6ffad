"""Every figure of the quality report links to the list of records it was computed from
(Q4), and each list's length is the figure: the faults (by class, open, missed restore
targets, responsibility, emergencies, the F9 software faults of the year), the monitors
with their periods, and the complaints (by category and channel, answered within the
limit or not)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from baozhang.accounts.models import Role
from baozhang.monitoring.tests.test_figures import a_day_of_checks, monitor  # noqa: F401
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)

FIGURE = re.compile(r'<td data-testid="figure"><a href="([^"]+)">([^<]+)</a></td>')
ROW = re.compile(
    r'<tr><td><a href="(/quality/report/records/[^"]+)">[^<]*</a></td><td>([\d,]+)</td>'
)
COUNT = re.compile(r'data-testid="records-count" data-count="(\d+)"')


@pytest.fixture
def reader(personas: Any, user_factory: Callable[..., Any]) -> Client:
    inspector = user_factory(
        personas.operator, [Role.QUALITY_INSPECTOR], username="inspector", language="en"
    )
    client = Client()
    client.force_login(inspector)
    return client


def _count(client: Client, url: str) -> int:
    page = client.get(html.unescape(url))
    assert page.status_code == 200, url
    found = COUNT.search(page.content.decode())
    assert found is not None, url
    return int(found.group(1))


def test_each_count_on_the_report_equals_the_length_of_its_list(
    seeded_september: None,  # noqa: F811
    reader: Client,
) -> None:
    # Given the report of the seeded September
    page = reader.get(f"/quality/report/?period={SEPTEMBER}").content.decode()
    figures = FIGURE.findall(page)
    rows = ROW.findall(page)
    # Then every figure of the faults, emergencies and complaints is a link to its list
    assert len(figures) >= 20 and len(rows) >= 8
    checked = 0
    for url, value in figures + rows:
        assert f"period={SEPTEMBER}" in url
        if not url.startswith("/quality/report/records/"):
            continue  # a page of its own (the asset register's figures, quality/equipment.py)
        if re.fullmatch(r"[\d,]+", value.strip()):
            # And a count equals the number of records its list shows
            assert _count(reader, url) == int(value.replace(",", "")), (url, value)
            checked += 1
    assert checked >= 20
    # The hand-calculated ones, to be sure the lists are not all empty
    base = f"/quality/report/records/?period={SEPTEMBER}"
    assert _count(reader, f"{base}&what=incidents") == 4
    assert _count(reader, f"{base}&what=incidents&state=missed") == 1
    assert _count(reader, f"{base}&what=incidents&cls=software&ytd=1") == 1
    assert _count(reader, f"{base}&what=incidents&state=emergency_without_plan") == 1
    assert _count(reader, f"{base}&what=complaints&answer=within") == 1
    assert _count(reader, f"{base}&what=complaints&answer=late") == 1
    assert _count(reader, f"{base}&what=complaints&category=billing") == 1
    assert _count(reader, f"{base}&what=complaints&channel=hotline") == 2
    # The satisfaction answers: one row per answer, with their average
    assert _count(reader, f"{base}&what=complaints&answer=rated") == 1
    rated = reader.get(f"{base}&what=complaints&answer=rated").content.decode()
    assert 'data-testid="average">4.0<' in rated
    # A list of faults links each to its incident and says the total duration as people do
    faults = reader.get(f"{base}&what=incidents").content.decode()
    table = faults[faults.index('data-testid="records"') :]
    assert table[: table.index("</table>")].count('href="/incidents/') == 4
    assert "3 h 20 min" in faults


def test_a_link_keeps_the_period_and_the_scope(
    seeded_september: None,  # noqa: F811
    personas: Any,
    reader: Client,
) -> None:
    scope = f"customer:{personas.org_b.pk}"
    page = reader.get(f"/quality/report/?period={SEPTEMBER}&scope={scope}").content.decode()
    urls = [html.unescape(u) for u, _v in FIGURE.findall(page)]
    assert urls and all(f"scope=customer%3A{personas.org_b.pk}" in u for u in urls)
    # Customer B had no complaint: the complaints' list of that scope is empty
    complaints = next(u for u in urls if "what=complaints" in u)
    assert _count(reader, complaints) == 0


def test_the_integrity_rate_drills_down_to_each_monitors_periods(
    personas: Any,
    monitor: Any,  # noqa: F811
    reader: Client,
) -> None:
    # Given a day of one-minute checks with 30 failures and 2 cycles with no check
    a_day_of_checks(monitor, set(range(600, 630)), skipped={10, 11})
    period = "2026-11-02..2026-11-02"
    page = reader.get(f"/quality/report/records/?period={period}&what=monitors").content.decode()
    # Then the monitor is listed with 1,440 periods, 32 abnormal, linked to its page
    assert _count(reader, f"/quality/report/records/?period={period}&what=monitors") == 1
    assert f'href="/monitoring/monitors/{monitor.pk}/"' in page
    assert 'data-testid="periods">1440<' in page
    assert 'data-testid="abnormal">32<' in page
    assert "97.78 %" in page  # 1408 / 1440


def test_the_drill_down_refuses_those_who_do_not_read_the_report(
    seeded_september: None,  # noqa: F811
    personas: Any,
) -> None:
    client = Client()
    client.force_login(personas.agent)
    url = f"/quality/report/records/?period={SEPTEMBER}&what=incidents"
    assert client.get(url).status_code == 403
    # Hostile parameters fall back instead of failing
    client.force_login(personas.director)
    for query in ("what=x&cls=nope&state=%00", "scope=region:nowhere", "period=9999-99"):
        assert client.get(f"/quality/report/records/?{query}").status_code == 200


def test_a_long_list_is_paged_and_keeps_its_total(
    seeded_september: None,  # noqa: F811
    reader: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given lists of two records a page, when the four faults of September are listed
    monkeypatch.setattr("baozhang.quality.views.RECORDS_PER_PAGE", 2)
    url = f"/quality/report/records/?period={SEPTEMBER}&what=incidents"
    first = reader.get(url).content.decode()
    # Then the figure is still the four faults and their whole duration; two are shown
    assert _count(reader, url) == 4
    assert "3 h 20 min" in first  # the total of the four, below the page's two
    references = re.compile(r'<td><a href="/incidents/(\d+)/">')
    shown = references.findall(first)
    assert len(shown) == 2
    assert "Page 1 of 2" in first
    # And the next page, with the period and the list's filters kept, shows the other two
    following = html.unescape(re.search(r'<a href="(\?[^"]+page=2)">Next</a>', first)[1])
    assert "period=2026-09" in following and "what=incidents" in following
    second = reader.get(f"/quality/report/records/{following}").content.decode()
    rest = references.findall(second)
    assert len(rest) == 2 and not set(rest) & set(shown)
    assert _count(reader, f"/quality/report/records/{following}") == 4


def test_a_link_computes_only_its_own_records(
    seeded_september: None,  # noqa: F811
    reader: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a year's drill-downs must not compute the report's other statistics (issue 16
    # §5): the monitors' 完好率 and the faults are refused outside their own lists
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed for another statistic's list")

    base = f"/quality/report/records/?period={SEPTEMBER}"
    monkeypatch.setattr("baozhang.quality.drilldown.collection_integrity_totals", refused)
    monkeypatch.setattr("baozhang.quality.drilldown.monitor_integrity", refused)
    assert _count(reader, f"{base}&what=incidents&state=missed") == 1
    monkeypatch.setattr("baozhang.quality.drilldown.incidents.fault_facts", refused)
    assert _count(reader, f"{base}&what=complaints&answer=within") == 1
    # And a complaints' list reads the satisfaction and details of the page's complaints
    # only, however many it counts
    monkeypatch.setattr("baozhang.quality.views.RECORDS_PER_PAGE", 1)
    answered: list[int] = []
    from baozhang.quality import desk_measures

    real = desk_measures.answer_scores

    def counted(rating: int | None, callbacks: list[int]) -> tuple[int, ...]:
        answered.append(1)
        return real(rating, callbacks)

    monkeypatch.setattr(desk_measures, "answer_scores", counted)
    assert _count(reader, f"{base}&what=complaints&channel=hotline") == 2
    assert len(answered) == 1
