"""Who may schedule maintenance, and who sees which windows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from baozhang.maintenance import selectors, services

from .conftest import NIGHT, NOW


@pytest.mark.parametrize("who", ["contact_a", "agent", "security"])
def test_only_engineers_directors_and_administrators_schedule_maintenance(
    personas, service_factory, who
):
    hosting = service_factory(personas.org_a)
    with pytest.raises(PermissionDenied):
        services.schedule(
            getattr(personas, who),
            title="x",
            services=[hosting],
            start=NIGHT,
            end=NIGHT + dt.timedelta(hours=1),
            now=NOW,
        )


def test_a_customer_sees_only_windows_of_its_own_services_and_only_its_services(
    personas, service_factory, window_factory
):
    a_hosting = service_factory(personas.org_a, name="甲的主机")
    b_link = service_factory(personas.org_b, name="乙的专线")
    both = window_factory([a_hosting, b_link], title="两家都受影响")
    only_b = window_factory([b_link], title="只影响乙")

    assert list(selectors.visible_windows(personas.contact_a)) == [both]
    assert list(selectors.visible_windows(personas.contact_b)) == [both, only_b]
    assert list(selectors.visible_windows(personas.agent)) == [both, only_b]
    assert selectors.visible_services(both, personas.contact_a) == [a_hosting]
    assert set(selectors.visible_services(both, personas.engineer)) == {a_hosting, b_link}


def test_pages_a_customer_sees_and_the_ones_it_may_not_open(
    personas, service_factory, window_factory, login
):
    a_hosting = service_factory(personas.org_a, name="甲的主机")
    b_link = service_factory(personas.org_b, name="乙的专线")
    start = timezone.now() + dt.timedelta(days=3)
    both = window_factory(
        [a_hosting, b_link], title="两家都受影响", start=start, end=start + dt.timedelta(hours=1)
    )
    only_b = window_factory(
        [b_link], title="只影响乙", start=start, end=start + dt.timedelta(hours=1)
    )
    client = login(personas.contact_a)

    listing = client.get("/maintenance/").content.decode()
    assert "两家都受影响" in listing and "只影响乙" not in listing
    detail = client.get(f"/maintenance/{both.pk}/").content.decode()
    assert "甲的主机" in detail
    assert "乙的专线" not in detail and personas.org_b.name not in detail
    assert client.get(f"/maintenance/{only_b.pk}/").status_code == 404
    assert client.get("/maintenance/new/").status_code == 403
    assert client.get(f"/maintenance/{both.pk}/reschedule/").status_code == 403
    assert client.post(f"/maintenance/{both.pk}/cancel/", {"reason": "x"}).status_code == 403
