"""Roster services: refusals, events, copying a week, the promise, seats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.events.models import Event
from baozhang.staffing import services
from baozhang.staffing.models import Shift

from .conftest import MONDAY, at

NINE, SIX = at(MONDAY, "09:00"), at(MONDAY, "18:00")


def test_adding_and_removing_a_shift_are_events(personas, seats, staff) -> None:  # type: ignore[no-untyped-def]
    shift = services.add_shift(
        personas.director, person=staff[0], seat=seats[0], start=NINE, end=SIX, note=" 班长 "
    )
    assert shift.note == "班长"
    created = Event.objects.get(object_type="staffing.shift", kind="created")
    assert created.after["person"] == staff[0].pk and created.actor == personas.director
    pk = shift.pk
    services.remove_shift(personas.director, shift)
    deleted = Event.objects.get(object_type="staffing.shift", kind="deleted")
    assert deleted.object_id == str(pk) and deleted.before["seat"] == seats[0].pk
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("who", "start", "end", "field"),
    [
        ("contact_a", NINE, SIX, "person"),
        ("inactive", NINE, SIX, "person"),
        ("agent", SIX, NINE, "end"),
        ("agent", NINE, NINE, "end"),
        ("agent", NINE, NINE + dt.timedelta(hours=25), "end"),
        ("agent", NINE.replace(tzinfo=None), SIX, "start"),
    ],
)
def test_a_shift_is_refused_with_the_field_at_fault(personas, who, start, end, field) -> None:  # type: ignore[no-untyped-def]
    person = getattr(personas, who, None)
    if who == "inactive":
        person = personas.engineer
        person.is_active = False
        person.save()
    with pytest.raises(ValidationError) as exc:
        services.add_shift(personas.director, person=person, start=start, end=end)
    assert field in exc.value.message_dict
    assert not Shift.objects.exists()
    assert not Event.objects.filter(object_type="staffing.shift").exists()


def test_an_inactive_seat_is_refused(personas, seats) -> None:  # type: ignore[no-untyped-def]
    services.update_seat(personas.director, seats[0], is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.add_shift(
            personas.director, person=personas.agent, seat=seats[0], start=NINE, end=SIX
        )
    assert "seat" in exc.value.message_dict


def test_only_people_who_manage_calendars_edit_the_roster(personas) -> None:  # type: ignore[no-untyped-def]
    for actor in (personas.agent, personas.engineer, personas.contact_a):
        with pytest.raises(PermissionDenied):
            services.add_shift(actor, person=personas.agent, start=NINE, end=SIX)
        with pytest.raises(PermissionDenied):
            services.create_seat(actor, name="X")
        with pytest.raises(PermissionDenied):
            services.update_promise(actor, min_staff=1)


def test_copy_last_week_moves_each_shift_seven_days_on_once(personas, roster) -> None:  # type: ignore[no-untyped-def]
    roster()  # Monday..Sunday plus the Sunday night before
    next_monday = MONDAY + dt.timedelta(days=7)
    created = services.copy_week(personas.director, next_monday)
    assert len(created) == 21  # the Sunday night before Monday starts outside the week
    assert sorted((s.person_id, s.start) for s in created)[0][1] >= at(next_monday, "00:00")
    assert Shift.objects.filter(start=at(next_monday, "09:00")).count() == 2
    assert services.copy_week(personas.director, next_monday) == []


def test_the_promise_is_validated_and_its_change_recorded(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.update_promise(
            personas.director,
            calendar_key="nowhere",
            day_shift_start=dt.time(18),
            day_shift_end=dt.time(9),
        )
    assert set(exc.value.message_dict) == {"calendar_key", "day_shift_end"}
    promise = services.update_promise(personas.director, calendar_key="cn-5x8", min_staff=6)
    assert promise.pk == 1 and promise.min_staff == 6
    event = Event.objects.get(object_type="staffing.coveragepromise")
    assert event.before == {"calendar_key": "24x7", "min_staff": 5}
    assert event.after == {"calendar_key": "cn-5x8", "min_staff": 6}


def test_a_seat_with_shifts_is_made_inactive_not_deleted(personas, seats) -> None:  # type: ignore[no-untyped-def]
    services.add_shift(personas.director, person=personas.agent, seat=seats[0], start=NINE, end=SIX)
    with pytest.raises(ValidationError):
        services.delete_seat(personas.director, seats[0])
    services.delete_seat(personas.director, seats[1])
    with pytest.raises(ValidationError) as exc:
        services.create_seat(personas.director, name=seats[0].name)
    assert "name" in exc.value.message_dict
