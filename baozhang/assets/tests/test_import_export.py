"""Import and export of the register: a bad file imports nothing and names every bad row
and column in both languages; a dry run says what would change; a NetBox device export
imports as it is; an export reads back unchanged; the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from baozhang.assets.models import Asset
from baozhang.assets.tabular import COLUMNS, import_assets

HEAD = [
    "名称 / name",
    "类别",
    "status",
    "所属单位",
    "机房或机柜",
    "关键资产",
    "负责人",
    "带宽(Mbit/s)",
]


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(personas, *, bad: bool) -> list[list[object]]:
    people = "engineer; director"
    return [
        ["一号机房", "机房", "在用", "", "", "否", "", None],
        ["A01", "rack", "in_service", "", "一号机房", "no", "", None],
        # row 4: critical with one person (X5) in the bad file
        ["web-01", "服务器", "in_service", "", "A01", "是", "engineer" if bad else people, None],
        ["电信出口", "line", "in_service", personas.org_a.name, "", "no", "", "1000"],
        # row 6: an unknown kind and a bandwidth that is no number in the bad file
        ["UPS-1", "toaster" if bad else "ups", "在用", "", "A01", "no", "", "fast" if bad else ""],
    ]


def test_an_xlsx_with_two_bad_rows_imports_nothing_and_names_both_fixed_it_imports(personas):
    report = import_assets("assets.xlsx", _xlsx(_rows(personas, bad=True)))
    assert not report.ok and not report.applied
    assert Asset.objects.count() == 0
    assert sorted({e.row for e in report.errors}) == [4, 6]
    text = "\n".join(report.lines())
    assert "2 bad rows: nothing was imported" in text and "文件有 2 行错误" in text
    assert "第 4 行“负责人”列 / row 4, column “responsible people”" in text
    assert "至少需要两名负责人" in text and "at least two responsible people" in text
    assert "第 6 行“类别”列 / row 6, column “kind”" in text and "toaster" in text
    assert "第 6 行“带宽(Mbit/s)”列 / row 6, column “bandwidth (Mbit/s)”" in text

    fixed = import_assets("assets.xlsx", _xlsx(_rows(personas, bad=False)))
    assert fixed.ok and fixed.applied, fixed.lines()
    assert fixed.count("create") == 5
    web = Asset.objects.get(name="web-01")
    assert web.location.name == "A01" and web.location.location.name == "一号机房"
    assert web.is_critical and web.responsible.count() == 2
    assert Asset.objects.get(name="电信出口").owner == personas.org_a


def test_a_dry_run_shows_what_would_change_and_writes_nothing(personas):
    import_assets("assets.xlsx", _xlsx(_rows(personas, bad=False)))
    rows = _rows(personas, bad=False)
    rows[3][7] = "2000"  # the line's bandwidth
    rows.append(["db-01", "server", "in_service", "", "A01", "no", "", None])
    report = import_assets("assets.xlsx", _xlsx(rows), dry_run=True)
    assert report.ok and not report.applied
    assert (report.count("create"), report.count("update"), report.count("unchanged")) == (1, 1, 4)
    text = "\n".join(report.lines())
    assert "dry run, nothing written" in text and "+ 第 7 行 / row 7: db-01" in text
    assert "bandwidth_mbps: 1000 → 2000" in text
    assert not Asset.objects.filter(name="db-01").exists()
    assert Asset.objects.get(name="电信出口").bandwidth_mbps == 1000


# NetBox's device list exported as CSV ("Export → Current view"): the device table's
# default columns under their headings; and the "All data" export's further columns.
NETBOX_CURRENT_VIEW = """Name,Status,Tenant,Site,Location,Rack,Role,Manufacturer,Type,IP Address
dmi01-akron-rtr01,Active,,DM-Akron,,,Router,Cisco,ISR 1111-8P,10.1.1.1/24
dmi01-akron-sw01,Active,客户甲 Customer A,DM-Akron,Floor 1,R101,Access Switch,Juniper,EX2300-24T,
dmi01-akron-pdu01,Planned,Dunder-Mifflin,DM-Akron,,R101,PDU,APC,AP7901,
ncsu-coreswitch1,Offline,,MDF,,,Core Switch,Arista,DCS-7280CR2-60,
"""
NETBOX_ALL_DATA = (
    "ID,Name,Status,Tenant,Role,Manufacturer,Type,Platform,Serial number,Asset tag,Site,"
    "Location,Rack,Position (U),Face,Primary IPv4,Primary IPv6,Comments\n"
    "17,app-srv-01,Active,,Server,Dell,PowerEdge R740,Ubuntu,CN0SN123,A-0017,DC1,Hall 2,"
    "R12,20,Front,192.0.2.10/24,,Web tier\n"
)


def test_a_netbox_device_export_imports_without_editing(personas):
    report = import_assets("netbox_devices.csv", NETBOX_CURRENT_VIEW.encode())
    assert report.ok and report.applied and report.source == "netbox", report.lines()
    router = Asset.objects.get(name="dmi01-akron-rtr01")
    assert (router.kind, router.status, router.vendor, router.model, router.address) == (
        "network_device",
        "in_service",
        "Cisco",
        "ISR 1111-8P",
        "10.1.1.1",
    )
    assert router.owner == personas.operator
    switch = Asset.objects.get(name="dmi01-akron-sw01")
    assert switch.owner == personas.org_a and switch.location_text == "DM-Akron / Floor 1 / R101"
    pdu = Asset.objects.get(name="dmi01-akron-pdu01")
    assert (pdu.kind, pdu.status) == ("pdu", "construction")
    assert "Tenant: Dunder-Mifflin" in pdu.notes  # a tenant not registered: said, not lost
    assert Asset.objects.get(name="ncsu-coreswitch1").status == "repair"

    full = import_assets("netbox_all.csv", NETBOX_ALL_DATA.encode())
    assert full.ok and full.applied, full.lines()
    server = Asset.objects.get(name="app-srv-01")
    assert (server.kind, server.serial, server.external_id, server.address) == (
        "server",
        "CN0SN123",
        "netbox:17",
        "192.0.2.10",
    )
    assert server.location_text == "DC1 / Hall 2 / R12 U20"
    assert "Asset tag: A-0017" in server.notes and "Platform: Ubuntu" in server.notes
    # The same export again changes nothing.
    again = import_assets("netbox_all.csv", NETBOX_ALL_DATA.encode(), dry_run=True)
    assert again.count("unchanged") == 1


def test_an_export_reads_back_unchanged_as_xlsx_and_csv(personas, tmp_path):
    import_assets("assets.xlsx", _xlsx(_rows(personas, bad=False)))
    for suffix in ("xlsx", "csv"):
        path = tmp_path / f"register.{suffix}"
        call_command("assets", "export", "-o", str(path))
        if suffix == "xlsx":
            heading = [c.value for c in next(load_workbook(path).active.iter_rows())]
            assert heading[0] == "名称 / name" and len(heading) == len(COLUMNS)
        report = import_assets(path.name, path.read_bytes(), dry_run=True)
        assert report.ok, report.lines()
        assert report.count("unchanged") == 5, report.lines()


def test_the_command_imports_and_a_bad_file_exits_1(personas, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx(_rows(personas, bad=True)))
    with pytest.raises(CommandError) as failed:
        call_command("assets", "import", str(bad))
    assert failed.value.returncode == 1
    assert "row 4" in capsys.readouterr().err
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx(_rows(personas, bad=False)))
    call_command("assets", "import", str(good), "--dry-run")
    assert Asset.objects.count() == 0
    call_command("assets", "import", str(good))
    assert Asset.objects.count() == 5
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK not really a workbook")
    with pytest.raises(CommandError, match="cannot read the XLSX file"):
        call_command("assets", "import", str(broken))


def test_an_asset_is_placed_as_it_is_created_and_a_rack_before_its_room_still_lands(personas):
    """A room or rack known when the asset is created (registered, or earlier in the
    file) is its location at once: one event per asset, no second change to place it. A
    rack listed before the room it stands in is placed once the room exists."""
    from baozhang.events.models import Event

    rows = [
        ["B01", "rack", "in_service", "", "二号机房", "no", "", None],
        ["二号机房", "机房", "在用", "", "", "否", "", None],
        ["db-01", "server", "in_service", "", "B01", "no", "", None],
        ["db-02", "server", "in_service", "", "B01", "no", "", None],
    ]
    report = import_assets("assets.xlsx", _xlsx(rows))
    assert report.ok and report.applied, report.lines()
    for name in ("db-01", "db-02"):
        asset = Asset.objects.get(name=name)
        assert asset.location.name == "B01" and asset.location.location.name == "二号机房"
        events = Event.objects.filter(object_type="assets.asset", object_id=str(asset.pk))
        assert [e.kind for e in events] == ["created"]
        assert events.get().after["location"] == asset.location_id
    rack = Asset.objects.get(name="B01")
    kinds = list(
        Event.objects.filter(object_type="assets.asset", object_id=str(rack.pk))
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "updated"]  # placed in the room after the room was made

    # A second file moves one server to a rack the register holds already, another to
    # no place: each is one change.
    more = [
        ["B02", "rack", "in_service", "", "二号机房", "no", "", None],
        ["db-01", "server", "in_service", "", "B02", "no", "", None],
        ["db-02", "server", "in_service", "", "", "no", "", None],
    ]
    assert import_assets("assets.xlsx", _xlsx(more)).applied
    assert Asset.objects.get(name="db-01").location.name == "B02"
    assert Asset.objects.get(name="db-02").location is None
    db1 = Asset.objects.get(name="db-01")
    assert (
        Event.objects.filter(
            object_type="assets.asset", object_id=str(db1.pk), kind="updated"
        ).count()
        == 1
    )


def test_checking_a_file_against_the_register_reads_it_once_not_row_by_row(personas):
    """A re-import (or its dry run) compares each row with its registered asset: owners,
    places and relations are read for the whole register at once, so the statements do
    not grow by several per row (they did: owner, room or rack, three relations)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def servers(n: int) -> list[list[object]]:
        return [
            [f"srv-{i:03d}", "server", "in_service", "", "A01", "是", "engineer; director", None]
            for i in range(n)
        ]

    head = [["一号机房", "机房", "在用", "", "", "否", "", None]]
    head.append(["A01", "rack", "in_service", "", "一号机房", "no", "", None])
    counts = []
    for n in (5, 25):
        assert import_assets("assets.xlsx", _xlsx(head + servers(n))).applied
        with CaptureQueriesContext(connection) as queries:
            report = import_assets("assets.xlsx", _xlsx(head + servers(n)), dry_run=True)
        assert report.count("unchanged") == n + 2, report.lines()
        counts.append(len(queries))
    # One statement a row at most (the register's rule that names are unique).
    assert counts[1] - counts[0] <= 20, counts
