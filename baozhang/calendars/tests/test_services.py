"""Given a service director, when calendars change through the services, then every
change is validated and recorded as an event with before → after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.calendars import services
from baozhang.calendars.models import BusinessCalendar
from baozhang.events.models import Event
from baozhang.events.tests.reading import reads

WORK = "09:00-12:00 13:00-18:00"


def _events(obj: object) -> list[Event]:
    return list(
        Event.objects.filter(object_id=str(obj.pk), object_type=obj._meta.label_lower).order_by(
            "id"
        )
    )


def test_create_and_update_record_events_with_before_and_after(personas):
    cal = services.create_calendar(
        personas.director,
        name="Gold 5x8",
        key="gold-5x8",
        base_schedule="CN",
        monday="09:00 - 12:00, 13:00-18:00",
        friday=WORK,
    )
    assert cal.monday == WORK  # normalised
    services.update_calendar(personas.director, cal, saturday="10:00-16:00", name="Gold 6x8")

    created, updated = _events(cal)
    assert created.kind == "created"
    assert created.actor == personas.director
    assert created.after["key"] == "gold-5x8"
    assert updated.kind == "updated"
    assert updated.before == {"name": "Gold 5x8", "saturday": ""}
    assert updated.after == {"name": "Gold 6x8", "saturday": "10:00-16:00"}
    assert BusinessCalendar.objects.get(pk=cal.pk).version == 2


def test_dates_added_and_removed_are_events_on_the_calendar(personas, calendar_factory):
    cal = calendar_factory()
    services.set_date(
        personas.admin, cal, date=dt.date(2026, 5, 6), kind="closed", reason="Office move"
    )
    services.remove_date(personas.admin, cal, dt.date(2026, 5, 6))

    _created, added, removed = _events(cal)
    assert added.before == {"date 2026-05-06": None}
    assert added.after == {"date 2026-05-06": {"kind": "closed", "reason": "Office move"}}
    assert removed.before == {"date 2026-05-06": {"kind": "closed", "reason": "Office move"}}
    assert removed.after == {"date 2026-05-06": None}
    assert reads(added) == ("2026-05-06 关闭：Office move", "2026-05-06 closed: Office move")
    assert reads(removed) == ("2026-05-06 的设置已移除", "2026-05-06 setting removed")
    assert not cal.dates.exists()


def test_import_schedule_is_an_event_and_reports_the_bad_line(personas):
    item = services.import_schedule(
        personas.director, country="cn", name="2027 notice", text="year 2027\n2027-01-01 休 元旦"
    )
    assert item.country == "CN" and item.years == "2027"
    (event,) = _events(item)
    assert event.after == {"country": "CN", "name": "2027 notice", "years": "2027"}

    with pytest.raises(ValidationError) as err:
        services.import_schedule(
            personas.director, country="CN", name="bad", text="year 2027\n2027-02-30 休"
        )
    assert "line 2" in err.value.message_dict["text"][0]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("monday", "09:00-25:00", "bad time"),
        ("monday", "12:00-09:00", "bad span"),
        ("time_zone", "Asia/Beijing", "Unknown time zone"),
        ("base_schedule", "XX", "Unknown country"),
        ("key", "cn-5x8", "reserved"),
        ("key", "Gold Plan", "lower-case"),
    ],
)
def test_bad_values_are_refused_naming_the_field(personas, field, value, words):
    fields = {"name": "X", "key": "x", "monday": WORK, field: value}
    with pytest.raises(ValidationError) as err:
        services.create_calendar(personas.director, **fields)
    assert words in " ".join(err.value.message_dict[field])
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_without_any_working_span_is_refused(personas):
    with pytest.raises(ValidationError) as err:
        services.create_calendar(personas.director, name="Never", key="never")
    assert "at least one weekday" in err.value.message_dict["monday"][0]


def test_the_key_cannot_change(personas, calendar_factory):
    cal = calendar_factory(key="gold")
    with pytest.raises(ValidationError) as err:
        services.update_calendar(personas.director, cal, key="silver")
    assert "cannot be changed" in err.value.message_dict["key"][0]


def test_an_agent_may_not_change_calendars(personas, calendar_factory):
    cal = calendar_factory()
    with pytest.raises(PermissionDenied):
        services.create_calendar(personas.agent, name="A", key="a", monday=WORK)
    with pytest.raises(PermissionDenied):
        services.set_date(personas.agent, cal, date=dt.date(2026, 1, 5), kind="closed")
