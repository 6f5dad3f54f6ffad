"""The fault process moves forward only (F1), records each step (F3, F4, Q1) and ends in
a review with preventive actions (Q2)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.incidents import services
from baozhang.incidents.models import IncidentStatus, IncidentUpdate, Source
from baozhang.incidents.tests.conftest import minutes_ago
from baozhang.incidents.tests.reading import entry_reads


def test_an_incident_goes_through_the_whole_process(personas, incident_factory):
    incident = incident_factory(detected_at=minutes_ago(40))

    services.acknowledge(personas.agent, incident)
    services.dispatch(
        personas.agent,
        incident,
        engineer=personas.engineer,
        location="IDC 2, rack B7",
        note="bring a spare PSU",
    )
    services.mitigate(personas.engineer, incident, "Standby switch running.")
    services.resolve(personas.engineer, incident, cause="PSU", resolution="PSU replaced.")
    review = services.review(
        personas.director,
        incident,
        cause="An aged power supply.",
        prevention="Replace PSUs older than five years.",
        actions=[
            {"description": "Audit PSU ages", "owner": personas.engineer, "due_on": None},
            {
                "description": "Buy spares",
                "owner": personas.director,
                "due_on": dt.date(2026, 12, 31),
            },
        ],
    )

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REVIEWED
    for step in ("acknowledged", "dispatched", "mitigated", "resolved", "reviewed"):
        assert getattr(incident, f"{step}_at") is not None, step
    assert incident.engineer == personas.engineer
    assert incident.dispatch_location == "IDC 2, rack B7"
    assert [(a.description, a.owner) for a in review.actions.order_by("id")] == [
        ("Audit PSU ages", personas.engineer),
        ("Buy spares", personas.director),
    ]
    statuses = list(incident.updates.values_list("status", flat=True))
    assert statuses == [
        "detected",
        "acknowledged",
        "dispatched",
        "mitigated",
        "resolved",
        "reviewed",
    ]
    changes = Event.objects.filter(
        object_type="incidents.incident",
        object_id=str(incident.pk),
        kind=EventKind.STATE_CHANGED,
    ).order_by("id")
    assert [e.after["status"] for e in changes] == [
        "acknowledged",
        "dispatched",
        "mitigated",
        "resolved",
        "reviewed",
    ]
    assert all(e.organisation_id is None for e in changes)  # staff-only
    said = [reads(e) for e in changes]
    assert said[:2] == [
        ("agent 已确认", "acknowledged by agent"),
        (
            "派 engineer 前往 IDC 2, rack B7：bring a spare PSU",
            "engineer engineer sent to IDC 2, rack B7: bring a spare PSU",
        ),
    ]
    # what a person typed stays as typed
    assert said[2] == ("Standby switch running.", "Standby switch running.")
    # the timeline says the same, one language at a time, in the reader's
    timeline = [entry_reads(u) for u in incident.updates.order_by("at", "id")]
    assert timeline[1:3] == [
        ("agent 已确认", "acknowledged by agent"),
        (
            "派 engineer 前往 IDC 2, rack B7：bring a spare PSU",
            "engineer engineer sent to IDC 2, rack B7: bring a spare PSU",
        ),
    ]
    assert timeline[3] == ("Standby switch running.", "Standby switch running.")
    assert timeline[5] == said[4]
    assert said[4] == (
        "复盘完成：An aged power supply.；预防：Replace PSUs older than five years.",
        "reviewed: An aged power supply.; prevention: Replace PSUs older than five years.",
    )

    action = review.actions.order_by("id").first()
    services.complete_action(personas.engineer, action)
    action.refresh_from_db()
    assert action.done_at is not None
    with pytest.raises(ValidationError, match="already done"):
        services.complete_action(personas.engineer, action)


def test_steps_may_be_skipped(personas, incident_factory):
    incident = incident_factory()

    services.resolve(personas.agent, incident, cause="", resolution="Came back by itself.")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.acknowledged_at is None


def test_going_back_is_refused_with_a_clear_message(personas, incident_factory):
    incident = incident_factory()
    services.mitigate(personas.agent, incident, "Workaround in place.")

    with pytest.raises(ValidationError) as refused:
        services.acknowledge(personas.agent, incident)
    message = refused.value.message_dict["status"][0]
    assert incident.reference in message
    assert "cannot become Acknowledged" in message and "/" in message
    with pytest.raises(ValidationError):
        services.dispatch(personas.agent, incident, engineer=personas.engineer, location="IDC")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.MITIGATED


def test_a_resolved_incident_cannot_be_resolved_again_or_reviewed_twice(personas, incident_factory):
    incident = incident_factory()
    services.resolve(personas.agent, incident, cause="", resolution="Done.")

    with pytest.raises(ValidationError):
        services.resolve(personas.agent, incident, cause="", resolution="Again.")
    services.review(personas.director, incident, cause="c", prevention="p")
    with pytest.raises(ValidationError, match="only a resolved incident"):
        services.review(personas.director, incident, cause="c", prevention="p")


def test_an_open_incident_cannot_be_reviewed(personas, incident_factory):
    incident = incident_factory()

    with pytest.raises(ValidationError, match="only a resolved incident"):
        services.review(personas.director, incident, cause="c", prevention="p")


def test_a_review_action_needs_a_staff_owner(personas, incident_factory):
    incident = incident_factory()
    services.resolve(personas.agent, incident, cause="", resolution="Done.")

    with pytest.raises(ValidationError, match="owner of action 1"):
        services.review(
            personas.director,
            incident,
            cause="c",
            prevention="p",
            actions=[{"description": "x", "owner": personas.contact_a, "due_on": None}],
        )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED


def test_an_engineer_may_be_dispatched_again_while_dispatched(personas, incident_factory):
    incident = incident_factory()
    first = services.dispatch(
        personas.agent, incident, engineer=personas.engineer, location="IDC 1"
    ).dispatched_at

    services.dispatch(personas.agent, incident, engineer=personas.director, location="IDC 2")

    incident.refresh_from_db()
    assert incident.engineer == personas.director
    assert incident.dispatch_location == "IDC 2"
    assert incident.dispatched_at == first


def test_a_customer_contact_cannot_be_dispatched(personas, incident_factory):
    incident = incident_factory()

    with pytest.raises(ValidationError, match="operator's staff"):
        services.dispatch(personas.agent, incident, engineer=personas.contact_a, location="IDC")


def test_times_in_the_future_or_before_detection_are_refused(personas, incident_factory):
    incident = incident_factory(detected_at=minutes_ago(10))

    with pytest.raises(ValidationError, match="future"):
        services.resolve(
            personas.agent,
            incident,
            cause="",
            resolution="x",
            at=timezone.now() + dt.timedelta(hours=1),
        )
    with pytest.raises(ValidationError, match="before the incident was detected"):
        services.resolve(personas.agent, incident, cause="", resolution="x", at=minutes_ago(20))


@pytest.mark.parametrize("who", ["contact_a", "security"])
def test_only_people_who_work_incidents_may_act(who, personas, incident_factory):
    incident = incident_factory()
    person = getattr(personas, who)

    with pytest.raises(PermissionDenied):
        services.acknowledge(person, incident)
    with pytest.raises(PermissionDenied):
        services.post_update(person, incident, message="hi", is_public=True)
    with pytest.raises(PermissionDenied):
        services.open_incident(
            person,
            service=None,
            title="x",
            severity="minor",
            classification="other",
            responsibility="inside",
        )


def test_an_incident_opened_from_a_ticket_links_it(personas, hosting):
    from baozhang.desk import services as desk

    ticket = desk.open_ticket(
        None,
        customer=personas.org_a,
        kind="fault",
        subject="官网打不开 Site down",
        contact=personas.contact_a,
        priority="P2",
    )

    incident = services.open_from_ticket(personas.agent, ticket, service=hosting)

    assert incident.source == Source.TICKET
    assert incident.title == "官网打不开 Site down"
    assert incident.severity == "major" and incident.restore_target_minutes == 120
    assert list(incident.tickets.all()) == [ticket]
    assert set(incident.customers.all()) == {personas.org_a, personas.org_b}
    with pytest.raises(ValidationError, match="already linked"):
        services.open_from_ticket(personas.agent, ticket, service=hosting)


def test_references_count_up_within_a_day(personas, incident_factory):
    day = timezone.localtime(minutes_ago(1)).strftime("%Y%m%d")
    first = incident_factory(detected_at=minutes_ago(1))
    second = incident_factory(detected_at=minutes_ago(1))

    assert first.reference == f"INC-{day}-001"
    assert second.reference == f"INC-{day}-002"


def test_an_emergency_is_recorded_with_its_procedure(personas, incident_factory):
    incident = incident_factory()

    services.update_fields(
        personas.director,
        incident,
        is_emergency=True,
        emergency_procedure="Switched DNS to the standby site per plan EP-3.",
    )

    incident.refresh_from_db()
    assert incident.is_emergency
    note = incident.updates.filter(is_public=False).last()
    assert entry_reads(note) == (
        "紧急事件记录：Switched DNS to the standby site per plan EP-3.",
        "emergency event recorded: Switched DNS to the standby site per plan EP-3.",
    )
    event = Event.objects.filter(object_id=str(incident.pk), kind=EventKind.UPDATED).last()
    assert event.after["is_emergency"] is True


def test_unknown_fields_cannot_be_changed(personas, incident_factory):
    incident = incident_factory()

    with pytest.raises(ValidationError) as refused:
        services.update_fields(personas.agent, incident, status="resolved")
    assert "status" in refused.value.message_dict


def test_an_incident_opened_without_a_message_says_so_in_the_readers_language(
    personas, incident_factory
):
    incident = incident_factory()

    assert entry_reads(incident.updates.get()) == (
        "发现故障（紧急），正在处理。",
        "A fault was detected (Critical); we are working on it.",
    )


@pytest.mark.parametrize(
    ("written", "by_system", "read"),
    [
        ("agent 已确认 / acknowledged by agent", False, ("agent 已确认", "acknowledged by agent")),
        (
            "派 engineer 前往 IDC 2 / engineer engineer dispatched to IDC 2\nspare PSU",
            False,
            ("派 engineer 前往 IDC 2：spare PSU", "engineer engineer sent to IDC 2: spare PSU"),
        ),
        (
            "发现故障，正在处理。 / A fault was detected (critical); we are working on it.",
            False,
            (
                "发现故障（紧急），正在处理。",
                "A fault was detected (Critical); we are working on it.",
            ),
        ),
        (
            "所有监控均已恢复正常（web-1），自动恢复。 / Recovered automatically (web-1).",
            True,
            ("所有监控均已恢复正常（web-1），自动恢复。", "Recovered automatically (web-1)."),
        ),
    ],
)
def test_an_entry_of_ours_stored_glued_reads_in_the_readers_language(
    personas, incident_factory, written, by_system, read
):
    incident = incident_factory()
    old = IncidentUpdate.objects.create(
        incident=incident,
        at=incident.detected_at,
        author=None if by_system else personas.agent,
        status=incident.status,
        message=written,
        is_public=False,
    )

    _migrated(old)

    assert entry_reads(old) == read


def test_a_pair_a_person_typed_on_the_timeline_stays_as_typed(personas, incident_factory):
    incident = incident_factory()
    typed = services.post_update(
        personas.agent, incident, message="正在排查 / investigating", is_public=True
    )
    _migrated(typed)

    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert IncidentUpdate.objects.get(pk=typed.pk).text == "正在排查 / investigating"


def _migrated(entry: IncidentUpdate) -> None:
    """What migration 0006 does to an entry written before it."""
    migration = importlib.import_module("baozhang.incidents.migrations.0006_update_text_id")
    found = migration.said_of(entry.message, by_system=entry.author_id is None)
    if found is not None:
        entry.text_id, entry.params = found
        entry.save(update_fields=["text_id", "params"])
