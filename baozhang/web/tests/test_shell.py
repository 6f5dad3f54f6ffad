"""The web shell: sign-in required, the dashboard's figures, the language switch."""

from __future__ import annotations

from django.urls import reverse

from baozhang.conftest import PASSWORD


def test_pages_need_a_sign_in(client, db):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_dashboard_shows_figures_from_the_database(login, personas, organisation_factory):
    organisation_factory()
    page = login(personas.agent).get(reverse("web:dashboard")).content.decode()
    # operator staff see three customers (A, B and the new one) and the seven personas
    assert 'data-figure="customers">3<' in page
    assert 'data-figure="people">7<' in page


def test_a_contact_gets_their_home_not_the_staff_figures(login, personas):
    page = login(personas.contact_a).get(reverse("web:dashboard")).content.decode()
    assert 'data-testid="home-summary"' in page  # web/customer_home.html (issue 18 §3)
    assert 'data-figure="customers"' not in page
    assert 'data-figure="people"' not in page


def test_dashboard_shows_monitors_down_and_open_incidents_in_the_viewers_scope(login, personas):
    from baozhang.catalog.models import Service
    from baozhang.monitoring.models import Monitor

    service = Service.objects.create(name="官网", slug="web")
    service.customers.add(personas.org_b)
    down = Monitor.objects.create(name="web", kind="tcp", target="127.0.0.1:9", status="down")
    down.customers.add(personas.org_b)
    down.services.add(service)
    Monitor.objects.create(name="db", kind="tcp", target="127.0.0.1:5432", status="up")
    from django.utils import timezone

    from baozhang.incidents import services as incidents

    incidents.monitor_down(down, at=timezone.now(), reason="refused")
    staff = login(personas.agent).get(reverse("web:dashboard")).content.decode()
    assert 'data-figure="monitors_down">1<' in staff
    assert 'data-figure="open_incidents">1<' in staff
    # A customer's home: A sees nothing of B's outage; B sees its service down.
    customer_a = login(personas.contact_a).get(reverse("web:dashboard")).content.decode()
    assert 'data-figure="open_incidents">0<' in customer_a
    assert 'data-service="web"' not in customer_a
    customer_b = login(personas.contact_b).get(reverse("web:dashboard")).content.decode()
    assert 'data-figure="open_incidents">1<' in customer_b
    assert "bz-home-major_outage" in customer_b.split('data-service="web"')[1].split("</tr>")[0]


def test_language_switch_is_remembered_on_the_account(client, personas):
    client.post(reverse("accounts:login"), {"username": "agent", "password": PASSWORD})
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "仪表盘" in page

    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    personas.agent.refresh_from_db()
    assert personas.agent.language == "en"
    assert "Dashboard" in client.get(reverse("web:dashboard")).content.decode()

    # a new browser (no cookie) still gets the person's language after signing in
    from django.test import Client

    other = Client(headers={"Accept-Language": "zh-CN"})
    other.post(reverse("accounts:login"), {"username": "agent", "password": PASSWORD})
    assert "Dashboard" in other.get(reverse("web:dashboard")).content.decode()


def test_an_unknown_language_is_refused_without_change(login, personas):
    client = login(personas.agent)
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    personas.agent.refresh_from_db()
    assert personas.agent.language == "zh-hans"


def test_static_assets_are_served_from_the_package(client, db):
    script = client.get("/static/vendor/htmx/htmx.min.js")
    assert script.status_code == 200
    assert b"htmx" in b"".join(script.streaming_content)
    page = client.get(reverse("accounts:login")).content.decode()
    assert "/static/vendor/pico/pico.min.css" in page
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]


def test_missing_migrations_fail_the_suite(db):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_dashboard_counts_the_messages_the_delivery_log_shows(login, personas):
    from django.db import transaction

    from baozhang.notify import services
    from baozhang.notify.models import Channel

    hook = Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    with transaction.atomic():
        services.enqueue(hook, "test", {}, dedup_key="dash-1")

    def pending(user):  # type: ignore[no-untyped-def]
        page = login(user).get(reverse("web:dashboard")).content.decode()
        return "1 pending" in page or "待发送 1" in page

    # (A customer's people read their channels' messages in the delivery log; their home
    # page holds no delivery figures.)
    assert pending(personas.director)  # holds the delivery-log capability
    assert not pending(personas.agent)  # the log shows an agent only personal channels
