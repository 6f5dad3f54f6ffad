"""Roster pages: the week, the gap list ahead, adding and removing shifts, copying a week,
the promise and seats; a customer's people find nothing at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from baozhang.staffing import services
from baozhang.staffing.models import CoveragePromise, Seat, Shift

from .conftest import SH, at

PAGES = [
    ("get", "staffing:roster", {}),
    ("post", "staffing:shift_add", {}),
    ("post", "staffing:shift_delete", {"pk": "shift"}),
    ("post", "staffing:copy_week", {}),
    ("get", "staffing:promise", {}),
    ("post", "staffing:promise", {}),
    ("get", "staffing:seats", {}),
    ("post", "staffing:seats", {}),
    ("post", "staffing:seat_toggle", {"pk": "seat"}),
]


def _url(name, kwargs, shift, seat):  # type: ignore[no-untyped-def]
    resolved = {k: (shift.pk if v == "shift" else seat.pk) for k, v in kwargs.items()}
    return reverse(name, kwargs=resolved)


@pytest.mark.parametrize(("method", "name", "kwargs"), PAGES)
def test_a_customer_contact_gets_404_on_every_staffing_page(  # type: ignore[no-untyped-def]
    personas, login, seats, method, name, kwargs
):
    shift = services.add_shift(
        personas.director,
        person=personas.agent,
        seat=seats[0],
        start=at(dt.date(2026, 9, 14), "09:00"),
        end=at(dt.date(2026, 9, 14), "18:00"),
    )
    client = login(personas.contact_a)
    response = getattr(client, method)(_url(name, kwargs, shift, seats[0]))
    assert response.status_code == 404
    assert Shift.objects.count() == 1 and Seat.objects.filter(is_active=True).count() == 3


def test_an_agent_sees_the_roster_but_may_not_change_it(personas, login, seats) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.agent)
    page = client.get(reverse("staffing:roster"))
    assert page.status_code == 200
    assert "Add a shift" not in page.content.decode() and "添加班次" not in page.content.decode()
    assert 'data-testid="shift-form"' not in page.content.decode()
    assert client.post(reverse("staffing:copy_week")).status_code == 403
    assert client.post(reverse("staffing:seats"), {"name": "X"}).status_code == 403


def test_the_roster_lists_the_gaps_ahead_highlighted(personas, login, roster, staff) -> None:  # type: ignore[no-untyped-def]
    today = timezone.now().astimezone(SH).date()
    roster(today - dt.timedelta(days=1), 17)
    gap_day = today + dt.timedelta(days=3)
    services.remove_shift(
        personas.director, Shift.objects.get(start=at(gap_day, "09:00"), seat__name="席位 1")
    )
    client = login(personas.director)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("staffing:roster"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="gaps"' in html
    assert f"{gap_day:%Y-%m-%d}" in html and "bz-gap" in html
    # Only that gap: one row.
    assert html.count('<tr class="bz-gap') == 1


def test_no_gaps_is_said_plainly(personas, login, roster) -> None:  # type: ignore[no-untyped-def]
    today = timezone.now().astimezone(SH).date()
    roster(today - dt.timedelta(days=1), 17)
    html = login(personas.director).get(reverse("staffing:roster")).content.decode()
    assert 'data-testid="no-gaps"' in html


def test_a_director_adds_removes_and_copies_shifts_from_the_page(personas, login, seats) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.director)
    monday = dt.date(2026, 9, 14)
    added = client.post(
        reverse("staffing:shift_add"),
        {
            "shift-person": personas.agent.pk,
            "shift-seat": seats[0].pk,
            "shift-start": "2026-09-14T09:00",
            "shift-end": "2026-09-14T18:00",
            "shift-note": "值班长",
        },
    )
    assert added.status_code == 302 and "week=2026-09-14" in added["Location"]
    shift = Shift.objects.get()
    assert shift.start == at(monday, "09:00") and shift.seat == seats[0]
    week = client.get(reverse("staffing:roster"), {"week": "2026-09-16"}).content.decode()
    assert f'data-shift="{shift.pk}"' in week and "09:00–18:00" in week

    copied = client.post(reverse("staffing:copy_week"), {"week": "2026-09-21"})
    assert copied.status_code == 302
    assert Shift.objects.filter(start=at(monday, "09:00", 7)).count() == 1

    removed = client.post(reverse("staffing:shift_delete", kwargs={"pk": shift.pk}))
    assert removed.status_code == 302
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_a_bad_shift_comes_back_with_the_field_error(personas, login) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.director)
    response = client.post(
        reverse("staffing:shift_add"),
        {
            "shift-person": personas.agent.pk,
            "shift-start": "2026-09-14T18:00",
            "shift-end": "2026-09-14T09:00",
        },
    )
    assert response.status_code == 200
    assert response.context["shift_form"].errors["end"]
    assert not Shift.objects.exists()


def test_the_promise_page_saves_the_settings(personas, login) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.director)
    assert client.get(reverse("staffing:promise")).status_code == 200
    saved = client.post(
        reverse("staffing:promise"),
        {
            "calendar_key": "cn-5x8",
            "duty_on_rest_days": "on",
            "min_on_duty": 1,
            "min_day_shift": 3,
            "day_shift_start": "08:30",
            "day_shift_end": "17:30",
            "min_seats": 3,
            "min_staff": 6,
        },
    )
    assert saved.status_code == 302
    promise = CoveragePromise.objects.get()
    assert (promise.calendar_key, promise.min_day_shift, promise.day_shift_start) == (
        "cn-5x8",
        3,
        dt.time(8, 30),
    )


def test_seats_are_added_and_made_inactive(personas, login) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.director)
    assert (
        client.post(
            reverse("staffing:seats"), {"name": "A1", "extension": "8001", "is_active": "on"}
        ).status_code
        == 302
    )
    seat = Seat.objects.get()
    client.post(reverse("staffing:seat_toggle", kwargs={"pk": seat.pk}))
    seat.refresh_from_db()
    assert not seat.is_active


@pytest.mark.parametrize(
    ("language", "said", "unsaid"),
    [
        ("zh-hans", "班次结束时间必须晚于开始时间", "The shift must end after it starts"),
        ("en", "The shift must end after it starts", "班次结束时间必须晚于开始时间"),
    ],
)
def test_a_refused_shift_says_why_in_the_readers_language_only(  # type: ignore[no-untyped-def]
    personas, login, language, said, unsaid
) -> None:
    personas.director.language = language
    personas.director.save(update_fields=["language"])
    response = login(personas.director).post(
        reverse("staffing:shift_add"),
        {
            "shift-person": personas.agent.pk,
            "shift-start": "2026-09-14T18:00",
            "shift-end": "2026-09-14T09:00",
        },
    )
    errors = response.context["shift_form"].errors["end"]
    assert len(errors) == 1 and errors[0].startswith(said) and " / " not in errors[0]
    assert unsaid not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "said", "unsaid"),
    [
        ("zh-hans", "白班结束时间必须晚于开始时间", "The day shift must end"),
        ("en", "The day shift must end after it starts", "白班结束时间必须晚于开始时间"),
    ],
)
def test_a_refused_promise_says_why_in_the_readers_language_only(  # type: ignore[no-untyped-def]
    personas, login, language, said, unsaid
) -> None:
    personas.director.language = language
    personas.director.save(update_fields=["language"])
    response = login(personas.director).post(
        reverse("staffing:promise"),
        {
            "calendar_key": "cn-5x8",
            "min_on_duty": 1,
            "min_day_shift": 3,
            "day_shift_start": "17:30",
            "day_shift_end": "08:30",
            "min_seats": 3,
            "min_staff": 6,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["day_shift_end"]
    assert len(errors) == 1 and errors[0].startswith(said) and " / " not in errors[0]
    assert unsaid not in response.content.decode()
