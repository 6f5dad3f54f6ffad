"""End to end on loopback, as a new operator would try it: a target goes down, the probe
sees it, an incident opens, the customer is mailed and the status page shows it; the
target comes back, the incident resolves and the report is mailed; availability and
完好率 equal an independent calculation from the probe log."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from baozhang.catalog.models import Service
from baozhang.incidents.models import Incident
from baozhang.incidents.public import public_title
from baozhang.monitoring import runner
from baozhang.monitoring.figures import monitor_figures
from baozhang.monitoring.models import Monitor, ProbeResult
from baozhang.notify import services as notify
from baozhang.notify.delivery import deliver_due
from baozhang.notify.tests.receivers import SmtpReceiver

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL = 1
RETRIES = 2


class Target:
    """An HTTP server on loopback that answers 200 or 503 as told."""

    def __init__(self) -> None:
        self.healthy = True
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code = 200 if target.healthy else 503
                body = b"shop is open" if target.healthy else b"maintenance"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Target:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_until(condition: Callable[[], Any], what: str, limit: float = 30) -> Any:
    """Poll (bounded) until ``condition()`` is truthy; fail saying what never happened."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def probe(settings: Any) -> Iterator[None]:
    settings.PROBE_RELOAD_SECONDS = 0.3
    stop = threading.Event()
    thread = runner.start_thread(stop)
    yield
    stop.set()
    thread.join(timeout=15)


def mails_to(smtp: SmtpReceiver, address: str) -> list[Any]:
    return [i.data for i in list(smtp.items) if address in i.headers.get("to", "")]


def independent_figures(
    rows: list[tuple[dt.datetime, bool]], start: dt.datetime, end: dt.datetime
) -> tuple[Decimal, Decimal]:
    """Availability and 完好率 straight from the probe log, without the platform's code:
    down from the RETRIES-th consecutive failure to the next success; a period (one
    second, on the whole-second grid) is normal when it holds checks and all succeeded."""
    down = dt.timedelta(0)
    failures, down_since = 0, None
    for at, ok in rows:
        if ok:
            if down_since is not None:
                down += at - down_since
            failures, down_since = 0, None
        else:
            failures += 1
            if failures == RETRIES:
                down_since = at
    if down_since is not None:
        down += end - down_since
    window = end - start
    availability = (
        Decimal((window - down) // dt.timedelta(microseconds=1))
        / Decimal(window // dt.timedelta(microseconds=1))
        * 100
    )
    periods: dict[int, bool] = {}
    for at, ok in rows:
        if start <= at < end:
            slot = (at - start) // dt.timedelta(seconds=INTERVAL)
            periods[slot] = periods.get(slot, True) and ok
    total = (end - start) // dt.timedelta(seconds=INTERVAL)
    normal = sum(1 for ok in periods.values() if ok)
    return availability, Decimal(normal) / Decimal(total) * 100


def test_a_fault_goes_from_detection_to_the_customers_mailbox_and_back(
    personas: Any, smtp: SmtpReceiver, probe: None
) -> None:
    notify.create_channel(
        personas.admin,
        name="Northwind NOC",
        kind="email",
        organisation=personas.org_b,  # an English-speaking customer
        config={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "from_address": "noc@baozhang.example",
            "to_addresses": "noc@northwind.example",
        },
    )
    service = Service.objects.create(name="网上商城", name_en="Web shop", slug="shop")
    service.customers.add(personas.org_b)
    with Target() as target:
        monitor = Monitor.objects.create(
            name="Shop front page",
            kind="http",
            target=target.url,
            keyword="open",
            interval_s=INTERVAL,
            timeout_s=0.5,
            retries=RETRIES,
        )
        monitor.services.add(service)
        wait_until(lambda: Monitor.objects.get(pk=monitor.pk).status == "up", "monitor up")
        target.healthy = False
        flipped = dt.datetime.now(dt.UTC)
        incident = wait_until(
            lambda: Incident.objects.filter(service=service).first(), "an incident"
        )
        # Detected at the RETRIES-th failed check after the fault: within
        # (retries + 1) × interval of it, by the probe's own schedule.
        failed = list(
            ProbeResult.objects.filter(monitor=monitor, ok=False, at__gte=flipped)
            .order_by("at")
            .values_list("at", flat=True)
        )
        assert incident.detected_at == failed[RETRIES - 1]
        assert failed[0] - flipped <= dt.timedelta(seconds=INTERVAL)

        deliver_due("e2e")
        opened = wait_until(lambda: mails_to(smtp, "noc@northwind.example"), "opening mail")
        assert "Web shop" in opened[0]["Subject"]
        status_page = Client().get("/status/?lang=en")
        assert status_page.status_code == 200
        # the public page names the service and the kind of fault, never the probe's words
        page = status_page.content.decode()
        assert public_title(incident, "en") in page
        assert incident.title not in page and "status 503" not in page

        target.healthy = True
        wait_until(lambda: Incident.objects.get(pk=incident.pk).status == "resolved", "resolution")
        deliver_due("e2e")
        wait_until(lambda: len(mails_to(smtp, "noc@northwind.example")) >= 2, "resolution report")
        report = mails_to(smtp, "noc@northwind.example")[-1]
        assert "resolved" in report["Subject"].lower()
        assert "Web shop" in report.get_content()

        # A few more good checks after the recovery, the target still answering; the
        # window ends before the target stops, on a whole second.
        resolved_at = Incident.objects.get(pk=incident.pk).resolved_at
        wait_until(
            lambda: (
                ProbeResult.objects.filter(monitor=monitor, ok=True, at__gt=resolved_at).count()
                >= 3
            ),
            "good checks after the recovery",
        )
        end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = list(
        ProbeResult.objects.filter(monitor=monitor, at__lt=end)
        .order_by("at")
        .values_list("at", "ok")
    )
    # The window starts on the first whole second after the first check (the monitor is
    # up from there on, by the log and by the platform alike).
    start = rows[0][0].replace(microsecond=0) + dt.timedelta(seconds=1)
    rows_in = [(at, ok) for at, ok in rows if at >= start]
    figures = monitor_figures(monitor, start, end, now=end)
    want_availability, want_integrity = independent_figures(rows_in, start, end)
    assert figures.availability.percent == want_availability
    assert figures.integrity.percent == want_integrity
    assert figures.availability.outages == 1
