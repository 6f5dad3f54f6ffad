"""The asset register's rules: two responsible people for a critical asset (X5), a place
that is a room or rack, a known required running time, documents kept by version (I5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.assets import services
from baozhang.assets.models import Asset, AssetDocument
from baozhang.events.models import Event


def test_a_critical_asset_needs_two_responsible_people_said_in_both_languages(
    personas, asset_factory
):
    with pytest.raises(ValidationError) as refused:
        asset_factory(is_critical=True, responsible=[personas.engineer])
    message = " ".join(refused.value.message_dict["responsible"])
    assert "至少需要两名负责人" in message and "at least two responsible people" in message
    assert not Asset.objects.exists()

    asset = asset_factory(is_critical=True, responsible=[personas.engineer, personas.director])
    assert asset.responsible.count() == 2
    # Taking one away again is refused the same way.
    with pytest.raises(ValidationError, match="X5"):
        services.update_asset(personas.engineer, asset, responsible=[personas.director])
    assert asset.responsible.count() == 2
    # So is marking a one-person asset critical.
    single = asset_factory(responsible=[personas.engineer])
    with pytest.raises(ValidationError, match="X5"):
        services.update_asset(personas.engineer, single, is_critical=True)


def test_location_is_a_room_or_rack_and_required_time_a_known_calendar(personas, asset_factory):
    room = asset_factory(name="一号机房", kind="room")
    rack = asset_factory(name="A01", kind="rack", location=room)
    server = asset_factory(location=rack, required_time="cn-5x8")
    assert server.where == "A01" and server.required_time == "cn-5x8"
    with pytest.raises(ValidationError) as refused:
        asset_factory(location=server, required_time="no-such-calendar")
    errors = refused.value.message_dict
    assert "不是机房或机柜" in " ".join(errors["location"])
    assert "unknown required running time" in " ".join(errors["required_time"])
    assert asset_factory(required_time="7x24").required_time == "24x7"


def test_only_staff_who_keep_equipment_change_the_register(personas, asset_factory):
    with pytest.raises(PermissionDenied):
        services.create_asset(personas.agent, name="x", kind="server", owner=personas.operator)
    asset = asset_factory()
    with pytest.raises(PermissionDenied):
        services.update_asset(personas.contact_a, asset, name="y")


def test_changes_are_recorded_and_documents_kept_by_version(personas, asset_factory):
    asset = asset_factory(vendor="华为")
    services.update_asset(personas.engineer, asset, vendor="Huawei", serial="SN1")
    event = Event.objects.filter(object_type="assets.asset", kind="updated").get()
    assert event.before == {"vendor": "华为", "serial": ""}
    assert event.after == {"vendor": "Huawei", "serial": "SN1"}

    first = services.add_document(
        personas.engineer,
        asset,
        title="运维手册",
        filename="manual.pdf",
        content_type="application/pdf",
        data=b"%PDF-1 one",
    )
    second = services.add_document(
        personas.engineer,
        asset,
        title="运维手册",
        filename="manual-v2.pdf",
        content_type="application/pdf",
        data=b"%PDF-1 two",
        note="UPS replaced",
    )
    assert (first.version, second.version) == (1, 2)
    assert [d.version for d in AssetDocument.objects.filter(asset=asset)] == [2, 1]
    with first.file.open("rb") as f:
        assert f.read() == b"%PDF-1 one"
