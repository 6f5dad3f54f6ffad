"""Each service's low-usage period (M3) on its page and through the API: listed with the
default where none was set, set and reset by someone who keeps equipment, refused on its
field in the reader's language, recorded; read by no customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from baozhang.changes import low_usage
from baozhang.changes.models import LowUsagePeriod
from baozhang.events.models import Event


def _english(user: Any) -> Any:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_the_page_lists_every_service_with_the_default_and_sets_one(
    login: Any, personas: Any, internal: Any, hosting: Any
) -> None:
    client = login(_english(personas.director))
    page = client.get(reverse("changes:low_usage")).content.decode()
    assert page.count("00:00–06:00") >= 2 and "default" in page
    assert "低峰" not in page  # one language at a time

    edit = reverse("changes:low_usage_edit", args=[internal.pk])
    refused = client.post(edit, {"starts": "25:00", "ends": "05:00", "time_zone": "Asia/Shanghai"})
    assert refused.status_code == 422 and 'data-testid="error-starts"' in refused.content.decode()
    assert not LowUsagePeriod.objects.exists()

    saved = client.post(edit, {"starts": "22:00", "ends": "05:00", "time_zone": "Asia/Shanghai"})
    assert saved.status_code == 302
    assert low_usage.low_usage_of(internal)[:2] == (dt.time(22), dt.time(5))
    page = client.get(reverse("changes:low_usage")).content.decode()
    assert "22:00–05:00" in page and "until the next morning" in page
    event = Event.objects.filter(object_id=str(internal.pk)).latest("id")
    assert event.summary_id == "low-usage period set to %(period)s"

    personas.director.language = "zh-hans"
    personas.director.save(update_fields=["language"])
    chinese = login(personas.director)
    chinese.post(edit, {"reset": "1"})
    assert not LowUsagePeriod.objects.exists()
    page = chinese.get(reverse("changes:low_usage")).content.decode()
    assert "默认" in page and "default" not in page


def test_only_people_who_keep_equipment_set_a_period_and_customers_see_nothing(
    login: Any, personas: Any, internal: Any
) -> None:
    edit = reverse("changes:low_usage_edit", args=[internal.pk])
    agent = login(personas.agent)
    assert agent.get(reverse("changes:low_usage")).status_code == 200
    assert agent.post(edit, {"starts": "01:00", "ends": "02:00"}).status_code == 403
    customer = login(personas.contact_a)
    assert customer.get(reverse("changes:low_usage")).status_code == 404
    assert customer.get(edit).status_code == 404  # a service they do not use
    assert not LowUsagePeriod.objects.exists()


def test_the_api_lists_sets_and_resets_a_period(
    personas: Any, api_client: Any, internal: Any
) -> None:
    client = api_client(personas.director, "en")
    listed = client.get("/api/v1/low-usage-periods").json()["items"]
    assert {
        "service_id": internal.pk,
        "starts": "00:00",
        "ends": "06:00",
        "time_zone": "Asia/Shanghai",
        "own": False,
    } in listed

    url = f"/api/v1/low-usage-periods/{internal.pk}"
    body = {"starts": "23:30", "ends": "04:00", "time_zone": "Europe/Berlin"}
    answer = client.put(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["own"] is True and answer.json()["time_zone"] == "Europe/Berlin"
    assert low_usage.low_usage_of(internal)[:2] == (dt.time(23, 30), dt.time(4))

    back = client.delete(url)
    assert back.status_code == 200 and back.json()["own"] is False
    assert not LowUsagePeriod.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts": "01:00", "ends": "05:00", "time_zone": "Mars/Base"}, "time_zone"),
        ({"starts": "24:00", "ends": "05:00"}, "starts"),
        ({"starts": "01:00+08:00", "ends": "05:00"}, "starts"),
        ({"starts": "01:00"}, "ends"),
        ({"starts": 7, "ends": None}, "ends"),
    ],
)
def test_a_wrong_period_is_a_422_naming_its_field(
    personas: Any, api_client: Any, internal: Any, body: dict[str, Any], field: str
) -> None:
    client = api_client(personas.director, "en")
    answer = client.put(
        f"/api/v1/low-usage-periods/{internal.pk}", body, content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["fields"]
    assert not LowUsagePeriod.objects.exists()


def test_the_api_refuses_an_unknown_service_a_customer_and_an_agent(
    personas: Any, api_client: Any, internal: Any, hosting: Any
) -> None:
    body = {"starts": "01:00", "ends": "05:00"}
    director = api_client(personas.director)
    unknown = director.put(
        "/api/v1/low-usage-periods/999999", body, content_type="application/json"
    )
    assert unknown.status_code == 404, unknown.content
    customer = api_client(personas.contact_a)
    assert customer.get("/api/v1/low-usage-periods").json()["items"] == []
    url = f"/api/v1/low-usage-periods/{internal.pk}"
    # A service the customer does not use is not there for them; theirs they may not set.
    assert customer.put(url, body, content_type="application/json").status_code == 404
    theirs = f"/api/v1/low-usage-periods/{hosting.pk}"
    refused = customer.put(theirs, body, content_type="application/json")
    assert refused.status_code == 403
    assert api_client(personas.contact_b).delete(theirs).status_code == 404
    agent = api_client(personas.agent)
    also_refused = agent.put(url, body, content_type="application/json")
    assert also_refused.status_code == 403
    # One rule, as on the page: seen, then the capability, refused alike.
    assert refused.json() == also_refused.json()
    assert not LowUsagePeriod.objects.exists()
