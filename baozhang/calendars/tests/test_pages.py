"""Calendar pages: staff see them, MANAGE_CALENDARS changes them, customers get 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from baozhang.calendars import services
from baozhang.calendars.models import BusinessCalendar

WORK = "09:00-12:00 13:00-18:00"


def _form(**kw: str) -> dict[str, str]:
    data = {
        "name": "Gold",
        "key": "gold",
        "time_zone": "Asia/Shanghai",
        "base_schedule": "CN",
        "monday": WORK,
        "is_active": "on",
    }
    return data | kw


def test_a_director_creates_a_calendar_and_sees_its_month(personas, login):
    client = login(personas.director)
    response = client.post(reverse("calendars:create"), _form())
    assert response.status_code == 302
    cal = BusinessCalendar.objects.get(key="gold")

    client.post(
        reverse("calendars:date_add", args=["gold"]),
        {"date": "2026-10-12", "kind": "closed", "reason": "Office move"},
    )
    page = client.get(reverse("calendars:detail", args=["gold"]), {"month": "2026-10"})
    html = page.content.decode()
    assert cal.dates.count() == 1
    assert 'data-day="2026-10-12"' in html and "Office move" in html
    assert "国庆节" in html  # 1 October, from China's schedule


def test_provisional_days_are_marked(personas, login):
    page = login(personas.agent).get(
        reverse("calendars:detail", args=["cn-5x8"]), {"month": "2099-01"}
    )
    assert 'data-day="2099-01-05" data-provisional="1"' in page.content.decode()


def test_bad_spans_are_shown_under_the_field(personas, login):
    response = login(personas.director).post(reverse("calendars:create"), _form(monday="9-12"))
    assert response.status_code == 200
    assert 'data-field-error="monday"' in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_try_it_computes_add_and_between(personas, login):
    page = login(personas.agent).get(
        reverse("calendars:detail", args=["cn-5x8"]),
        {
            "start": "2026-09-30T16:00:00+08:00",
            "duration": "10wd",
            "end": "2026-10-08T10:00:00+08:00",
        },
    )
    html = page.content.decode()
    # In the calendar's zone and in words, as people say them (issue 18 §2).
    assert "2026-10-20 18:00 (+08:00)" in html
    assert "<strong>3 小时</strong>" in html  # 30 Sep 16-18h, then 8 Oct 9-10h
    results = " ".join(re.findall(r'<p data-result="[a-z]+">.*?</p>', html, re.S))
    assert "PT3H" not in results and "10wd" not in results and "T16:00" not in results


def test_try_it_takes_a_duration_as_people_type_it(personas, login):
    client = login(personas.agent)
    url = reverse("calendars:detail", args=["cn-5x8"])
    start = "2026-09-30T16:00:00+08:00"
    for typed in ("10 个工作日", "10 working days"):
        html = client.get(url, {"start": start, "duration": typed}).content.decode()
        assert "2026-10-20 18:00 (+08:00)" in html, typed
    html = client.get(url, {"start": start, "duration": "4 小时 30 分钟"}).content.decode()
    assert "4 小时 30 分钟" in html and 'data-result="add"' in html


def test_try_it_names_a_bad_value(personas, login):
    page = login(personas.agent).get(
        reverse("calendars:detail", args=["24x7"]), {"start": "yesterday", "duration": "PT1H"}
    )
    assert "&#x27;yesterday&#x27;" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("calendars:list", []),
        ("calendars:detail", ["cn-5x8"]),
        ("calendars:detail", ["gold"]),
        ("calendars:edit", ["gold"]),
        ("calendars:create", []),
        ("calendars:schedules", []),
    ],
)
def test_a_customer_contact_gets_404(personas, login, calendar_factory, name, args):
    calendar_factory(key="gold")
    assert login(personas.contact_a).get(reverse(name, args=args)).status_code == 404


def test_an_agent_sees_but_may_not_change(personas, login, calendar_factory):
    calendar_factory(key="gold")
    client = login(personas.agent)
    assert client.get(reverse("calendars:list")).status_code == 200
    assert client.get(reverse("calendars:create")).status_code == 403
    assert client.post(reverse("calendars:create"), _form(key="silver")).status_code == 403
    response = client.post(
        reverse("calendars:date_add", args=["gold"]), {"date": "2026-10-12", "kind": "closed"}
    )
    assert response.status_code == 403


def test_a_director_removes_a_date(personas, login, calendar_factory):
    cal = calendar_factory(key="gold")
    services.set_date(None, cal, date=dt.date(2026, 10, 12), kind="closed", reason="Move")
    client = login(personas.director)
    response = client.post(reverse("calendars:date_remove", args=["gold"]), {"date": "2026-10-12"})
    assert response.status_code == 302
    assert not cal.dates.exists()


@pytest.mark.parametrize(
    ("language", "germany", "japan", "unsaid"),
    [
        ("zh-hans", "德国 (DE)", "日本 (JP)", ["Germany (DE)", "Japan (JP)"]),
        ("en", "Germany (DE)", "Japan (JP)", ["德国", "日本"]),
    ],
)
def test_countries_are_named_in_the_readers_language(  # type: ignore[no-untyped-def]
    personas, login, language, germany, japan, unsaid
):
    personas.director.language = language
    personas.director.save(update_fields=["language"])
    client = login(personas.director)
    new = client.get(reverse("calendars:create"))
    assert ("DE", germany) in new.context["form"].fields["base_schedule"].choices
    assert f'<option value="JP">{japan}</option>' in new.content.decode()
    schedules = client.get(reverse("calendars:schedules")).content.decode()
    assert f'<option value="JP">{japan}</option>' in schedules
    client.post(reverse("calendars:create"), _form(key="berlin", base_schedule="DE"))
    detail = client.get(reverse("calendars:detail", args=["berlin"])).content.decode()
    assert germany in detail
    for page in (new.content.decode(), schedules, detail):
        assert not any(word in page for word in unsaid)
