"""Import and export of the asset register as XLSX (openpyxl) or CSV.

The register's own columns (:data:`COLUMNS`) are written by :func:`export_assets` with
headings in both languages (``名称 / name``) and read back by :func:`import_assets`, which
takes a heading in either language. A NetBox device export (its CSV, with the device
table's columns: Name, Status, Tenant, Site, Location, Rack, Role, Manufacturer, Type,
IP Address …, and with the "all data" export's ID, Serial number, Asset tag, Platform,
Position, Comments …) is recognised by its headings and imports without editing.

An import is all or nothing: every row is checked first — values, references (owner,
room or rack, responsible people, services, customers), the register's rules
(services.check, X5 above all) and names repeated in the file — and a file with any bad
row imports nothing and names every bad row and column in both languages. A dry run
checks the same way and says what would be created, changed or left as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects

from baozhang.accounts.models import Organisation, OrganisationKind, User
from baozhang.assets import services
from baozhang.assets.models import (
    ALWAYS,
    PLACES,
    Asset,
    AssetKind,
    AssetRole,
    AssetStatus,
)

# (key, Chinese heading, English heading)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "名称", "name"),
    ("kind", "类别", "kind"),
    ("status", "状态", "status"),
    ("owner", "所属单位", "owner"),
    ("location", "机房或机柜", "room or rack"),
    ("location_text", "位置", "location"),
    ("vendor", "厂商", "vendor"),
    ("model", "型号", "model"),
    ("serial", "序列号", "serial number"),
    ("address", "管理地址", "management address"),
    ("role", "主备", "role"),
    ("is_critical", "关键资产", "critical"),
    ("responsible", "负责人", "responsible people"),
    ("required_time", "运行时间要求", "required running time"),
    ("warranty_end", "保修截止", "warranty ends"),
    ("services", "依赖服务", "services"),
    ("customers", "依赖客户", "customers"),
    ("carrier", "运营商", "carrier"),
    ("bandwidth_mbps", "带宽(Mbit/s)", "bandwidth (Mbit/s)"),
    ("end_a", "A端", "end A"),
    ("end_b", "B端", "end B"),
    ("external_id", "外部编号", "external id"),
    ("notes", "备注", "notes"),
)
_HEADINGS = {key: (zh, en) for key, zh, en in COLUMNS}
LIST_SEPARATORS = re.compile(r"[;；,，\n]+")
MAX_ROWS = 100_000
MAX_CELL = 10_000


def _norm(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


_ALIASES: dict[str, str] = {}
for _key, _zh, _en in COLUMNS:
    for _alias in (_key, _zh, _en, f"{_zh} / {_key}", f"{_zh} / {_en}"):
        _ALIASES[_norm(_alias)] = _key


def _choice_aliases(choices: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in choices.choices:
        out[_norm(value)] = value
        out[_norm(str(label))] = value
    return out


_ZH_KINDS = {
    "服务器": "server", "网络设备": "network_device", "线路": "line", "专线": "line",
    "出口链路": "line", "机房": "room", "机柜": "rack", "空调": "air_conditioning",
    "传感器": "sensor", "环境传感器": "sensor", "软件系统": "software", "网管软件": "nms",
    "其他": "other",
}  # fmt: skip
_ZH_STATUS = {
    "在建": "construction", "在用": "in_service", "运行": "in_service", "维修": "repair",
    "维修中": "repair", "退役": "retired", "报废": "retired",
}  # fmt: skip
_ZH_ROLE = {"主用": "primary", "主": "primary", "备用": "standby", "备": "standby",
            "无": "", "": ""}  # fmt: skip
_TRUE = {"1", "yes", "y", "true", "是", "关键", "x", "✓"}
_FALSE = {"0", "no", "n", "false", "否", "", "-"}


# -- reading files ----------------------------------------------------------------------


class FileProblem(ValueError):
    """The file as a whole cannot be read (bilingual message)."""


def read_rows(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headings and (row number as a spreadsheet shows it, cells) of an XLSX or CSV
    file; blank rows are skipped."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    try:
        header = next(rows)
    except StopIteration:
        raise FileProblem("文件为空 / the file is empty") from None
    headings = [str(h).strip() if h is not None else "" for h in header[1]]
    body = []
    for number, cells in rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        body.append((number, list(cells)))
        if len(body) > MAX_ROWS:
            raise FileProblem(f"行数超过 {MAX_ROWS} / more than {MAX_ROWS} rows: split the file")
    return headings, body


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem(
            f"无法读取 XLSX 文件（{type(exc).__name__}） / cannot read the XLSX file "
            f"({type(exc).__name__})"
        ) from None
    sheet = book.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, list(cells)
    book.close()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise FileProblem("无法识别文件编码 / cannot tell the file's encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for cells in reader:
            yield reader.line_num, list(cells)
    except csv.Error as exc:
        raise FileProblem(
            f"CSV 第 {reader.line_num} 行格式错误：{exc} / CSV line {reader.line_num} is "
            f"malformed: {exc}"
        ) from None


# -- NetBox -------------------------------------------------------------------------------

_NETBOX: dict[str, str] = {
    "id": "id",
    "name": "name",
    "status": "status",
    "tenant": "tenant",
    "site": "site",
    "location": "nb_location",
    "rack": "rack",
    "position": "position",
    "position (u)": "position",
    "role": "role",
    "device role": "role",
    "manufacturer": "manufacturer",
    "type": "device_type",
    "device type": "device_type",
    "platform": "platform",
    "serial": "serial",
    "serial number": "serial",
    "asset tag": "asset_tag",
    "ip address": "ip",
    "primary ip": "ip",
    "ipv4 address": "ip4",
    "primary ipv4": "ip4",
    "ipv6 address": "ip6",
    "primary ipv6": "ip6",
    "comments": "comments",
    "description": "description",
}
_NETBOX_STATUS = {
    "active": AssetStatus.IN_SERVICE,
    "offline": AssetStatus.REPAIR,
    "failed": AssetStatus.REPAIR,
    "planned": AssetStatus.CONSTRUCTION,
    "staged": AssetStatus.CONSTRUCTION,
    "inventory": AssetStatus.CONSTRUCTION,
    "decommissioning": AssetStatus.RETIRED,
}
_NETBOX_KINDS = (
    (("pdu",), AssetKind.PDU),
    (("ups",), AssetKind.UPS),
    (("air", "crac", "cooling", "空调"), AssetKind.AIR_CONDITIONING),
    (("sensor", "传感"), AssetKind.SENSOR),
    (
        ("switch", "router", "firewall", "load balancer", "load-balancer", "network", "交换",
         "路由", "防火墙", "access point", "wan", "core", "spine", "leaf"),
        AssetKind.NETWORK_DEVICE,
    ),
    (("server", "compute", "host", "hypervisor", "storage", "服务器", "存储"), AssetKind.SERVER),
)  # fmt: skip


def is_netbox(headings: list[str]) -> bool:
    names = {_norm(h) for h in headings}
    ours = {_ALIASES.get(n) for n in names} - {None}
    return (
        "kind" not in ours
        and "manufacturer" in names
        and bool(names & {"type", "device type"})
        and "name" in names
    )


def _netbox_kind(role: str, device_type: str) -> str:
    text = f"{role} {device_type}".casefold()
    for words, kind in _NETBOX_KINDS:
        if any(w in text for w in words):
            return str(kind)
    return str(AssetKind.OTHER)


def _from_netbox(cells: dict[str, str]) -> dict[str, str]:
    """A NetBox device row as the register's columns (text, checked like any row)."""
    status = cells.get("status", "").strip()
    place = [cells.get(k, "").strip() for k in ("site", "nb_location", "rack")]
    position = cells.get("position", "").strip()
    where = " / ".join(p for p in place if p)
    if position:
        where = f"{where} U{position}" if where else f"U{position}"
    notes = [
        f"{label}: {cells[k].strip()}"
        for k, label in (
            ("asset_tag", "Asset tag"),
            ("platform", "Platform"),
            ("description", "Description"),
            ("comments", "Comments"),
        )
        if cells.get(k, "").strip()
    ]
    ip = cells.get("ip", "") or cells.get("ip4", "") or cells.get("ip6", "")
    return {
        "name": cells.get("name", "").strip(),
        "kind": _netbox_kind(cells.get("role", ""), cells.get("device_type", "")),
        "status": str(_NETBOX_STATUS.get(status.casefold(), status)) if status else "",
        "owner": cells.get("tenant", "").strip(),
        "location": cells.get("rack", "").strip(),
        "location_text": where,
        "vendor": cells.get("manufacturer", "").strip(),
        "model": cells.get("device_type", "").strip(),
        "serial": cells.get("serial", "").strip(),
        "address": ip.strip().split("/")[0],
        "external_id": f"netbox:{cells['id'].strip()}" if cells.get("id", "").strip() else "",
        "notes": "\n".join(notes),
    }


# -- checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # a key of COLUMNS, or "" for the row as a whole
    message: str  # bilingual

    def text(self) -> str:
        if self.column in _HEADINGS:
            zh, en = _HEADINGS[self.column]
            return f"第 {self.row} 行“{zh}”列 / row {self.row}, column “{en}”: {self.message}"
        return f"第 {self.row} 行 / row {self.row}: {self.message}"


@dataclass
class Planned:
    row: int
    name: str
    action: str  # "create", "update" or "unchanged"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    relations: dict[str, list[Any]] = field(default_factory=dict)
    location_name: str = ""
    asset: Asset | None = None
    given: frozenset[str] = frozenset()


@dataclass
class ImportReport:
    source: str  # "baozhang" or "netbox"
    rows: int
    plan: list[Planned]
    errors: list[RowError]
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(p.action == action for p in self.plan)

    def lines(self) -> list[str]:
        """What a person reads: the errors, or what was (or would be) done."""
        if self.errors:
            head = (
                f"文件有 {len({e.row for e in self.errors})} 行错误，未导入任何内容 / "
                f"{len({e.row for e in self.errors})} bad rows: nothing was imported"
            )
            return [head, *(e.text() for e in self.errors)]
        verb = (
            ("已导入", "imported")
            if self.applied
            else ("演练（未写入）", "dry run, nothing written")
        )
        out = [
            f"{verb[0]}：新建 {self.count('create')}，更新 {self.count('update')}，不变 "
            f"{self.count('unchanged')}（{self.source}） / {verb[1]}: {self.count('create')} "
            f"new, {self.count('update')} changed, {self.count('unchanged')} unchanged "
            f"({self.source})"
        ]
        for p in self.plan:
            if p.action == "create":
                out.append(f"+ 第 {p.row} 行 / row {p.row}: {p.name}")
            elif p.action == "update":
                changed = ", ".join(
                    f"{k}: {old!r} → {new!r}" for k, (old, new) in p.changes.items()
                )
                out.append(f"~ 第 {p.row} 行 / row {p.row}: {p.name} ({changed})")
        return out


class _Row:
    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors

    def bad(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, key: str) -> str:
        return self.cells.get(key, "").strip()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL]


def _choice(row: _Row, key: str, value: str, choices: Any, extra: dict[str, str]) -> str | None:
    table = {**_choice_aliases(choices), **{_norm(k): v for k, v in extra.items()}}
    found = table.get(_norm(value))
    if found is None:
        allowed = ", ".join(str(v) for v in choices.values if v)
        row.bad(
            key,
            f"无法识别的值 {value!r}（可用：{allowed}） / unknown value {value!r} (use {allowed})",
        )
    return found


class _Lookups:
    """The rows an import refers to, read once."""

    def __init__(self) -> None:
        self.orgs = {_norm(o.name): o for o in Organisation.objects.all()}
        self.operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
        self.users = {_norm(u.username): u for u in User.objects.filter(is_active=True)}
        service_model = Asset._meta.get_field("services").related_model
        self.services: dict[str, Any] = {}
        for s in service_model.objects.all():  # type: ignore[attr-defined]
            for key in (s.slug, s.name, s.name_en):
                if key:
                    self.services[_norm(key)] = s
        # With what comparing a row to its asset reads (its owner, place and relations):
        # a few queries for the whole register, not several per row.
        registered = list(Asset.objects.select_related("owner", "location"))
        for k in range(0, len(registered), 2000):  # bounded IN lists (SQLite's limit)
            prefetch_related_objects(
                registered[k : k + 2000], "responsible", "services", "customers"
            )
        self.assets = {a.name: a for a in registered}
        self.by_external = {a.external_id: a for a in self.assets.values() if a.external_id}


def _check_row(row: _Row, look: _Lookups, source: str) -> Planned | None:
    values: dict[str, Any] = {}
    relations: dict[str, list[Any]] = {}
    name = row.text("name")
    if not name:
        row.bad("name", "名称不能为空 / the name is required")
    elif len(name) > 200:
        row.bad("name", "名称超过 200 字 / the name is longer than 200 characters")
    values["name"] = name
    kind_text = row.text("kind")
    values["kind"] = (
        _choice(row, "kind", kind_text, AssetKind, _ZH_KINDS)
        if kind_text
        else row.bad("kind", "类别不能为空 / the kind is required")
    )
    status_text = row.text("status")
    values["status"] = (
        _choice(row, "status", status_text, AssetStatus, _ZH_STATUS)
        if status_text
        else AssetStatus.IN_SERVICE
    )
    values["role"] = _choice(row, "role", row.text("role"), AssetRole, _ZH_ROLE) or ""
    owner = row.text("owner")
    values["owner"] = look.orgs.get(_norm(owner)) if owner else look.operator
    if values["owner"] is None and source == "netbox":
        # A NetBox tenant the register does not know: the operator's, said in the notes.
        values["owner"] = look.operator
        row.cells["notes"] = "\n".join(
            n for n in (row.text("notes"), f"Tenant: {owner} (未登记 / not registered)") if n
        )
    elif values["owner"] is None:
        row.bad("owner", f"没有单位 {owner!r} / no organisation named {owner!r}")
    critical = _norm(row.text("is_critical"))
    if critical in _TRUE:
        values["is_critical"] = True
    elif critical in _FALSE:
        values["is_critical"] = False
    else:
        row.bad("is_critical", f"应为 是/否 / give yes or no, not {row.text('is_critical')!r}")
    values["required_time"] = row.text("required_time") or ALWAYS
    warranty = row.text("warranty_end")
    values["warranty_end"] = None
    if warranty:
        try:
            values["warranty_end"] = dt.date.fromisoformat(warranty[:10].replace("/", "-"))
        except ValueError:
            row.bad(
                "warranty_end",
                f"日期应为 2027-06-30 形式，而不是 {warranty!r} / give the date as 2027-06-30, "
                f"not {warranty!r}",
            )
    bandwidth = row.text("bandwidth_mbps")
    values["bandwidth_mbps"] = None
    if bandwidth:
        if bandwidth.isdigit() and 0 < int(bandwidth) < 2**31:
            values["bandwidth_mbps"] = int(bandwidth)
        else:
            row.bad(
                "bandwidth_mbps",
                f"带宽应为正整数（Mbit/s），而不是 {bandwidth!r} / give the bandwidth as a whole "
                f"number of Mbit/s, not {bandwidth!r}",
            )
    limits = {"location_text": 200, "vendor": 100, "model": 100, "serial": 100, "address": 100,
              "carrier": 100, "end_a": 200, "end_b": 200, "external_id": 60}  # fmt: skip
    for key, limit in limits.items():
        text = row.text(key)
        if len(text) > limit:
            row.bad(key, f"超过 {limit} 字 / longer than {limit} characters")
        values[key] = text[:limit]
    values["notes"] = row.text("notes")
    for key, table, what in (
        ("responsible", look.users, ("用户", "person")),
        ("services", look.services, ("服务", "service")),
        ("customers", look.orgs, ("单位", "organisation")),
    ):
        items = [t.strip() for t in LIST_SEPARATORS.split(row.text(key)) if t.strip()]
        found = [table.get(_norm(t)) for t in items]
        missing = [t for t, f in zip(items, found, strict=True) if f is None]
        if missing:
            row.bad(
                key,
                f"没有这些{what[0]}：{'、'.join(missing)} / no such {what[1]}: "
                f"{', '.join(missing)}",
            )
        if key in row.cells:  # a column left out changes nothing
            relations[key] = [f for f in found if f is not None]
    place = row.text("location")
    if source == "netbox" and place and place not in look.assets:
        place = ""  # a rack the register does not hold stays in the location text
    existing = look.by_external.get(values["external_id"]) if values["external_id"] else None
    existing = existing or look.assets.get(name)
    if existing is not None:
        # An asset already registered changes only in the columns the file has.
        given = set(row.cells) | ({"owner"} if source == "netbox" else set())
        values = {k: v for k, v in values.items() if k in given or k == "name"}
    return Planned(
        row=row.number,
        name=name,
        action="",
        values=values,
        relations=relations,
        location_name=place,
        asset=existing,
        given=frozenset(row.cells),
    )


def _audit(asset: Asset) -> dict[str, Any]:
    data = {k: getattr(asset, k) for k in services.FIELDS}
    data["responsible"] = sorted(u.pk for u in asset.responsible.all())
    data["services"] = sorted(s.pk for s in asset.services.all())
    data["customers"] = sorted(o.pk for o in asset.customers.all())
    return data


def _shown(value: Any) -> Any:
    return str(value) if isinstance(value, Asset | Organisation) else value


def plan_import(name: str, data: bytes) -> ImportReport:
    """Read and check a file; nothing is written."""
    headings, body = read_rows(name, data)
    source = "netbox" if is_netbox(headings) else "baozhang"
    errors: list[RowError] = []
    if source == "baozhang":
        keys = [_ALIASES.get(_norm(h)) for h in headings]
        if "name" not in keys or "kind" not in keys:
            raise FileProblem(
                "表头缺少“名称”与“类别”列，也不是 NetBox 设备导出 / the headings lack the "
                "“name” and “kind” columns, and it is not a NetBox device export"
            )
    else:
        keys = [_NETBOX.get(_norm(h)) for h in headings]
    look = _Lookups()
    plan: list[Planned] = []
    for number, cells in body:
        raw = {k: _cell_text(v) for k, v in zip(keys, cells, strict=False) if k is not None}
        row = _Row(number, _from_netbox(raw) if source == "netbox" else raw, errors)
        planned = _check_row(row, look, source)
        if planned is not None:
            plan.append(planned)
    _check_across(plan, look, errors)
    for p in plan:
        if not any(e.row == p.row for e in errors):
            _rules(p, errors)
    errors.sort(
        key=lambda e: (
            e.row,
            [k for k, _z, _e in COLUMNS].index(e.column) if e.column in _HEADINGS else -1,
        )
    )
    return ImportReport(source, len(body), plan, errors)


def _check_across(plan: list[Planned], look: _Lookups, errors: list[RowError]) -> None:
    """Names repeated in the file; rooms and racks named as locations, in the register
    or in the file."""
    seen: dict[str, int] = {}
    places_in_file = {p.name: p for p in plan if p.values.get("kind") in PLACES}
    for p in plan:
        if p.name in seen:
            errors.append(
                RowError(
                    p.row,
                    "name",
                    f"与第 {seen[p.name]} 行重名 / the same name as row {seen[p.name]}",
                )
            )
        seen.setdefault(p.name, p.row)
        if p.location_name:
            known = look.assets.get(p.location_name)
            kind = known.kind if known is not None else None
            if p.location_name in places_in_file:
                kind = places_in_file[p.location_name].values.get("kind")
            if kind is None:
                errors.append(
                    RowError(
                        p.row,
                        "location",
                        f"没有机房或机柜 {p.location_name!r} / no room or rack named "
                        f"{p.location_name!r}",
                    )
                )
            elif kind not in PLACES:
                errors.append(
                    RowError(
                        p.row,
                        "location",
                        f"{p.location_name} 不是机房或机柜 / {p.location_name} is not a "
                        "machine room or rack",
                    )
                )
            elif p.location_name == p.name:
                errors.append(
                    RowError(
                        p.row, "location", "资产不能位于自身之中 / an asset cannot stand in itself"
                    )
                )


def _rules(p: Planned, errors: list[RowError]) -> None:
    """The register's own rules (services.check), each refusal on its column; and what
    the row would change."""
    values = dict(p.values)
    if p.asset is not None:
        values = {**{k: getattr(p.asset, k) for k in services.FIELDS}, **values}
    people = p.relations.get("responsible")
    if people is None and p.asset is not None:
        people = list(p.asset.responsible.all())
    pk = p.asset.pk if p.asset is not None else None
    try:
        services.check(
            dict(values, location=None),
            people or [],
            pk=pk,
            status_before=p.asset.status if p.asset is not None else None,
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                errors.append(RowError(p.row, key if key in _HEADINGS else "", message))
        return
    if p.asset is None:
        p.action = "create"
        return
    before = _audit(p.asset)
    before["location"] = p.asset.location.name if p.asset.location_id else ""
    after = dict(before)
    for key, value in p.values.items():
        after[key] = services.check_required_time(value) if key == "required_time" else value
    if p.location_name or "location" in p.given:
        after["location"] = p.location_name
    for key, rows in p.relations.items():
        after[key] = sorted(r.pk for r in rows)
    p.changes = {
        k: (_shown(before[k]), _shown(after[k])) for k in after if before.get(k) != after[k]
    }
    p.action = "update" if p.changes else "unchanged"


def import_assets(
    name: str, data: bytes, *, actor: Any = None, dry_run: bool = False
) -> ImportReport:
    """Check the file and, unless ``dry_run`` or any row is bad, apply it in one
    transaction: rooms and racks first, so that the file's assets may stand in them. An
    asset whose room or rack is registered already (or was created earlier in this run)
    is created or changed with its location at once; only one standing in a place the
    file creates later is placed afterwards."""
    report = plan_import(name, data)
    if not report.ok or dry_run:
        return report
    order = sorted(report.plan, key=lambda p: (p.values.get("kind") not in PLACES, p.row))
    with transaction.atomic():
        made: dict[str, Asset] = {a.name: a for a in Asset.objects.filter(kind__in=PLACES)}
        deferred: list[tuple[Asset, str]] = []
        for p in order:
            if p.action == "unchanged":
                continue
            values = dict(p.values)
            relations = dict(p.relations)
            if (p.location_name or "location" in p.given) and (
                not p.location_name or p.location_name in made
            ):
                values["location"] = made[p.location_name] if p.location_name else None
            if p.asset is None:
                asset = services.create_asset(actor, **values, **relations)
            else:
                asset = services.update_asset(actor, p.asset, **values, **relations)
            made[asset.name] = asset
            current = asset.location.name if asset.location_id else ""
            if (p.location_name or "location" in p.given) and p.location_name != current:
                deferred.append((asset, p.location_name))
        for asset, place in deferred:
            target = made.get(place) or (Asset.objects.get(name=place) if place else None)
            services.update_asset(actor, asset, location=target)
    report.applied = True
    return report


# -- export -------------------------------------------------------------------------------


def _row_of(asset: Asset) -> list[Any]:
    out: list[Any] = []
    for key, _zh, _en in COLUMNS:
        if key == "owner":
            out.append(asset.owner.name)
        elif key == "location":
            out.append(asset.location.name if asset.location_id else "")
        elif key == "is_critical":
            out.append("yes" if asset.is_critical else "no")
        elif key == "responsible":
            out.append("; ".join(sorted(u.username for u in asset.responsible.all())))
        elif key == "services":
            out.append("; ".join(sorted(s.slug for s in asset.services.all())))
        elif key == "customers":
            out.append("; ".join(sorted(o.name for o in asset.customers.all())))
        elif key == "warranty_end":
            out.append(asset.warranty_end.isoformat() if asset.warranty_end else "")
        elif key == "bandwidth_mbps":
            out.append(asset.bandwidth_mbps if asset.bandwidth_mbps is not None else "")
        else:
            out.append(getattr(asset, key))
    return out


def export_rows(assets: Iterable[Asset]) -> Iterator[list[Any]]:
    yield [f"{zh} / {key}" for key, zh, _en in COLUMNS]
    for asset in assets:
        yield _row_of(asset)


def export_assets(path: str, assets: Iterable[Asset] | None = None) -> int:
    """Write the register (or ``assets``) to ``path``, XLSX or CSV by its suffix (UTF-8
    with a byte-order mark, so that spreadsheet programs read the Chinese). Returns the
    number of assets written."""
    qs = (
        assets
        if assets is not None
        else (
            Asset.objects.select_related("owner", "location")
            .prefetch_related("responsible", "services", "customers")
            .order_by("kind", "name")
        )
    )
    rows = export_rows(qs)
    count = -1
    if Path(path).suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("资产 Assets")
        for row in rows:
            sheet.append(row)
            count += 1
        book.save(path)
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            for row in rows:
                writer.writerow(row)
                count += 1
    return count
