from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from baozhang.catalog.models import Service
from baozhang.incidents import services
from baozhang.incidents.models import Classification, Incident, Responsibility, Severity
from baozhang.monitoring.models import Monitor
from baozhang.notify.models import Channel, Message


@pytest.fixture
def channels(personas: Any) -> dict[str, Channel]:
    """A webhook channel for each customer, so their notices land in the outbox.
    Customer A speaks Chinese (the default), customer B English."""
    return {
        "a": Channel.objects.create(
            organisation=personas.org_a,
            kind="webhook",
            name="A hook",
            config={"url": "http://127.0.0.1:9/a"},
        ),
        "b": Channel.objects.create(
            organisation=personas.org_b,
            kind="webhook",
            name="B hook",
            config={"url": "http://127.0.0.1:9/b"},
        ),
    }


@pytest.fixture
def hosting(personas: Any) -> Service:
    """Web hosting, used by customers A and B."""
    service = Service.objects.create(name="网站托管", name_en="Web hosting", slug="hosting")
    service.customers.add(personas.org_a, personas.org_b)
    return service


@pytest.fixture
def mail_service(personas: Any) -> Service:
    """Mail, used by customer A only."""
    service = Service.objects.create(name="企业邮箱", name_en="Mail", slug="mail")
    service.customers.add(personas.org_a)
    return service


@pytest.fixture
def monitor_factory(db: Any) -> Callable[..., Monitor]:
    counter = {"n": 0}

    def make(*services_: Service, customers: tuple[Any, ...] = (), **kw: Any) -> Monitor:
        counter["n"] += 1
        kw.setdefault("name", f"monitor {counter['n']}")
        kw.setdefault("kind", "http")
        kw.setdefault("target", f"http://127.0.0.1:9/{counter['n']}")
        monitor = Monitor.objects.create(**kw)
        monitor.services.add(*services_)
        monitor.customers.add(*customers)
        return monitor

    return make


def set_status(monitor: Monitor, status: str) -> None:
    """What the monitoring ingest does before it calls monitor_up/monitor_down."""
    Monitor.objects.filter(pk=monitor.pk).update(status=status)
    monitor.status = status


@pytest.fixture
def incident_factory(personas: Any, hosting: Service) -> Callable[..., Incident]:
    def make(**kw: Any) -> Incident:
        kw.setdefault("service", hosting)
        kw.setdefault("title", "网站无法访问 Site unreachable")
        kw.setdefault("severity", Severity.CRITICAL)
        kw.setdefault("classification", Classification.SERVER_DISCONNECTION)
        kw.setdefault("responsibility", Responsibility.INSIDE)
        return services.open_incident(kw.pop("actor", personas.agent), **kw)

    return make


def minutes_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=n)


def outbox(org: Any, template: str) -> list[Message]:
    return list(Message.objects.filter(organisation=org, template_key=template).order_by("id"))
