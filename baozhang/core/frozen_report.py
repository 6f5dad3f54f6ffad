"""The digest of a frozen quality report (Q1), framework-free.

A frozen report is carried as JSON: its period and scope, one entry per statistic, and
the versions of the records behind them. The digest is SHA-256 over a canonical JSON
(keys sorted at every depth, no spaces, non-ASCII text as it is) of
``{"period", "scope", "sections"}``, where ``sections`` holds the SHA-256 of each
statistic and of each kind of record. A file whose figure was changed therefore names the
statistic whose section digest no longer matches; a file whose section digests were
rewritten to match fails the overall digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baozhang.core.backup_manifest import canonical_value

FORMAT = "baozhang-frozen-quality-report/1"


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (see the module docstring)."""
    return json.dumps(
        canonical_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def record_version(values: Mapping[str, Any]) -> str:
    """The version of one record: the SHA-256 (first 16 hex digits) of its values."""
    return sha256_of(dict(values))[:16]


def section_digests(statistics: Mapping[str, Any], records: Mapping[str, Any]) -> dict[str, str]:
    """The digest of each statistic (``statistics.<key>``) and each kind of record
    (``records.<kind>``)."""
    sections = {f"statistics.{k}": sha256_of(v) for k, v in statistics.items()}
    sections.update({f"records.{k}": sha256_of(v) for k, v in records.items()})
    return sections


def report_digest(
    period: Mapping[str, Any],
    scope: Mapping[str, Any],
    statistics: Mapping[str, Any],
    records: Mapping[str, Any],
) -> str:
    """The SHA-256 (hex) of a frozen report."""
    return sha256_of(
        {"period": period, "scope": scope, "sections": section_digests(statistics, records)}
    )


@dataclass
class Verification:
    """What ``verify`` found: ``intact`` when the digest and every section match;
    ``changed`` names the sections (``statistics.<key>``, ``records.<kind>``) whose
    content no longer matches its digest; ``problems`` anything else that is wrong."""

    intact: bool
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def verify(document: Mapping[str, Any]) -> Verification:
    """Check an exported frozen report (``export_document``) against its digests."""
    problems: list[str] = []
    missing = [
        k
        for k in ("period", "scope", "statistics", "records", "sections", "digest")
        if k not in document
    ]
    if document.get("format") != FORMAT or missing:
        problems.append(
            "不是冻结报表文件 / not a frozen report file"
            + (f" (缺少 / missing: {', '.join(missing)})" if missing else "")
        )
        return Verification(intact=False, problems=problems)
    stored = document["sections"]
    actual = section_digests(document["statistics"], document["records"])
    changed = sorted(k for k in set(stored) | set(actual) if stored.get(k) != actual.get(k))
    digest = report_digest(
        document["period"], document["scope"], document["statistics"], document["records"]
    )
    if digest != document["digest"]:
        problems.append("摘要不符 / the digest does not match")
    return Verification(intact=not changed and not problems, changed=changed, problems=problems)


# The fields of an exported report that its digest does not cover: who prepared and
# approved it and when, what it amends and why (the approval comes after the digest).
UNDIGESTED = ("prepared_by", "prepared_at", "approved_by", "approved_at", "amends", "reason")
# The fields the digest covers, with the ones verify reads.
DIGESTED = ("format", "id", "period", "scope", "statistics", "records", "sections", "digest")


@dataclass
class Comparison:
    """How an exported report differs from the platform's own export of the same report:
    ``changed`` names the undigested fields whose value differs and any field the
    platform's export does not have; ``before_approval`` is True when the file was exported
    before the report was approved (its approval fields empty, the platform's set), which
    is not a change."""

    changed: list[str] = field(default_factory=list)
    before_approval: bool = False


def compare_with_kept(document: Mapping[str, Any], kept: Mapping[str, Any]) -> Comparison:
    """Compare the fields of ``document`` that the digest does not cover with ``kept``
    (the export of the report the platform keeps under the same id). Values are compared
    as canonical JSON, so the file's layout (spaces, line ends, key order) does not count."""
    result = Comparison()
    approval = ("approved_by", "approved_at")
    if all(document.get(k) is None for k in approval) and all(
        kept.get(k) is not None for k in approval
    ):
        result.before_approval = True
    for key in UNDIGESTED:
        if result.before_approval and key in approval:
            continue
        if key not in document or canonical_json(document[key]) != canonical_json(kept.get(key)):
            result.changed.append(key)
    result.changed += [k for k in document if k not in UNDIGESTED and k not in DIGESTED]
    return result
