"""Figures of equipment and lines from the records (quality/equipment.py): 线路可用率 of a
line from its monitor and faults with announced maintenance excluded, 设备完好率, the
report's statistics (3) and (4) including a probe region that stopped reporting, the page
listing the records, and the F8 class of a fault on an asset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from baozhang.assets import services as assets
from baozhang.catalog import services as catalog
from baozhang.incidents.models import Classification, Incident, Source
from baozhang.incidents.opening import monitor_down
from baozhang.maintenance.models import MaintenanceWindow, WindowStatus
from baozhang.monitoring.models import Monitor, ProbeRegion, ProbeResult, StateSpell
from baozhang.quality.equipment import equipment_downtime, figures_of, nms_interruptions
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.statistics import Scope

NOW = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


def _line_with_monitor(personas):
    service = catalog.create_service(personas.director, name="专线接入", name_en="Leased line")
    line = assets.create_asset(
        personas.engineer,
        name="电信出口 A",
        kind="line",
        owner=personas.operator,
        carrier="中国电信",
        bandwidth_mbps=1000,
        end_a="一号机房",
        end_b="电信机房",
    )
    monitor = Monitor.objects.create(name="出口 ping", kind="icmp", target="127.0.0.1")
    monitor.services.add(service)
    monitor.registered_assets.add(line)
    return service, line, monitor


def _spells(monitor, *parts):
    """Spells covering the month: (state, start, end) in local time (Asia/Shanghai)."""
    for state, start, end in parts:
        StateSpell.objects.create(monitor=monitor, state=state, start=start, end=end)


def test_line_availability_is_what_an_independent_calculation_gives(personas):
    """A line whose monitor was down 43 minutes in a 30-day month, 30 of them inside an
    announced maintenance window."""
    service, line, monitor = _line_with_monitor(personas)
    period = parse_period("2026-11")  # Shanghai time: 30 days
    assert period.end - period.start == dt.timedelta(days=30)
    down_from = period.start + dt.timedelta(days=9, hours=2, minutes=30)
    down_until = down_from + dt.timedelta(minutes=43)
    window_start = down_from - dt.timedelta(minutes=90)
    window_end = down_from + dt.timedelta(minutes=30)  # 30 of the 43 minutes inside
    MaintenanceWindow.objects.create(
        title="光缆割接", start=window_start, end=window_end, status=WindowStatus.SCHEDULED
    ).services.add(service)
    _spells(
        monitor,
        ("up", period.start - dt.timedelta(days=3), down_from),
        ("down", down_from, down_until),
        ("up", down_until, None),
    )

    [item] = figures_of([line], period.start, period.end, now=NOW)
    f = item.figures
    # Independently: the month is 43,200 minutes; the 120-minute window is excluded (as
    # the agreements exclude it); 43 − 30 = 13 minutes count as outage.
    required, window, outage = 30 * 24 * 60, 120, 43 - 30
    assert f.required_time == dt.timedelta(minutes=required)
    assert f.excluded_time == dt.timedelta(minutes=window)
    assert f.outage_time == dt.timedelta(minutes=outage)
    expected = Decimal(required - window - outage) * 100 / Decimal(required - window)
    assert f.percent == expected  # 99.96982 %
    assert f"{f.percent:.3f}" == "99.970"
    assert f.excluded[0].reason == "光缆割接"

    report = equipment_downtime(period, Scope(), now=NOW)
    assert report["line_availability_rate"] == float(expected) / 100
    [row] = report["lines"]
    assert row["outage_seconds"] == 13 * 60 and row["excluded_seconds"] == 120 * 60
    assert "group=equipment" in report["records_url"]


def test_faults_recorded_against_equipment_count_and_intact_rate(personas):
    period = parse_period("2026-11")
    web = assets.create_asset(
        personas.engineer, name="web-01", kind="server", owner=personas.operator, role="primary"
    )
    db = assets.create_asset(
        personas.engineer, name="db-01", kind="server", owner=personas.operator, role="standby"
    )
    incident = Incident.objects.create(
        reference="INC-1",
        title="web-01 硬盘故障",
        classification=Classification.EQUIPMENT_FAULT,
        source=Source.MANUAL,
        detected_at=period.start + dt.timedelta(days=2),
        resolved_at=period.start + dt.timedelta(days=2, hours=3),
        restore_due_at=period.start + dt.timedelta(days=2, minutes=30),
    )
    incident.assets.add(web)
    stats = equipment_downtime(period, Scope(), now=NOW)
    assert (stats["count"], stats["duration_seconds"]) == (1, 3 * 3600)
    assert (stats["units"], stats["intact_units"], stats["equipment_faults"]) == (2, 1, 1)
    hours = 2 * 30 * 24
    assert stats["intact_time_rate"] == float(Decimal(hours - 3) / Decimal(hours))
    assert stats["intact_unit_rate"] == 0.5
    rows = {r["name"]: r for r in stats["assets"]}
    assert rows["web-01"]["incident_ids"] == [incident.pk]
    assert rows["db-01"]["intact"] is True
    # The quality report uses it (registered in quality's ready()), no "no source".
    report = quality_report(period, Scope())
    assert report["equipment_downtime"]["source"] == "configured"
    assert report["equipment_downtime"]["units"] == 2
    assert report["nms_interruptions"]["source"] == "configured"
    assert db.pk in [r["asset_id"] for r in report["equipment_downtime"]["assets"]]


def test_a_region_that_stopped_reporting_is_an_interruption_not_an_outage(personas, settings):
    settings.MONITOR_RAW_DAYS = 8
    day = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    region = ProbeRegion.objects.create(name="east", token_hash="x" * 64)
    ProbeRegion.objects.filter(pk=region.pk).update(created_at=day)  # began reporting then
    monitor = Monitor.objects.create(
        name="官网", kind="http", target="http://127.0.0.1/", interval_s=60, regions=["east"]
    )
    step = dt.timedelta(minutes=1)
    # Reports every minute from 00:00 to 01:00 and from 02:00 to 03:00; silent between.
    times = [day + i * step for i in range(60)] + [day + (120 + i) * step for i in range(61)]
    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=monitor, region="east", at=t, ok=True) for t in times
    )
    period = parse_period("2026-12-05..2026-12-05")
    now = day + dt.timedelta(hours=3)
    stats = nms_interruptions(period, Scope(), now=now)
    gap = [g for g in stats["region_gaps"] if g["region"] == "east"]
    # Last report 00:59; silent once 3 missed checks (3 min) passed: 01:02 until 02:00.
    assert [(g["start"], g["end"]) for g in gap] == [
        ((day + dt.timedelta(minutes=62)).isoformat(), (day + dt.timedelta(hours=2)).isoformat())
    ]
    assert stats["region_gap_count"] == 1
    assert stats["region_gap_duration_seconds"] == 58 * 60
    # The target was never judged down for it.
    assert not StateSpell.objects.filter(state="down").exists()


def test_a_monitor_on_a_primary_unit_opens_an_equipment_fault_naming_the_asset(personas):
    unit = assets.create_asset(
        personas.engineer,
        name="核心交换机 A",
        kind="network_device",
        owner=personas.operator,
        role="primary",
    )
    monitor = Monitor.objects.create(name="交换机 ping", kind="icmp", target="127.0.0.1")
    monitor.registered_assets.add(unit)
    [incident] = monitor_down(monitor, at=NOW, reason="timeout")
    assert incident.classification == Classification.EQUIPMENT_FAULT
    assert list(incident.assets.all()) == [unit]
    plain = Monitor.objects.create(name="官网", kind="http", target="http://127.0.0.1/")
    [other] = monitor_down(plain, at=NOW, reason="timeout")
    assert other.classification == Classification.SERVER_DISCONNECTION


def test_the_records_page_lists_assets_with_their_figures(personas, login):
    _service, line, _monitor = _line_with_monitor(personas)
    client = login(personas.engineer)
    page = client.get("/quality/equipment/", {"period": "2026-11", "group": "lines"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "电信出口 A" in body and "100.000 %" in body
    assert client.get("/quality/equipment/", {"period": "nonsense"}).status_code == 200
    assert login(personas.contact_a).get("/quality/equipment/").status_code == 404
    detail = login(personas.engineer).get(f"/assets/{line.pk}/").content.decode()
    assert 'data-testid="asset-availability"' in detail and "出口 ping" in detail


def test_the_report_page_shows_statistics_3_and_4_linked_to_their_records(personas, login):
    _service, _line, monitor = _line_with_monitor(personas)
    period = parse_period("2026-11")
    _spells(
        monitor,
        ("up", period.start - dt.timedelta(days=1), period.start + dt.timedelta(days=3)),
        ("down", period.start + dt.timedelta(days=3), period.start + dt.timedelta(days=3, hours=1)),
        ("up", period.start + dt.timedelta(days=3, hours=1), None),
    )
    page = login(personas.director).get("/quality/report/", {"period": "2026-11"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "/quality/equipment/?group=lines&amp;period=2026-11" in body
    assert "/quality/equipment/?group=nms&amp;period=2026-11" in body
    # 1 hour down in 720: the line's availability as a percentage
    assert "99.86 %" in body
    drill = login(personas.director).get("/quality/equipment/?group=lines&period=2026-11")
    assert "电信出口 A" in drill.content.decode()


def test_the_statements_do_not_grow_with_the_assets_on_a_calendar(personas):
    """Each asset's required time on a business calendar: the calendar is built once per
    key for all the assets (it was read again for each asset), and the figures are the
    calendar's business time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baozhang.assets.models import Asset

    period = parse_period("2026-11")
    counts = []
    for n in (2, 8):
        have = Asset.objects.count()
        for i in range(have, n):
            assets.create_asset(
                personas.engineer,
                name=f"办公网服务器 {i}",
                kind="server",
                owner=personas.operator,
                required_time="cn-5x8",
            )
        with CaptureQueriesContext(connection) as queries:
            items = figures_of(Asset.objects.order_by("pk"), period.start, period.end, now=NOW)
        counts.append(len(queries))
        assert len(items) == n
        for item in items:
            f = item.figures
            assert f is not None and f.percent == Decimal(100)
            # November 2026 on cn-5x8: 21 working days of 8 hours.
            assert f.required_time == dt.timedelta(hours=8 * 21)
    assert counts[0] == counts[1], counts


def test_the_equipment_links_of_a_report_lead_to_the_equipment_page() -> None:
    # The link is built from quality/paths.py without resolving the URL configuration (a
    # command computing a report need not load every app's API); it names the same page.
    from django.urls import reverse

    from baozhang.quality.equipment import drill_down_url

    url = drill_down_url(parse_period("2026-11"), Scope(customer_id=3), "kind")
    assert url.split("?")[0] == reverse("equipment:figures")
    assert "customer=3" in url and "group=kind" in url
