"""core/frozen_report.py: a changed figure is named by its section, a rewritten section
digest fails the whole digest, and the fields the digest does not cover are compared with
the platform's own copy."""

from __future__ import annotations

from typing import Any

import pytest

from baozhang.core.frozen_report import (
    FORMAT,
    compare_with_kept,
    report_digest,
    section_digests,
    verify,
)

PERIOD = {"label": "2026-09", "start": "2026-08-31T16:00:00Z", "end": "2026-09-30T16:00:00Z"}
SCOPE = {"customer_id": None, "service_id": None}
STATISTICS = {"server_faults": {"count": 4}, "complaints": {"count": 2}}
RECORDS = {"incidents": {"1": "abcd"}}


def document(**changes: Any) -> dict[str, Any]:
    base = {
        "format": FORMAT,
        "id": 7,
        "period": PERIOD,
        "scope": SCOPE,
        "statistics": STATISTICS,
        "records": RECORDS,
        "sections": section_digests(STATISTICS, RECORDS),
        "digest": report_digest(PERIOD, SCOPE, STATISTICS, RECORDS),
        "prepared_by": "director",
        "prepared_at": "2026-10-10T01:00:00Z",
        "approved_by": "inspector",
        "approved_at": "2026-10-10T01:05:00Z",
        "amends": None,
        "reason": "",
    }
    return {**base, **changes}


def test_an_intact_document_verifies() -> None:
    assert verify(document()).intact


def test_a_changed_figure_names_its_statistic() -> None:
    result = verify(document(statistics={**STATISTICS, "complaints": {"count": 3}}))
    assert not result.intact and result.changed == ["statistics.complaints"]


def test_rewritten_section_digests_fail_the_whole_digest() -> None:
    statistics = {**STATISTICS, "complaints": {"count": 3}}
    result = verify(document(statistics=statistics, sections=section_digests(statistics, RECORDS)))
    assert not result.intact and result.changed == []
    assert result.problems == ["摘要不符 / the digest does not match"]


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({}, []),
        ({"approved_by": "inspectos"}, ["approved_by"]),
        ({"prepared_at": "2026-10-10T01:00:01Z"}, ["prepared_at"]),
        ({"reason": "更正", "amends": 3}, ["amends", "reason"]),
        ({"note": "added"}, ["note"]),
    ],
)
def test_the_undigested_fields_are_compared_with_the_kept_copy(
    changes: dict[str, Any], changed: list[str]
) -> None:
    result = compare_with_kept(document(**changes), document())
    assert result.changed == changed and not result.before_approval


def test_a_missing_field_is_a_change() -> None:
    file = document()
    del file["prepared_by"]
    assert compare_with_kept(file, document()).changed == ["prepared_by"]


def test_a_file_exported_before_its_approval_is_not_changed() -> None:
    result = compare_with_kept(document(approved_by=None, approved_at=None), document())
    assert result.before_approval and result.changed == []
    # but one that names another approver is
    result = compare_with_kept(document(approved_by="someone"), document())
    assert result.changed == ["approved_by"] and not result.before_approval
