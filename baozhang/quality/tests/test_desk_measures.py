"""Desk measures (D2, A3) on the dashboard and through the API, with numbers that can be
checked by hand, and isolation: a customer sees only their own organisation's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from baozhang.calls import services as calls
from baozhang.desk import services
from baozhang.desk.models import Clock, ClockKind, ClockState, Ticket
from baozhang.quality.desk_measures import desk_measures, period_bounds

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)  # a Monday, an ordinary working day
MIN = dt.timedelta(minutes=1)
OCTOBER = "start=2026-10-01&end=2026-10-31"


def measures_api(client: Client, query: str = OCTOBER, by: str = "agent") -> dict[str, Any]:
    response = client.get(f"/api/v1/desk/measures?{query}&by={by}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def answered_three(personas: Any, ticket_factory: Callable[..., Ticket]) -> list[Ticket]:
    """Three tickets of customer A, assigned to the agent, answered after 10, 20 and 40
    minutes."""
    tickets = []
    for minutes in (10, 20, 40):
        ticket = ticket_factory(now=OPENED)
        services.update_ticket(personas.agent, ticket, assignee=personas.agent, now=OPENED)
        services.reply(personas.agent, ticket, "我们正在处理 On it", now=OPENED + minutes * MIN)
        tickets.append(ticket)
    return tickets


def _settle_clocks(tickets: list[Ticket], outcomes: list[str]) -> None:
    """Given: the tickets' clocks replaced by stopped clocks with these outcomes."""
    Clock.objects.filter(ticket__in=tickets).delete()
    for ticket, state in zip(tickets, outcomes, strict=True):
        Clock.objects.create(
            ticket=ticket,
            kind=ClockKind.FIRST_RESPONSE,
            target="PT30M",
            calendar_key="24x7",
            started_at=OPENED,
            stopped_at=OPENED + 20 * MIN,
            state=state,
            breached=state == ClockState.BREACHED,
        )


def test_median_first_response_of_10_20_and_40_minutes_is_20_minutes(
    personas: Any, answered_three: list[Ticket], api_client: Callable[..., Client]
) -> None:
    data = measures_api(api_client(personas.agent))
    [row] = data["rows"]
    assert row["label"] == "agent"
    assert row["tickets"] == 3
    assert row["first_response"]["count"] == 3
    assert row["first_response"]["median_seconds"] == 20 * 60
    # 90th percentile by linear interpolation: 20 + 0.8 × (40 − 20) = 36 minutes
    assert row["first_response"]["p90_seconds"] == 36 * 60
    assert data["totals"]["first_response"]["median_seconds"] == 20 * 60


def test_sla_attainment_of_two_clocks_met_out_of_three_is_66_7_percent(
    personas: Any, answered_three: list[Ticket], login: Callable[..., Client]
) -> None:
    _settle_clocks(answered_three, [ClockState.MET, ClockState.MET, ClockState.BREACHED])
    client = login(personas.agent)
    page = client.get(reverse("measures:dashboard") + f"?{OCTOBER}&by=agent")
    assert page.status_code == 200
    text = page.content.decode()
    assert "66.7 %" in text
    assert "(2/3)" in text
    assert "20 min" in text  # the median first response


def test_a_running_clock_already_breached_counts_as_missed(
    answered_three: list[Ticket], personas: Any
) -> None:
    _settle_clocks(answered_three, [ClockState.MET, ClockState.MET, ClockState.MET])
    Clock.objects.create(
        ticket=answered_three[0],
        kind=ClockKind.RESOLUTION,
        target="PT1H",
        calendar_key="24x7",
        started_at=OPENED,
        state=ClockState.BREACHED,
        breached=True,
    )
    Clock.objects.create(  # still running and in time: not counted yet
        ticket=answered_three[1],
        kind=ClockKind.RESOLUTION,
        target="PT8H",
        calendar_key="24x7",
        started_at=OPENED,
        state=ClockState.RUNNING,
    )
    m = desk_measures(personas.agent, *period_bounds(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    assert (m.totals.clocks_met, m.totals.clocks_finished) == (3, 4)


def test_business_time_counts_only_the_calendars_hours(
    personas: Any, ticket_factory: Callable[..., Ticket], api_client: Callable[..., Client]
) -> None:
    monday_4pm = dt.datetime(2026, 10, 12, 16, 0, tzinfo=CST)
    ticket = ticket_factory(now=monday_4pm)
    Clock.objects.filter(ticket=ticket).update(calendar_key="cn-5x8")
    services.reply(personas.agent, ticket, "收到 Received", now=monday_4pm + dt.timedelta(hours=18))
    data = measures_api(api_client(personas.agent))
    first = data["totals"]["first_response"]
    assert first["median_seconds"] == 18 * 3600  # Monday 16:00 → Tuesday 10:00
    # cn-5x8 counts Monday from 16:00 to closing and Tuesday from opening to 10:00
    assert first["business_median_seconds"] == 3 * 3600


def test_reopen_rate_and_satisfaction(
    personas: Any, answered_three: list[Ticket], api_client: Callable[..., Client]
) -> None:
    first, second, _third = answered_three
    later = OPENED + dt.timedelta(hours=2)
    services.change_status(personas.agent, first, "resolved", now=later)
    services.change_status(personas.agent, second, "resolved", now=later)
    services.change_status(personas.agent, second, "open", now=later + MIN)  # reopened
    services.rate(personas.contact_a, Ticket.objects.get(pk=first.pk), 5)
    Ticket.objects.filter(pk=second.pk).update(rating=3)
    expected = {"count": 2, "average": 4.0}
    callback = _callback_model()
    if callback is not None:  # a callback's satisfaction counts as one more answer
        callback.objects.create(
            ticket=first,
            due_at=later,
            survey_token="t-1",
            satisfaction=1,
            created_at=later,
            done_at=later,
        )
        expected = {"count": 3, "average": 3.0}
    totals = measures_api(api_client(personas.agent))["totals"]
    assert totals["reopen"] == {"reopened": 1, "resolved": 2, "rate_percent": 50.0}
    assert totals["resolution"]["count"] == 1  # the reopened ticket is not resolved now
    assert totals["resolution"]["median_seconds"] == 2 * 3600
    assert totals["satisfaction"] == expected


def _callback_model() -> Any:
    try:
        return apps.get_model("desk", "Callback")
    except LookupError:
        return None


def _log_calls(
    personas: Any, customer: Any, answered: list[bool], channel: str = "hotline"
) -> None:
    for i, ok in enumerate(answered):
        calls.record_call(
            personas.agent,
            channel=channel,
            number=f"0755-8888{i:04d}",
            customer=customer,
            started_at=OPENED + i * MIN,
            answered=ok,
            duration_seconds=120 if ok else 0,
            now=OPENED + dt.timedelta(hours=1),
        )


def test_connection_rate_of_four_offered_three_answered_is_75_percent(
    personas: Any, api_client: Callable[..., Client], login: Callable[..., Client]
) -> None:
    _log_calls(personas, personas.org_a, [True, True, False, True])
    calls.record_call(  # an outbound call is not offered to the desk
        personas.agent,
        channel="hotline",
        direction="out",
        number="0755-1",
        started_at=OPENED,
        answered=False,
        now=OPENED + dt.timedelta(hours=1),
    )
    data = measures_api(api_client(personas.agent))["calls"]
    assert (data["offered"], data["answered"], data["missed"]) == (4, 3, 1)
    assert data["connection_rate_percent"] == 75.0
    assert data["by_channel"]["hotline"]["connection_rate_percent"] == 75.0
    page = login(personas.agent).get(reverse("measures:dashboard") + f"?{OCTOBER}&by=agent")
    assert 'data-testid="connection-rate">75.0 %' in page.content.decode()


def test_no_calls_offered_gives_no_rate_rather_than_zero(
    personas: Any, api_client: Callable[..., Client]
) -> None:
    data = measures_api(api_client(personas.agent))["calls"]
    assert data["offered"] == 0
    assert data["connection_rate_percent"] is None


def test_grouping_by_group_and_by_customer(
    personas: Any,
    groups: Any,
    ticket_factory: Callable[..., Ticket],
    api_client: Callable[..., Client],
) -> None:
    first_line = groups[1]
    for customer in (personas.org_a, personas.org_a, personas.org_b):
        ticket = ticket_factory(customer=customer, contact=None)
        services.update_ticket(personas.agent, ticket, group=first_line, now=OPENED)
    ticket_factory(customer=personas.org_b, contact=None)  # no group
    client = api_client(personas.agent)
    by_group = {r["label"]: r["tickets"] for r in measures_api(client, by="group")["rows"]}
    # the API answers in the default language (Chinese) when the client names none
    assert by_group == {first_line.name: 3, "无小组": 1}
    by_customer = {r["label"]: r["tickets"] for r in measures_api(client, by="customer")["rows"]}
    assert by_customer == {personas.org_a.name: 2, personas.org_b.name: 2}


def test_only_the_period_counts(
    personas: Any, ticket_factory: Callable[..., Ticket], api_client: Callable[..., Client]
) -> None:
    ticket_factory(now=dt.datetime(2026, 9, 30, 23, 59, tzinfo=CST))  # September, local time
    ticket_factory(now=dt.datetime(2026, 10, 1, 0, 0, tzinfo=CST))
    ticket_factory(now=dt.datetime(2026, 10, 31, 23, 59, tzinfo=CST))
    ticket_factory(now=dt.datetime(2026, 11, 1, 0, 0, tzinfo=CST))
    totals = measures_api(api_client(personas.agent))["totals"]
    assert totals["tickets"] == 2


def test_an_end_before_the_start_is_refused(
    personas: Any, api_client: Callable[..., Client], login: Callable[..., Client]
) -> None:
    response = api_client(personas.agent, language="en").get(
        "/api/v1/desk/measures?start=2026-10-31&end=2026-10-01"
    )
    assert response.status_code == 422
    assert "before the start" in str(response.json()["error"]["fields"])
    page = login(personas.agent).get(
        reverse("measures:dashboard") + "?start=2026-10-31&end=2026-10-01&by=agent"
    )
    assert page.status_code == 200  # the form says what is wrong and shows this month
    assert "is before the start" in page.content.decode() or "早于" in page.content.decode()


def test_a_contact_of_b_sees_none_of_as_figures(
    personas: Any,
    answered_three: list[Ticket],
    api_client: Callable[..., Client],
    login: Callable[..., Client],
) -> None:
    _log_calls(personas, personas.org_a, [True, False])
    data = measures_api(api_client(personas.contact_b), by="customer")
    assert data["rows"] == []
    assert data["totals"]["tickets"] == 0
    assert data["calls"]["offered"] == 0
    page = login(personas.contact_b).get(reverse("measures:dashboard") + f"?{OCTOBER}&by=customer")
    assert page.status_code == 200
    assert personas.org_a.name not in page.content.decode()
    own = measures_api(api_client(personas.contact_a), by="customer")
    assert [(r["label"], r["tickets"]) for r in own["rows"]] == [(personas.org_a.name, 3)]
    assert own["calls"]["offered"] == 2


def test_signed_out_people_get_neither_the_page_nor_the_figures(db: Any) -> None:
    client = Client()
    assert client.get("/api/v1/desk/measures").status_code == 401
    page = client.get(reverse("measures:dashboard"))
    assert page.status_code == 302


def test_the_dashboard_defaults_to_this_month(personas: Any, login: Callable[..., Client]) -> None:
    from django.utils import timezone

    page = login(personas.agent).get(reverse("measures:dashboard"))
    assert page.status_code == 200
    first = timezone.localdate().replace(day=1)
    assert f'value="{first:%Y-%m-%d}"' in page.content.decode()


def test_totals_by_period_are_each_periods_own_totals_read_at_once(
    personas: Any, ticket_factory: Callable[..., Ticket]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baozhang.quality.desk_measures import totals_by_period

    for day in (29, 30):  # September, local time
        ticket_factory(now=dt.datetime(2026, 9, day, 23, 59, tzinfo=CST))
    met, breached = ticket_factory(now=OPENED), ticket_factory(now=OPENED + MIN)
    _settle_clocks([met, breached], [ClockState.MET, ClockState.BREACHED])
    ticket_factory(now=dt.datetime(2026, 11, 1, 0, 0, tzinfo=CST))
    bounds = [
        period_bounds(dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        period_bounds(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        period_bounds(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        period_bounds(dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ]
    with CaptureQueriesContext(connection) as read:
        together = totals_by_period(personas.agent, bounds)
    one_by_one = [desk_measures(personas.agent, s, e, "group").totals for s, e in bounds]
    assert together == one_by_one
    assert [t.tickets for t in together] == [2, 2, 1, 0]
    assert (together[1].clocks_met, together[1].clocks_finished) == (1, 2)
    assert len(read.captured_queries) <= 3  # tickets, clocks, answers: not one per period
