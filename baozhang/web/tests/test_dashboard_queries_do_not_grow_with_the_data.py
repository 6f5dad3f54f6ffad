"""The staff dashboard reads the database a fixed number of times however many tickets,
services, monitors, incidents and messages there are: no query per item (issue 18 §6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baozhang.catalog.models import Service
from baozhang.desk import services as desk
from baozhang.desk import tasks as desk_tasks
from baozhang.incidents import services as incidents
from baozhang.monitoring.models import Monitor, StateSpell
from baozhang.notify.models import Channel, Message, MessageStatus


def _more(personas: Any, start: int, count: int) -> None:
    """``count`` more of each kind of item the dashboard counts or charts."""
    now = timezone.now()
    hook = Channel.objects.get_or_create(
        organisation=personas.org_b,
        kind="webhook",
        name="B hook",
        defaults={"config": {"webhook_url": "http://127.0.0.1:9/hook"}},
    )[0]
    for n in range(start, start + count):
        customer = personas.org_a if n % 2 else personas.org_b
        desk.open_ticket(
            None,
            customer=customer,
            kind="fault",
            subject=f"ticket {n}",
            priority="P1",
            # spread over the weeks of the compliance chart and the days of the tickets one
            now=now - dt.timedelta(days=n * 3 % 40, hours=1),
        )
        service = Service.objects.create(name=f"服务 {n}", name_en=f"Service {n}", slug=f"s{n}")
        service.customers.add(customer)
        monitor = Monitor.objects.create(
            name=f"m{n}", kind="http", target=f"http://127.0.0.1:9/{n}", status="down"
        )
        monitor.services.add(service)
        went_down = now - dt.timedelta(minutes=5 + n)
        StateSpell.objects.create(
            monitor=monitor, state="up", start=now - dt.timedelta(days=3), end=went_down
        )
        StateSpell.objects.create(monitor=monitor, state="down", start=went_down)
        incidents.monitor_down(monitor, at=went_down, reason="refused")
        Message.objects.create(
            dedup_key=f"dead-{n}",
            channel=hook,
            organisation=personas.org_b,
            template_key="test",
            language="en",
            subject="s",
            body="b",
            status=MessageStatus.DEAD,
        )
    desk_tasks.check_clocks(now)


def _queries(client: Any) -> int:
    client.get(reverse("web:dashboard"))  # caches warmed alike for both counts
    with CaptureQueriesContext(connection) as read:
        response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return len(read.captured_queries)


def test_the_dashboard_reads_as_often_for_ten_items_as_for_two(personas, login):
    client = login(personas.director)
    _more(personas, 0, 2)
    with_two = _queries(client)
    _more(personas, 2, 8)
    with_ten = _queries(client)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert 'data-figure="monitors_down">10<' in html  # the ten are there
    assert with_ten == with_two, (with_two, with_ten)
