"""A maintenance window starts at most a year ahead and lasts at most a week: the rule is
in the service, so the form and the API refuse the same, in both languages (422)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baozhang.maintenance import services
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.maintenance.services import MAX_AHEAD, MAX_LENGTH, Refusal
from baozhang.maintenance.tests.conftest import NOW, SH


def _schedule(personas, service, start, end):  # type: ignore[no-untyped-def]
    return services.schedule(
        personas.engineer,
        title="机房电力年检",
        services=[service],
        start=start,
        end=end,
        now=NOW,
    )


def test_a_window_at_the_limits_is_accepted(personas, service_factory):
    # Given a start exactly a year ahead and a window of exactly a week
    hosting = service_factory(personas.org_a)
    start = NOW + MAX_AHEAD
    # When it is scheduled, then it is
    window = _schedule(personas, hosting, start, start + MAX_LENGTH)
    assert window.end - window.start == MAX_LENGTH


@pytest.mark.parametrize(
    "start",
    [
        NOW + MAX_AHEAD + dt.timedelta(minutes=1),
        dt.datetime(9999, 1, 1, 2, 0, tzinfo=SH),
    ],
)
def test_a_start_more_than_a_year_ahead_is_refused(personas, service_factory, start):
    hosting = service_factory(personas.org_a)
    # When a window is scheduled too far ahead, then it is refused on the start field
    with pytest.raises(Refusal) as refused:
        _schedule(personas, hosting, start, start + dt.timedelta(hours=2))
    assert refused.value.field == "start"
    message = str(refused.value)
    assert "too far ahead" in message and "at most 366 days ahead" in message
    assert "太远" in message and "2027-10-13 10:00 (UTC+08:00)" in message  # the latest start
    assert not MaintenanceWindow.objects.exists()


def test_a_window_longer_than_a_week_is_refused(personas, service_factory):
    hosting = service_factory(personas.org_a)
    start = NOW + dt.timedelta(days=3)
    # When a window of eight days and two hours is scheduled
    with pytest.raises(Refusal) as refused:
        _schedule(personas, hosting, start, start + dt.timedelta(days=8, hours=2))
    # Then it is refused on the end field, its length said as people say it
    assert refused.value.field == "end"
    message = str(refused.value)
    assert "lasts 8 days 2 hours" in message and "7 days" in message
    assert "维护时长 8 天 2 小时" in message and "分成几个窗口" in message


def test_rescheduling_cannot_stretch_a_window_past_a_week_or_a_year(personas, service_factory):
    # Given a window of two hours
    hosting = service_factory(personas.org_a)
    start = NOW + dt.timedelta(days=3)
    window = _schedule(personas, hosting, start, start + dt.timedelta(hours=2))
    # When its end is moved eight days later, or it is moved two years on, then refused
    with pytest.raises(Refusal, match="longer than the 7 days"):
        services.reschedule(
            personas.engineer, window, start=start, end=start + dt.timedelta(days=8), now=NOW
        )
    later = start + dt.timedelta(days=730)
    with pytest.raises(Refusal, match="too far ahead"):
        services.reschedule(
            personas.engineer, window, start=later, end=later + dt.timedelta(hours=2), now=NOW
        )
    window.refresh_from_db()
    assert window.end - window.start == dt.timedelta(hours=2)


def test_the_api_answers_422_with_the_message(personas, service_factory, api_client):
    # Given an engineer of the operator and a window two years ahead (the API's own types
    # refuse years past 2999 before the service is asked)
    hosting = service_factory(personas.org_a)
    start = timezone.now() + 2 * MAX_AHEAD
    body = {
        "title": "数据库升级",
        "service_ids": [hosting.pk],
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
    }
    # When it is posted
    response = api_client(personas.engineer, language="en").post(
        "/api/v1/maintenance/windows", body, content_type="application/json"
    )
    # Then 422 with the project's error, in both languages, and nothing stored
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    text = " ".join(m for messages in error["fields"].values() for m in messages)
    assert "too far ahead" in text and "太远" not in text  # one language, the one asked
    assert not MaintenanceWindow.objects.exists()


def test_the_form_shows_the_refusal(personas, service_factory, login):
    # Given the engineer's form, and a window of ten days
    hosting = service_factory(personas.org_a)
    start = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    fmt = "%Y-%m-%dT%H:%M"
    response = login(personas.engineer).post(
        "/maintenance/new/",
        {
            "title": "迁移机房",
            "services": [hosting.pk],
            "start": start.strftime(fmt),
            "end": (start + dt.timedelta(days=10)).strftime(fmt),
        },
    )
    # Then the form comes back with the error on the end, in the engineer's language only
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["end"])
    assert "分成几个窗口" in errors and "split the work into several windows" not in errors
    assert not MaintenanceWindow.objects.exists()
