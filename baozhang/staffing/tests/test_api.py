"""/api/v1/staffing/…: the same services as the pages, JSON errors, customers see nothing."""

from __future__ import annotations

import pytest

from baozhang.staffing import services
from baozhang.staffing.models import Seat, Shift

from .conftest import MONDAY, at


def _post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


def test_seats_shifts_and_coverage_by_api(personas, api_client, staff) -> None:  # type: ignore[no-untyped-def]
    director = api_client(personas.director)
    seat = _post(director, "/api/v1/staffing/seats", {"name": "A1", "extension": "8001"})
    assert seat.status_code == 201, seat.content
    seat_id = seat.json()["id"]
    shift = _post(
        director,
        "/api/v1/staffing/shifts",
        {
            "person_id": staff[0].pk,
            "seat_id": seat_id,
            "start": "2026-09-14T09:00:00+08:00",
            "end": "2026-09-14T18:00:00+08:00",
            "note": "值班长",
        },
    )
    assert shift.status_code == 201, shift.content
    assert shift.json()["person_name"] == "li"
    listed = director.get(
        "/api/v1/staffing/shifts",
        {"start": "2026-09-14T00:00:00+08:00", "end": "2026-09-15T00:00:00+08:00"},
    )
    assert [s["id"] for s in listed.json()["items"]] == [shift.json()["id"]]

    coverage = director.get(
        "/api/v1/staffing/coverage",
        {"start": "2026-09-14T00:00:00+08:00", "end": "2026-09-15T00:00:00+08:00"},
    )
    assert coverage.status_code == 200, coverage.content
    body = coverage.json()
    assert body["ok"] is False
    assert body["seats"] == {"have": 1, "required": 3, "missing": 2}
    day_gap = next(g for g in body["gaps"] if g["kind"] == "day_shift")
    assert (day_gap["start"], day_gap["missing"]) == ("2026-09-14T01:00:00Z", 1)
    assert [g["kind"] for g in body["gaps"]] == ["covered_hours", "day_shift", "covered_hours"]

    assert director.delete(f"/api/v1/staffing/shifts/{shift.json()['id']}").status_code == 204
    assert director.delete(f"/api/v1/staffing/seats/{seat_id}").status_code == 204
    assert not Shift.objects.exists() and not Seat.objects.exists()


def test_the_promise_by_api(personas, api_client) -> None:  # type: ignore[no-untyped-def]
    director = api_client(personas.director)
    assert director.get("/api/v1/staffing/promise").json()["min_staff"] == 5
    changed = director.patch(
        "/api/v1/staffing/promise", {"min_staff": 7}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["min_staff"] == 7


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/staffing/seats", None),
        ("post", "/api/v1/staffing/seats", {"name": "X"}),
        ("patch", "/api/v1/staffing/seats/{seat_id}", {"name": "Y"}),
        ("delete", "/api/v1/staffing/seats/{seat_id}", None),
        ("get", "/api/v1/staffing/shifts", None),
        ("get", "/api/v1/staffing/shifts/{shift_id}", None),
        (
            "post",
            "/api/v1/staffing/shifts",
            {"person_id": 1, "start": "2026-09-14T09:00:00Z", "end": "2026-09-14T10:00:00Z"},
        ),
        ("delete", "/api/v1/staffing/shifts/{shift_id}", None),
        ("get", "/api/v1/staffing/promise", None),
        ("patch", "/api/v1/staffing/promise", {"min_staff": 1}),
        (
            "get",
            "/api/v1/staffing/coverage?start=2026-09-14T00:00:00Z&end=2026-09-15T00:00:00Z",
            None,
        ),
    ],
)
def test_a_customer_contact_gets_404_on_every_staffing_path(  # type: ignore[no-untyped-def]
    personas, api_client, seats, method, path, body
):
    shift = services.add_shift(
        personas.director,
        person=personas.agent,
        seat=seats[0],
        start=at(MONDAY, "09:00"),
        end=at(MONDAY, "18:00"),
    )
    client = api_client(personas.contact_a)
    url = path.format(seat_id=seats[0].pk, shift_id=shift.pk)
    kw = {"content_type": "application/json"} if body is not None else {}
    response = (
        getattr(client, method)(url, body, **kw)
        if body is not None
        else getattr(client, method)(url)
    )
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    assert Shift.objects.count() == 1 and Seat.objects.count() == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-09-14T18:00:00+08:00", "end": "2026-09-14T09:00:00+08:00"}, "end"),
        ({"start": "not a time", "end": "2026-09-14T09:00:00+08:00"}, "start"),
        ({"start": "2026-09-14T09:00:00", "end": "2026-09-14T18:00:00+08:00"}, "start"),
        ({"start": "2026-09-14T09:00:00+08:00"}, "end"),
        (
            {
                "person": "contact",
                "start": "2026-09-14T09:00:00+08:00",
                "end": "2026-09-14T18:00:00+08:00",
            },
            "person_id",
        ),
        (
            {
                "seat_id": 999999,
                "start": "2026-09-14T09:00:00+08:00",
                "end": "2026-09-14T18:00:00+08:00",
            },
            "seat_id",
        ),
    ],
)
def test_a_bad_shift_is_422_with_the_field_at_fault(personas, api_client, body, field) -> None:  # type: ignore[no-untyped-def]
    person = personas.contact_a if body.pop("person", "") == "contact" else personas.agent
    response = _post(
        api_client(personas.director), "/api/v1/staffing/shifts", {"person_id": person.pk, **body}
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/staffing/seats", {"name": ""}, "name"),
        ("/api/v1/staffing/seats", {"location": "x"}, "name"),
    ],
)
def test_bad_seats_are_422(personas, api_client, path, body, field) -> None:  # type: ignore[no-untyped-def]
    response = _post(api_client(personas.director), path, body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-09-15T00:00:00Z", "end": "2026-09-14T00:00:00Z"}, "end"),
        ({"start": "2026-01-01T00:00:00Z", "end": "2026-09-14T00:00:00Z"}, "end"),
        ({"start": "2026-09-14T00:00:00Z"}, "end"),
    ],
)
def test_a_bad_coverage_window_is_422(personas, api_client, query, field) -> None:  # type: ignore[no-untyped-def]
    response = api_client(personas.director).get("/api/v1/staffing/coverage", query)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


def test_a_bad_promise_is_422(personas, api_client) -> None:  # type: ignore[no-untyped-def]
    response = api_client(personas.director).patch(
        "/api/v1/staffing/promise",
        {"calendar_key": "nowhere", "min_staff": -1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "min_staff" in response.json()["error"]["fields"]
    response = api_client(personas.director).patch(
        "/api/v1/staffing/promise", {"calendar_key": "nowhere"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "calendar_key" in response.json()["error"]["fields"]
