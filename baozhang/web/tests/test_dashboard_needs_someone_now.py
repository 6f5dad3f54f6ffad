"""The staff dashboard shows first what needs someone now, each with the list behind it,
then the trends as charts with their tables (issue 18 §5, §6)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from baozhang.catalog.models import Service
from baozhang.desk import services as desk
from baozhang.desk import tasks as desk_tasks
from baozhang.incidents import services as incidents
from baozhang.monitoring.models import Monitor, StateSpell
from baozhang.notify.models import Channel, Message, MessageStatus


def _in_english(person):
    person.language = "en"
    person.save(update_fields=["language"])
    return person


def _figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]*)<', html)
    assert match, key
    return match.group(1)


def _card(html: str, key: str) -> str:
    match = re.search(rf'<article[^>]*data-attention="{key}">(.*?)</article>', html, re.S)
    assert match, key
    return match.group(1)


@pytest.fixture
def trouble(personas):
    """A breached ticket (customer A has no channel, the operator's duty team has one), an
    open incident, a monitor down, and a message that could not be delivered."""
    now = timezone.now()
    Channel.objects.create(
        organisation=personas.operator,
        kind="webhook",
        name="duty team",
        config={"webhook_url": "http://127.0.0.1:9/duty"},
    )
    breached = desk.open_ticket(
        None,
        customer=personas.org_a,
        kind="fault",
        subject="网站无法访问 Site down",
        contact=personas.contact_a,
        priority="P1",  # first response within 15 minutes
        now=now - dt.timedelta(hours=1),
    )
    desk_tasks.check_clocks(now)
    service = Service.objects.create(name="云主机", name_en="Cloud hosts", slug="hosts")
    service.customers.add(personas.org_a)
    down = Monitor.objects.create(
        name="web", kind="http", target="http://127.0.0.1:9/", status="down"
    )
    down.services.add(service)
    went_down = now - dt.timedelta(minutes=5)
    StateSpell.objects.create(
        monitor=down, state="up", start=now - dt.timedelta(days=3), end=went_down
    )
    StateSpell.objects.create(monitor=down, state="down", start=went_down)
    incidents.monitor_down(down, at=went_down, reason="refused")
    hook = Channel.objects.create(
        organisation=personas.org_b,
        kind="webhook",
        name="B hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    Message.objects.create(
        dedup_key="dead-1",
        channel=hook,
        organisation=personas.org_b,
        template_key="test",
        language="en",
        subject="s",
        body="b",
        status=MessageStatus.DEAD,
    )
    return {"ticket": breached, "service": service}


def test_staff_see_what_needs_someone_now_with_the_list_behind_each(personas, trouble, login):
    # The service director reads the whole delivery log (an agent only their own).
    html = login(_in_english(personas.director)).get("/").content.decode()

    assert 'data-testid="needs-attention"' in html
    # Needs someone now comes before the trends and the platform's figures.
    assert html.index("needs-attention") < html.index('data-testid="trends"')
    assert html.index('data-testid="trends"') < html.index('data-testid="dashboard-figures"')
    assert _figure(html, "breached") == "1"
    assert 'href="/desk/?view=breached"' in _card(html, "breached")
    assert _figure(html, "open_incidents") == "1"
    assert 'href="/incidents/?status=open"' in _card(html, "open_incidents")
    assert _figure(html, "monitors_down") == "1"
    assert "?status=down" in _card(html, "monitors_down")
    assert _figure(html, "undeliverable") == "1"
    assert "?status=dead" in _card(html, "undeliverable")
    agent = login(personas.agent).get("/").content.decode()
    assert _figure(agent, "undeliverable") == "0"
    # No shift is on the roster: the promised hours of the next 7 days are gaps.
    assert int(_figure(html, "roster_gaps")) > 0
    # Customer A has no channel: the ticket's acknowledgement and the incident's notice
    # reached no one; and the breach escalated the ticket to a level no group takes.
    assert _figure(html, "not_notified") == "2"
    card = _card(html, "not_notified")
    assert personas.org_a.name in card and 'href="/notify/not-notified/"' in card
    assert "a desk level" in card


def test_a_customer_given_a_channel_drops_off_the_list_and_stays_on_record(
    personas, trouble, login
):
    client = login(_in_english(personas.agent))
    listing = client.get("/notify/not-notified/").content.decode()
    assert f"Customer {personas.org_a.name} has no channel that can reach them" in listing
    assert f'href="/desk/tickets/{trouble["ticket"].pk}/"' in listing

    Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )

    # What is left is the desk level nobody took (listed for a week: notify cannot see
    # the desk's groups).
    assert _figure(client.get("/").content.decode(), "not_notified") == "1"
    assert personas.org_a.name not in client.get("/notify/not-notified/").content.decode()
    everything = client.get("/notify/not-notified/?show=all").content.decode()
    assert personas.org_a.name in everything


def test_customers_see_neither_the_list_nor_the_cards(personas, trouble, login):
    client = login(personas.contact_a)
    assert client.get("/notify/not-notified/").status_code == 404
    html = client.get("/").content.decode()
    assert 'data-testid="needs-attention"' not in html
    assert 'data-testid="trends"' not in html


def test_the_trends_are_charts_with_their_tables(personas, trouble, login):
    html = login(_in_english(personas.agent)).get("/").content.decode()

    for key in ("tickets", "availability", "compliance"):
        assert f'data-testid="chart-{key}"' in html
        assert f'data-bz-chart="bz-dashboard-{key}"' in html
    data = {
        key: json.loads(
            re.search(
                rf'<script id="bz-dashboard-{key}" type="application/json">(.*?)</script>',
                html,
                re.S,
            ).group(1)
        )
        for key in ("tickets", "availability", "compliance")
    }
    # Today's column: one ticket opened an hour ago (or yesterday, just after midnight).
    assert sum(data["tickets"]["series"][0]["values"][-2:]) == 1
    assert len(data["tickets"]["labels"]) == 14
    # The one service, down for the last 5 minutes of what was observed this month.
    assert data["availability"]["labels"] == ["Cloud hosts"]
    [availability] = data["availability"]["series"][0]["values"]
    assert availability is not None and 0 < availability < 100
    assert data["compliance"]["series"][0]["unit"] == "%"
    # The same numbers as tables, and the one chart library, vendored, with the shared
    # drawing script (no inline script: CSP).
    assert html.count('data-testid="chart-table"') == 3
    assert '<th scope="row">Cloud hosts</th>' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/charts.js" in html
    assert "<script>" not in html


def test_the_dashboard_speaks_chinese_too(personas, trouble, login):
    html = login(personas.agent).get("/").content.decode()  # the agent's language: zh-hans
    assert "现在需要处理" in html
    assert "每日新建和解决的工单" in html
    assert "未通知：没有渠道可达" in html


def test_an_anonymous_visitor_is_sent_to_sign_in(db):
    assert Client().get("/notify/not-notified/").status_code == 302


def test_late_work_orders_overdue_patches_and_drills_due_need_someone(personas, login):
    """Upkeep, patches and emergency plans put their late work on the dashboard, each
    card linking to its list (issue 19)."""
    from baozhang.assets import services as assets
    from baozhang.changes import services as changes
    from baozhang.patches.models import Advisory, PatchStatus
    from baozhang.upkeep import services as upkeep
    from baozhang.upkeep.tests.conftest import UPS_STEPS

    now = timezone.now()
    ups = assets.create_asset(personas.engineer, name="UPS-1", kind="ups", owner=personas.operator)
    plan = upkeep.create_plan(
        personas.director,
        item="UPS monthly check / UPS 月度巡检",
        period="monthly",
        starts_on=(now - dt.timedelta(days=120)).date(),
        team_name="Power team",
        time_limit_days=5,
        lead_days=7,
        assets=[ups],
        team=[personas.engineer],
        supervisors=[personas.director],
        steps=UPS_STEPS,
    )
    upkeep.generate_for_plan(plan, now)
    advisory = Advisory.objects.create(
        reference="DSA-1", title="openssl", product="openssl", severity="critical"
    )
    PatchStatus.objects.create(
        advisory=advisory,
        asset=ups,
        state="pending",
        matched_at=now - dt.timedelta(days=30),
        due_at=now - dt.timedelta(days=1),
    )
    changes.create_plan(
        personas.director,
        name="机房断电预案",
        kind="power_failure",
        content="切换到备用电源",
        owner=personas.director,
        drill_interval_days=365,
    )

    html = login(_in_english(personas.director)).get("/").content.decode()

    assert int(_figure(html, "work_orders_late")) >= 1
    assert 'href="/upkeep/orders/?show=late"' in _card(html, "work_orders_late")
    assert _figure(html, "patches_overdue") == "1"
    assert 'href="/patches/overdue/"' in _card(html, "patches_overdue")
    assert _figure(html, "drills_due") == "1"
    card = _card(html, "drills_due")
    assert "机房断电预案" in card and 'href="/changes/emergency-plans/"' in card
    # A customer's person has no dashboard of the operator's work.
    assert "drills_due" not in login(personas.contact_a).get("/").content.decode()
