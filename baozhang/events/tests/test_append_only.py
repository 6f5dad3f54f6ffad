"""Q1: events are written once and never edited or deleted, by any code path."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from baozhang.events.models import AppendOnlyError, Event, EventKind
from baozhang.events.services import record
from baozhang.events.tests.reading import reads


@pytest.fixture
def event(personas):  # type: ignore[no-untyped-def]
    return record(EventKind.UPDATED, personas.org_a, actor=personas.admin, after={"name": "x"})


def test_saving_an_event_again_is_refused(event):
    event.summary = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()


def test_bulk_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(summary="edited")


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET summary = 'edited' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.summary == ""


@pytest.mark.postgres_only  # SQLite's DELETE is guarded in the application only
def test_postgresql_refuses_a_raw_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_records_who_when_what_and_before_after(personas):
    from baozhang.accounts import services

    services.update_organisation(personas.director, personas.org_a, name="客户甲（新名）")

    event = Event.objects.filter(object_id=str(personas.org_a.pk), kind=EventKind.UPDATED).get()
    assert event.actor == personas.director
    assert event.object_type == "accounts.organisation"
    assert event.organisation == personas.org_a
    assert event.before == {"name": "客户甲 Customer A"}
    assert event.after == {"name": "客户甲（新名）"}


def test_recording_appends_the_event_build_makes_of_the_same_arguments(personas):
    import datetime as dt

    from django.forms.models import model_to_dict

    from baozhang.events.services import build
    from baozhang.events.text import said

    at = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    arguments = {
        "actor": personas.admin,
        "before": {"name": "a"},
        "after": {"name": "b"},
        "summary": said("Organisation %(name)s renamed", name="b"),
        "organisation": None,
        "parent": personas.org_b,
        "at": at,
    }
    made = build(EventKind.UPDATED, personas.org_a, **arguments)
    recorded = record(EventKind.UPDATED, personas.org_a, **arguments)
    assert made.pk is None and Event.objects.get(pk=recorded.pk) == recorded
    assert model_to_dict(made, exclude=["id"]) == model_to_dict(recorded, exclude=["id"])
    assert (recorded.parent_id, recorded.organisation, recorded.summary_id) == (
        str(personas.org_b.pk),
        None,
        "Organisation %(name)s renamed",
    )
    with pytest.raises(TypeError):
        record(EventKind.UPDATED, personas.org_a, colour="red")


def test_the_admin_shows_events_read_only(client, personas, event):
    client.force_login(
        personas.admin, backend="baozhang.accounts.backends.ActiveOrganisationBackend"
    )
    page = client.get(f"/admin/events/event/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/events/event/add/").status_code == 403
    assert (
        client.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Event.objects.filter(pk=event.pk).exists()


def test_admin_edits_are_recorded_as_events(client, personas):
    client.force_login(
        personas.admin, backend="baozhang.accounts.backends.ActiveOrganisationBackend"
    )
    url = f"/admin/accounts/organisation/{personas.org_b.pk}/change/"
    response = client.post(
        url,
        {
            "name": "Customer B renamed",
            "kind": "customer",
            "language": "en",
            "email_domains": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = Event.objects.filter(object_id=str(personas.org_b.pk), kind=EventKind.UPDATED).get()
    assert event.after == {"name": "Customer B renamed"}
    assert event.before == {"name": "Customer B"}
    assert event.actor == personas.admin
    assert reads(event) == ("经管理后台", "in the admin site")
