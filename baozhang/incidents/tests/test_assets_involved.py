"""An incident names the assets of the register it is on: by hand (page and API) and from
the monitors that watch them; the change is recorded."""

from __future__ import annotations

from baozhang.assets import services as assets
from baozhang.events.models import Event
from baozhang.incidents import services
from baozhang.incidents.models import Incident


def test_staff_name_the_assets_of_an_incident_by_page_and_api(personas, login, api_client):
    server = assets.create_asset(
        personas.engineer, name="web-01", kind="server", owner=personas.operator
    )
    line = assets.create_asset(personas.engineer, name="出口", kind="line", owner=personas.operator)
    incident = services.open_incident(
        personas.agent,
        service=None,
        title="web-01 宕机",
        severity="major",
        classification="equipment_fault",
        responsibility="inside",
        assets=[server],
    )
    assert list(incident.assets.all()) == [server]
    page = login(personas.agent).get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/assets/{server.pk}/"' in page

    client = api_client(personas.agent)
    patched = client.patch(
        f"/api/v1/incidents/{incident.pk}",
        {"asset_ids": [server.pk, line.pk]},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["asset_ids"] == sorted([server.pk, line.pk])
    changed = Event.objects.filter(object_type="incidents.incident", kind="updated").last()
    assert changed.before == {"assets": [server.pk]}
    assert changed.after == {"assets": sorted([server.pk, line.pk])}
    missing = client.patch(
        f"/api/v1/incidents/{incident.pk}",
        {"asset_ids": [999999]},
        content_type="application/json",
    )
    assert missing.status_code == 422 and "asset_ids" in missing.json()["error"]["fields"]
    created = client.post(
        "/api/v1/incidents",
        {"title": "出口中断", "classification": "egress_link", "asset_ids": [line.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Incident.objects.get(pk=created.json()["id"]).assets.get() == line
