"""A customer contact who signs in sees their organisation's home (issue 18 §3): their open
tickets and what is awaited from them, their services' state and this month's
availability, their agreement's targets so far and its last review, maintenance announced
on their services, incidents and their reports, and how to reach the hotline and the
complaint line — and nothing of the operator's audit log nor of another customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baozhang.accounts import services as accounts
from baozhang.catalog import services as catalog
from baozhang.desk import services as desk
from baozhang.incidents import services as incidents
from baozhang.maintenance import services as maintenance
from baozhang.monitoring import catalog as monitors
from baozhang.monitoring.models import MonitorStatus, StateSpell
from baozhang.sla import services as sla


@pytest.fixture
def world(personas):
    """Customer A and customer B, each with a service, a monitor feeding an availability
    target of an active agreement, maintenance, an incident and tickets."""
    now = timezone.now()
    accounts.update_organisation(
        None, personas.operator, hotline="400-800-1234", complaint_line="complaints@op.example"
    )
    out = {}
    for key, org, contact, zh, en in (
        ("a", personas.org_a, personas.contact_a, "甲云主机", "Hosts of A"),
        ("b", personas.org_b, personas.contact_b, "乙备份", "Backups of B"),
    ):
        service = catalog.create_service(
            personas.director, name=zh, name_en=en, slug=f"svc-{key}", customers=[org]
        )
        agreement = sla.create_agreement(
            personas.director,
            customer=org,
            reference=f"SLA-{key.upper()}-1",
            title=f"Agreement of {key.upper()}",
            monthly_fee=Decimal("1000.00"),
            starts_on=(now - dt.timedelta(days=90)).date(),
        )
        target = sla.add_target(
            personas.director,
            agreement,
            name=f"Availability {key.upper()}",
            kind="availability",
            objective=Decimal("99.9"),
            calendar_key="24x7",
        )
        sla.transition(personas.director, agreement, "negotiate")
        sla.transition(personas.director, agreement, "activate")
        monitor = monitors.create_monitor(
            personas.director,
            name=f"monitor {key}",
            kind="push",
            push_period_s=300,
            push_grace_s=60,
            services=[service],
            customers=[org],
            targets=[target],
        )
        StateSpell.objects.create(
            monitor=monitor, state=MonitorStatus.UP, start=now - dt.timedelta(days=40)
        )
        monitor.status = MonitorStatus.UP
        monitor.save(update_fields=["status"])
        review = sla.open_review(
            personas.director,
            agreement,
            period_start=now - dt.timedelta(days=40),
            period_end=now - dt.timedelta(days=10),
        )
        start = now + dt.timedelta(days=3)
        window = maintenance.schedule(
            personas.engineer,
            title=f"{zh}升级",
            title_en=f"Upgrade of {en}",
            services=[service],
            start=start,
            end=start + dt.timedelta(hours=2),
        )
        incident = incidents.open_incident(
            personas.engineer,
            service=service,
            title=f"Outage of {en}",
            severity="major",
            classification="egress_link",
            responsibility="inside",
            detected_at=now - dt.timedelta(days=2),
            message=f"We are on it ({key}).",
        )
        incidents.resolve(
            personas.engineer,
            incident,
            cause=f"A failed optic ({key})",
            resolution=f"Optic replaced ({key})",
            at=now - dt.timedelta(days=2) + dt.timedelta(minutes=30),
        )
        waiting = desk.open_ticket(
            contact, customer=org, kind="fault", subject=f"Slow pages of {key.upper()}"
        )
        desk.reply(personas.agent, waiting, "Which pages? 哪些页面？")
        desk.change_status(personas.agent, waiting, "waiting_customer")
        plain = desk.open_ticket(
            contact, customer=org, kind="request", subject=f"New account for {key.upper()}"
        )
        out[key] = {
            "service": service,
            "agreement": agreement,
            "review": review,
            "window": window,
            "incident": incident,
            "waiting": waiting,
            "plain": plain,
        }
    return out


def _home(client):
    page = client.get("/")
    assert page.status_code == 200
    return page.content.decode()


def test_a_customer_contact_sees_their_home_and_nothing_of_the_operator_or_of_b(
    personas, login, world
):
    personas.contact_a.language = "en"
    personas.contact_a.save(update_fields=["language"])
    html = _home(login(personas.contact_a))
    a, b = world["a"], world["b"]
    # Their tickets, the one waiting for them first and said so.
    assert a["waiting"].reference in html and a["plain"].reference in html
    assert html.index(a["waiting"].reference) < html.index(a["plain"].reference)
    assert "Waiting for your answer" in html
    assert 'data-figure="awaiting_customer">1<' in html
    # Their service, its state now and this month's availability.
    assert "Hosts of A" in html
    assert "Operational" in html
    assert "100.000 %" in html
    # Their agreement: the target's objective and this month so far, the last review.
    assert "SLA-A-1" in html and "Availability A" in html and "99.9 %" in html
    assert "met so far" in html
    assert f"/agreements/reviews/{a['review'].pk}/" in html
    # Maintenance announced on their service, in their language.
    assert "Upgrade of Hosts of A" in html
    # The incident, its notice and its resolution report.
    assert a["incident"].reference in html and "Optic replaced (a)" in html
    # How to reach the operator.
    assert 'href="tel:4008001234"' in html and "400-800-1234" in html
    assert 'href="mailto:complaints@op.example"' in html
    # Nothing of B's.
    for thing in (
        b["waiting"].reference,
        b["plain"].reference,
        "Backups of B",
        "乙备份",
        "SLA-B-1",
        "Upgrade of Backups of B",
        b["incident"].reference,
        "Optic replaced (b)",
    ):
        assert thing not in html, thing
    # Nothing of the staff dashboard or the operator's audit log.
    for staff_only in (
        "Recent events",
        "Sign-ins, last 24 hours",
        "Active people",
        'data-figure="customers"',
        "/events/",
        "bz-change",
    ):
        assert staff_only not in html, staff_only


def test_customer_b_sees_b_and_not_a(personas, login, world):
    html = _home(login(personas.contact_b))
    assert world["b"]["waiting"].reference in html and "Backups of B" in html
    assert "SLA-B-1" in html
    assert world["a"]["waiting"].reference not in html
    assert "Hosts of A" not in html and "SLA-A-1" not in html


def test_the_home_reads_in_chinese_for_a_chinese_contact(personas, login, world):
    html = _home(login(personas.contact_a))
    assert "甲云主机" in html
    assert "甲云主机升级" in html
    assert "等待您的答复" in html
    assert "客服热线" in html


def test_staff_still_get_the_dashboard(personas, login, world):
    html = _home(login(personas.agent))
    assert 'data-testid="dashboard-figures"' in html
    assert 'data-testid="home-summary"' not in html


def test_without_a_published_hotline_the_home_says_so(personas, login):
    personas.contact_b.language = "en"
    html = _home(login(personas.contact_b))
    assert "Not published yet" in html
    assert "You have no open tickets." in html
    assert "No agreement in force." in html


def test_a_customer_reads_their_tickets_history_in_words_not_field_counts(personas, login, world):
    personas.contact_a.language = "en"
    personas.contact_a.save(update_fields=["language"])
    page = login(personas.contact_a).get(f"/desk/tickets/{world['a']['waiting'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    timeline = html[html.index("bz-change") :]
    assert " fields</summary>" not in timeline and "<code>" not in timeline
    assert "Status: In progress → Waiting for the customer" in timeline
    # The operator's staff still read the record field by field.
    staff = login(personas.agent).get(f"/desk/tickets/{world['a']['waiting'].pk}/")
    assert "<code>status</code>" in staff.content.decode()


def test_the_operator_sets_its_hotline_through_the_api_and_customers_see_it(
    personas, api_client, login
):
    admin = api_client(personas.admin)
    url = f"/api/v1/organisations/{personas.operator.pk}"
    too_long = admin.patch(url, {"hotline": "4" * 101}, content_type="application/json")
    assert too_long.status_code == 422
    answer = admin.patch(
        url,
        {"hotline": "400-820-0000", "complaint_line": "010-6666 8888"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["hotline"] == "400-820-0000"
    # A customer's person cannot change the operator's lines (nor see its organisation).
    refused = api_client(personas.contact_a).patch(
        url, {"hotline": "1"}, content_type="application/json"
    )
    assert refused.status_code == 404
    html = _home(login(personas.contact_a))
    assert 'href="tel:4008200000"' in html
    assert 'href="tel:01066668888"' in html
