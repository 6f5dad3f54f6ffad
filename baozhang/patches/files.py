"""Reading advisory and inventory files into rows for the services (all or nothing there).

- Advisories as CSV: a header row with ``reference, title, product, affected,
  fixed_version, scheme, severity, cve_ids, released_on, source, description`` (the first
  seven required as columns; ``cve_ids`` separated by spaces or semicolons).
- Advisories from the Debian security tracker's JSON
  (``{package: {CVE-id: {"description", "releases": {release: {"status",
  "fixed_version", "urgency"}}}}}``): one advisory per package and CVE with a fixed
  version in the chosen release (``reference`` ``debian:<release>:<package>:<CVE>``);
  entries still open (no fix) in that release are skipped, so are those "not-affected".
- Inventories as CSV: ``asset, product, version`` (the agent script,
  scripts/inventory_agent.py, reads dpkg-query itself and posts JSON).

A file that cannot be read at all raises ValidationError on ``file``, in both languages.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.exceptions import ValidationError

from baozhang.patches.models import SeverityLevel, VersionScheme

MAX_BYTES = 20 * 1024 * 1024
ADVISORY_COLUMNS = ("reference", "title", "product", "affected", "fixed_version", "severity")
INVENTORY_COLUMNS = ("asset", "product", "version")

# The tracker's urgency → our severity ("not yet assigned" and "unimportant" read low).
URGENCY = {
    "high": SeverityLevel.HIGH,
    "medium": SeverityLevel.MEDIUM,
    "low": SeverityLevel.LOW,
    "unimportant": SeverityLevel.LOW,
    "not yet assigned": SeverityLevel.LOW,
    "end-of-life": SeverityLevel.LOW,
}

Rows = list[tuple[int, dict[str, Any]]]


def _refuse(zh: str, en: str) -> ValidationError:
    return ValidationError({"file": f"{zh} / {en}"})


def _text(data: bytes, limit: int = MAX_BYTES) -> str:
    if len(data) > limit:
        megabytes = limit // (1024 * 1024)
        raise _refuse(f"文件超过 {megabytes} MB", f"the file is larger than {megabytes} MB")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse("文件不是 UTF-8 或 GB18030 文本", "the file is not UTF-8 or GB18030 text")


def _csv(data: bytes, required: tuple[str, ...]) -> Rows:
    reader = csv.DictReader(io.StringIO(_text(data)))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        names = ", ".join(missing)
        raise _refuse(f"缺少列：{names}", f"missing columns: {names}")
    reader.fieldnames = header
    rows: Rows = []
    try:
        for row in reader:
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise _refuse(f"CSV 无法读取：{exc}", f"the CSV cannot be read: {exc}") from None
    return rows


def advisories_from_csv(data: bytes) -> Rows:
    rows = _csv(data, ADVISORY_COLUMNS)
    for _number, row in rows:
        row["source_text"] = row.pop("source", "")
        row.setdefault("scheme", VersionScheme.DEBIAN)
        row["scheme"] = row["scheme"] or VersionScheme.DEBIAN
    return rows


def advisories_from_debian(data: bytes, release: str, *, limit: int = MAX_BYTES) -> Rows:
    """Advisories fixed in ``release`` (bookworm, trixie …) from the tracker's JSON. The
    whole tracker is larger than a page upload takes: the command passes a larger
    ``limit``."""
    try:
        tracker = json.loads(_text(data, limit))
    except json.JSONDecodeError as exc:
        raise _refuse(f"JSON 无法读取：{exc}", f"the JSON cannot be read: {exc}") from None
    if not isinstance(tracker, dict):
        raise _refuse(
            "不是 Debian 安全跟踪器的 JSON（应为 {软件包: {CVE: …}}）",
            "not the Debian security tracker's JSON (expected {package: {CVE: …}})",
        )
    rows: Rows = []
    number = 0
    for package, entries in tracker.items():
        if not isinstance(entries, dict):
            number += 1
            rows.append((number, {"reference": str(package), "_bad": "entries"}))
            continue
        for cve, entry in entries.items():
            number += 1
            releases = entry.get("releases") if isinstance(entry, dict) else None
            if not isinstance(releases, dict):
                rows.append((number, {"reference": f"{package}:{cve}", "_bad": "releases"}))
                continue
            info = releases.get(release)
            if not isinstance(info, dict) or info.get("status") != "resolved":
                continue
            fixed = str(info.get("fixed_version") or "")
            if not fixed or fixed == "0":  # "0": never affected in this release
                continue
            urgency = str(info.get("urgency") or "not yet assigned").rstrip("*").strip()
            description = str(entry.get("description") or "")
            rows.append(
                (
                    number,
                    {
                        "reference": f"debian:{release}:{package}:{cve}",
                        "title": (description or cve)[:300],
                        "product": str(package),
                        "affected": "",
                        "fixed_version": fixed,
                        "scheme": VersionScheme.DEBIAN,
                        "severity": URGENCY.get(urgency, urgency),
                        "cve_ids": [cve] if str(cve).startswith("CVE-") else [],
                        "released_on": None,
                        "source_text": f"Debian security tracker ({release})",
                        "description": description,
                    },
                )
            )
    return rows


def inventory_from_csv(data: bytes) -> Rows:
    return _csv(data, INVENTORY_COLUMNS)
