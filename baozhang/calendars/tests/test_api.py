"""The calendars API: staff read, MANAGE_CALENDARS changes, anyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.calendars import services
from baozhang.calendars.models import BusinessCalendar
from baozhang.events.models import Event

WORK = "09:00-12:00 13:00-18:00"


def test_list_marks_built_ins_and_shows_ours(personas, api_client, calendar_factory):
    calendar_factory(key="gold", name="Gold")
    body = api_client(personas.agent).get("/api/v1/calendars").json()
    rows = {r["key"]: r for r in body["items"]}
    assert rows["cn-5x8"]["builtin"] is True and rows["cn-5x8"]["id"] is None
    assert rows["cn-5x8"]["monday"] == WORK and rows["cn-5x8"]["base_schedule"] == "CN"
    assert rows["gold"]["builtin"] is False and rows["gold"]["id"] > 0


def test_create_update_and_dates(personas, api_client):
    client = api_client(personas.director)
    response = client.post(
        "/api/v1/calendars",
        {"name": "Gold", "key": "gold", "base_schedule": "CN", "monday": "09:00-17:00"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    calendar_id = response.json()["id"]

    response = client.patch(
        f"/api/v1/calendars/{calendar_id}", {"sunday": "10:00-12:00"}, "application/json"
    )
    assert response.status_code == 200
    assert response.json()["sunday"] == "10:00-12:00"

    response = client.post(
        f"/api/v1/calendars/{calendar_id}/dates",
        {"date": "2026-10-12", "kind": "closed", "reason": "Move"},
        content_type="application/json",
    )
    assert response.status_code == 201
    detail = client.get(f"/api/v1/calendars/{calendar_id}").json()
    assert detail["dates"] == [{"date": "2026-10-12", "kind": "closed", "reason": "Move"}]

    assert client.delete(f"/api/v1/calendars/{calendar_id}/dates/2026-10-12").status_code == 204
    assert client.delete(f"/api/v1/calendars/{calendar_id}/dates/2026-10-12").status_code == 422
    kinds = Event.objects.filter(object_type="calendars.businesscalendar").values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["created", "updated", "updated", "updated"]


def test_create_with_bad_spans_and_time_zone_gives_field_errors(personas, api_client):
    response = api_client(personas.director, language="en").post(
        "/api/v1/calendars",
        {"name": "Bad", "key": "bad", "monday": "09:00-12:60", "time_zone": "Mars/Olympus"},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "bad time '12:60'" in fields["monday"][0]
    assert "Mars/Olympus" in fields["time_zone"][0]
    assert not BusinessCalendar.objects.exists()


def test_a_staff_member_without_manage_calendars_gets_403(personas, api_client):
    response = api_client(personas.agent).post(
        "/api/v1/calendars",
        {"name": "Gold", "key": "gold", "monday": WORK},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/calendars",
        "/api/v1/calendars/{id}",
        "/api/v1/calendars/{id}/dates",
        "/api/v1/calendars/schedules",
        "/api/v1/calendars/gold/add?start=2026-09-30T16:00:00%2B08:00&duration=PT1H",
        "/api/v1/calendars/cn-5x8/between?start=2026-09-30T16:00:00Z&end=2026-10-30T16:00:00Z",
    ],
)
def test_a_customer_contact_gets_404(personas, api_client, calendar_factory, url):
    cal = calendar_factory(key="gold")
    response = api_client(personas.contact_a).get(url.replace("{id}", str(cal.pk)))
    assert response.status_code == 404


def test_add_and_between_return_iso_results_with_the_provisional_flag(
    personas, api_client, calendar_factory
):
    cal = calendar_factory(key="gold")
    services.set_date(None, cal, date=dt.date(2026, 10, 12), kind="closed", reason="Move")
    client = api_client(personas.agent)

    body = client.get(
        "/api/v1/calendars/gold/add",
        {"start": "2026-09-30T16:00:00+08:00", "duration": "10wd"},
    ).json()
    assert body == {
        "calendar": "gold",
        "start": "2026-09-30T16:00:00+08:00",
        "duration": "10wd",
        "end": "2026-10-21T18:00:00+08:00",
        "provisional": False,
    }
    body = client.get(
        "/api/v1/calendars/cn-5x8/between",
        {"start": "2027-03-01T09:00:00+08:00", "end": "2027-03-01T17:30:00+08:00"},
    ).json()
    assert (body["duration"], body["seconds"], body["provisional"]) == ("PT7H30M", 27000, True)


def test_bad_compute_input_gives_field_errors(personas, api_client):
    client = api_client(personas.agent)
    response = client.get(
        "/api/v1/calendars/cn-5x8/add", {"start": "2026-09-30T16:00", "duration": "4h"}
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"start", "duration"}
    assert "'2026-09-30T16:00'" in fields["start"][0]
    assert client.get("/api/v1/calendars/silver/add?start=x&duration=y").status_code == 404


def test_import_schedule_through_the_api(personas, api_client):
    client = api_client(personas.director)
    response = client.post(
        "/api/v1/calendars/schedules",
        {"country": "CN", "name": "2027", "text": "year 2027\n2027-01-01 holiday New Year"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["years"] == "2027"
    body = client.get(
        "/api/v1/calendars/cn-5x8/between",
        {"start": "2027-03-01T09:00:00+08:00", "end": "2027-03-01T10:00:00+08:00"},
    ).json()
    assert body["provisional"] is False

    response = client.post(
        "/api/v1/calendars/schedules",
        {"country": "CN", "name": "bad", "text": "2027-01-01 holiday"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "year YYYY" in response.json()["error"]["fields"]["text"][0]
