"""S2–S5: draft → negotiating → active → under review → ended, and a service ends only
after its final review is signed by both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.sla import services
from baozhang.sla.models import AgreementStatus, ReviewStatus

OCT = dt.datetime(2026, 10, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
NOV = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_negotiation_needs_a_target(personas, agreement_factory):
    agreement = agreement_factory()
    with pytest.raises(ValidationError) as exc:
        services.transition(personas.director, agreement, "negotiate")
    assert "target" in " ".join(exc.value.messages)


def test_activation_needs_a_start_date(personas, agreement_factory):
    agreement = agreement_factory()
    services.add_target(
        personas.director, agreement, name="x", kind="availability", objective="99.9"
    )
    services.transition(personas.director, agreement, "negotiate")
    with pytest.raises(ValidationError):
        services.transition(personas.director, agreement, "activate")


def test_the_whole_lifecycle_with_signatures_of_both_sides(personas, active_agreement):
    agreement = active_agreement
    services.transition(personas.director, agreement, "begin_review")
    review = services.open_review(
        personas.director, agreement, period_start=OCT, period_end=NOV, is_final=True, now=NOV
    )

    with pytest.raises(ValidationError) as exc:
        services.transition(personas.director, agreement, "end")
    assert "signed by both sides" in " ".join(exc.value.messages)

    services.sign_review(personas.director, review)
    with pytest.raises(ValidationError):  # the customer must give satisfaction first
        services.sign_review(personas.contact_a, review)
    services.update_review(personas.contact_a, review, satisfaction=4)
    review = services.sign_review(personas.contact_a, review)
    assert review.status == ReviewStatus.SIGNED

    agreement = services.transition(personas.director, agreement, "end")
    assert agreement.status == AgreementStatus.ENDED
    assert agreement.ends_on is not None
    steps = list(
        Event.objects.filter(
            object_type="sla.agreement", object_id=str(agreement.pk), kind=EventKind.STATE_CHANGED
        )
        .order_by("id")
        .values_list("after__status", flat=True)
    )
    assert steps == ["negotiating", "active", "under_review", "ended"]


def test_a_customer_of_another_organisation_cannot_sign(personas, active_agreement):
    services.transition(personas.director, active_agreement, "begin_review")
    review = services.open_review(
        personas.director,
        active_agreement,
        period_start=OCT,
        period_end=NOV,
        is_final=True,
        now=NOV,
    )
    with pytest.raises(PermissionDenied):
        services.sign_review(personas.contact_b, review)


def test_terms_are_fixed_once_active(personas, active_agreement):
    with pytest.raises(ValidationError):
        services.add_target(
            personas.director, active_agreement, name="y", kind="max_downtime", objective="60"
        )
    with pytest.raises(ValidationError):
        services.update_agreement(personas.director, active_agreement, monthly_fee="1.00")
    services.update_agreement(personas.director, active_agreement, title="新名称 New title")


def test_only_agreement_managers_change_agreements(personas, agreement_factory):
    with pytest.raises(PermissionDenied):
        services.create_agreement(personas.agent, customer=personas.org_a, reference="X", title="x")


def test_a_signed_review_cannot_change(personas, active_agreement):
    services.transition(personas.director, active_agreement, "begin_review")
    review = services.open_review(
        personas.director,
        active_agreement,
        period_start=OCT,
        period_end=NOV,
        is_final=True,
        now=NOV,
    )
    services.sign_review(personas.director, review)
    services.update_review(personas.contact_a, review, satisfaction=5)
    services.sign_review(personas.contact_a, review)
    with pytest.raises(ValidationError):
        services.update_review(personas.director, review, notes="later edit")


def test_the_agreements_timeline_shows_the_changes_of_its_parts(personas, active_agreement):
    from baozhang.events.selectors import timeline

    services.record_downtime(
        personas.director,
        active_agreement,
        start=OCT,
        end=OCT + dt.timedelta(minutes=5),
        description="闪断 blip",
    )
    labels = [(e.kind, e.object_type) for e in timeline(personas.contact_a, active_agreement)]
    assert ("created", "sla.agreement") in labels
    assert ("created", "sla.target") in labels
    assert ("created", "sla.exemptionclause") in labels
    assert ("created", "sla.downtime") in labels
    assert ("state_changed", "sla.agreement") in labels


def test_an_old_final_review_does_not_end_a_later_round(personas, active_agreement):
    services.transition(personas.director, active_agreement, "begin_review")
    review = services.open_review(
        personas.director,
        active_agreement,
        period_start=OCT,
        period_end=NOV,
        is_final=True,
        now=NOV,
    )
    services.sign_review(personas.director, review)
    services.update_review(personas.contact_a, review, satisfaction=4)
    services.sign_review(personas.contact_a, review)
    services.transition(personas.director, active_agreement, "resume")
    services.transition(personas.director, active_agreement, "begin_review")

    with pytest.raises(ValidationError):
        services.transition(personas.director, active_agreement, "end")


def test_figures_cannot_change_under_a_signature(personas, active_agreement):
    services.transition(personas.director, active_agreement, "begin_review")
    review = services.open_review(
        personas.director,
        active_agreement,
        period_start=OCT,
        period_end=NOV,
        is_final=True,
        now=NOV,
    )
    services.sign_review(personas.director, review)
    with pytest.raises(ValidationError):
        services.reevaluate_review(personas.director, review, now=NOV)
    with pytest.raises(ValidationError):
        services.update_review(personas.director, review, notes="changed after signing")
    services.update_review(personas.contact_a, review, satisfaction=3)  # the customer's own


def test_customers_never_see_our_cost(personas, active_agreement, api_client, login):
    body = api_client(personas.contact_a).get(f"/api/v1/agreements/{active_agreement.pk}").json()
    assert all(t["estimated_monthly_cost"] is None for t in body["targets"])
    page = login(personas.contact_a).get(f"/agreements/{active_agreement.pk}/").content.decode()
    assert 'data-testid="cost-benefit"' not in page
    staff = api_client(personas.director).get(f"/api/v1/agreements/{active_agreement.pk}").json()
    assert staff["targets"][0]["estimated_monthly_cost"] is not None


def test_a_naive_time_is_a_field_error_not_a_crash(personas, active_agreement, api_client):
    response = api_client(personas.director).post(
        f"/api/v1/agreements/{active_agreement.pk}/reviews",
        {"start": "2026-10-01T00:00:00", "end": "2026-11-01T00:00:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"start", "end"}


@pytest.mark.parametrize(
    "status,binds",
    [
        (AgreementStatus.DRAFT, False),
        (AgreementStatus.NEGOTIATING, False),
        (AgreementStatus.ACTIVE, True),
        (AgreementStatus.UNDER_REVIEW, True),
        (AgreementStatus.ENDED, False),
    ],
)
def test_an_agreement_sets_the_desks_clocks_only_while_in_force(
    personas, active_agreement, status, binds
):  # type: ignore[no-untyped-def]
    from baozhang.desk import services as desk
    from baozhang.sla.models import Agreement, Target

    # Given customer A's agreement with a 15-minute first response for P1, in `status`
    Target.objects.create(
        agreement=active_agreement,
        name="首次响应 First response",
        kind="response_time",
        objective=100,
        clock="first_response",
        calendar_key="24x7",
        priority_limits={"P1": "PT15M"},
    )
    Agreement.objects.filter(pk=active_agreement.pk).update(status=status)

    # When customer A opens a P1 fault
    ticket = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="down", priority="P1", now=OCT
    )

    # Then the first response follows the agreement only while it is in force
    clock = ticket.clocks.get(kind="first_response")
    assert (ticket.agreement_id == active_agreement.pk) is binds
    assert (clock.source.startswith(active_agreement.reference)) is binds
    assert Agreement.objects.in_force().filter(pk=active_agreement.pk).exists() is binds


def test_a_review_evaluated_again_says_so_in_each_readers_language(personas, active_agreement):
    review = services.open_review(
        personas.director,
        active_agreement,
        period_start=OCT,
        period_end=NOV,
        is_final=False,
        now=NOV,
    )
    services.reevaluate_review(personas.director, review, now=NOV)
    event = Event.objects.get(summary_id="review evaluated again")
    assert reads(event) == ("评审已重新评估", "review evaluated again")
