"""Frozen quality reports (Q1): a closed period's figures frozen by two people, kept
unchanged, amended with a reason, flagged when their records change, and checked from
their file by `baozhang report verify`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.test import Client

from baozhang.accounts.models import Role
from baozhang.events.models import Event
from baozhang.incidents import services as incidents
from baozhang.incidents.models import Incident
from baozhang.quality import selectors, services
from baozhang.quality.models import FrozenReport, FrozenReportError
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)

OCTOBER_10 = dt.datetime(2026, 10, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def inspector(personas: Any, user_factory: Callable[..., Any]) -> Any:
    """A quality inspector: prepares and approves frozen reports, as the director does."""
    return user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")


@pytest.fixture
def frozen(seeded_september: None, personas: Any, inspector: Any) -> FrozenReport:  # noqa: F811
    """September 2026, prepared by the service director and approved by the quality
    inspector."""
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    services.approve(inspector, report, now=OCTOBER_10)
    return report


def test_freezing_needs_a_second_person(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    # Given a report prepared by the service director
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    assert not selectors.is_frozen(report)
    assert report.statistics["server_faults"]["count"] == 4
    assert len(report.digest) == 64
    # When the preparer approves it, it is refused in both languages
    with pytest.raises(ValidationError) as refused:
        services.approve(personas.director, report, now=OCTOBER_10)
    assert "另一人" in str(refused.value)
    with pytest.raises(
        CommandError, match=r"报表准备人不能审批.* / The preparer of a report cannot approve it"
    ):
        call_command("report", "approve", "--frozen", report.pk, "--as", "director")
    # And neither an agent nor the security officer (who reads the audit but does not
    # answer for the quality figures) may approve it
    for outsider in (personas.agent, personas.security):
        with pytest.raises(PermissionDenied):
            services.approve(outsider, report, now=OCTOBER_10)
    # When a second person approves it, it is frozen, and the trail shows both steps
    services.approve(inspector, report, now=OCTOBER_10)
    report = selectors.frozen_reports().get(pk=report.pk)
    assert selectors.is_frozen(report)
    assert report.approval.approved_by == inspector
    kinds = list(
        Event.objects.filter(object_type="quality.frozenreport", object_id=str(report.pk))
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "state_changed"]
    with pytest.raises(ValidationError):
        services.approve(personas.admin, report, now=OCTOBER_10)


def test_an_open_period_cannot_be_frozen(personas: Any) -> None:
    # Given September 2026, on its last day
    on_the_30th = OCTOBER_10 - dt.timedelta(days=10)
    # When it is prepared for freezing, it is refused: the period has not ended
    with pytest.raises(ValidationError, match="只有已结束的统计期才能冻结"):
        services.prepare_frozen_report(personas.director, SEPTEMBER, now=on_the_30th)
    assert not FrozenReport.objects.exists()


def test_a_frozen_snapshot_cannot_be_updated(frozen: FrozenReport) -> None:
    # Given a frozen report, when code saves it again, the model refuses
    frozen.statistics["server_faults"]["count"] = 3
    with pytest.raises(FrozenReportError):
        frozen.save()
    with pytest.raises(FrozenReportError):
        frozen.approval.save()
    # And the database refuses an update that goes around the model
    with pytest.raises(DatabaseError), transaction.atomic():
        FrozenReport.objects.filter(pk=frozen.pk).update(digest="0" * 64)
    assert FrozenReport.objects.get(pk=frozen.pk).statistics["server_faults"]["count"] == 4


def test_editing_an_incident_of_a_frozen_month_flags_the_report(
    frozen: FrozenReport, personas: Any
) -> None:
    # Given a frozen September with nothing changed since
    assert selectors.changed_since_frozen(frozen) == []
    # When an incident detected in September is reclassified afterwards
    incident = Incident.objects.get(classification="equipment_fault")
    incidents.update_fields(personas.agent, incident, responsibility="inside")
    # Then the report lists it as changed since frozen, also through the API
    expected = [{"kind": "incidents", "id": str(incident.pk), "change": "changed"}]
    assert selectors.changed_since_frozen(frozen) == expected
    client = Client()
    client.force_login(personas.director)
    response = client.get(f"/api/v1/quality/frozen/{frozen.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["changed_since_frozen"] == expected
    assert response.json()["frozen"] is True
    client.force_login(personas.agent)
    assert client.get(f"/api/v1/quality/frozen/{frozen.pk}").status_code == 403


def test_an_amended_report_shows_the_original_and_the_amendment(
    frozen: FrozenReport, personas: Any
) -> None:
    # Given a frozen September whose equipment fault is later reclassified
    incident = Incident.objects.get(classification="equipment_fault")
    incidents.update_fields(personas.agent, incident, classification="software")
    # When it is amended with its reason, an amendment needing no reason being refused
    with pytest.raises(ValidationError):
        services.amend(personas.director, frozen, "  ", now=OCTOBER_10)
    amendment = services.amend(
        personas.director, frozen, "故障分类更正 Class corrected", now=OCTOBER_10
    )
    # Then the original stays as it was and the history shows both, in order
    original = FrozenReport.objects.get(pk=frozen.pk)
    assert original.statistics == frozen.statistics
    assert original.digest != amendment.digest
    assert amendment.statistics["operating_quality"]["by_class"]["software"]["count"] == 2
    assert selectors.report_history(amendment) == [original, amendment]
    assert selectors.report_history(original) == [original, amendment]
    client = Client()
    client.force_login(personas.director)
    history = client.get(f"/api/v1/quality/frozen/{original.pk}").json()["history"]
    assert [(h["id"], h["amends"], h["reason"]) for h in history] == [
        (original.pk, None, ""),
        (amendment.pk, original.pk, "故障分类更正 Class corrected"),
    ]
    assert Event.objects.filter(
        object_type="quality.frozenreport", object_id=str(amendment.pk), kind="created"
    ).exists()


def test_verify_passes_an_intact_file_and_names_a_changed_statistic(
    frozen: FrozenReport, tmp_path: Any, capsys: Any
) -> None:
    # Given the frozen report exported to a file
    target = tmp_path / "frozen.json"
    call_command("report", "export", "--frozen", frozen.pk, "-o", str(target))
    # When it is verified untouched, it is intact (exit 0)
    call_command("report", "verify", str(target))
    assert "intact" in capsys.readouterr().out
    # When one figure is changed by one byte, verify exits 1 naming the statistic
    text = target.read_text(encoding="utf-8")
    data = json.loads(text)
    count = data["statistics"]["server_faults"]["count"]
    block = text.index('"server_faults": {')
    figure = text.index(f'"count": {count}', block)
    assert figure < text.index("}", block)
    digit = figure + len('"count": ')
    target.write_text(text[:digit] + "5" + text[digit + 1 :], encoding="utf-8")
    with pytest.raises(SystemExit) as failed:
        call_command("report", "verify", str(target))
    assert failed.value.code == 1
    out = capsys.readouterr().out
    assert "the figures of statistic server_faults changed" in out
    assert "统计项 server_faults" in out
    assert "complaints" not in out


def test_verify_names_a_changed_approver_and_passes_a_file_laid_out_anew(
    frozen: FrozenReport, personas: Any, tmp_path: Any, capsys: Any
) -> None:
    # Given the frozen report exported to a file
    target = tmp_path / "frozen.json"
    call_command("report", "export", "--frozen", frozen.pk, "-o", str(target))
    text = target.read_text(encoding="utf-8")
    # When one byte of the approver's name is changed (a field the digest does not cover)
    assert text.count('"approved_by": "inspector"') == 1
    target.write_text(text.replace('"approved_by": "inspector"', '"approved_by": "inspectos"'))
    # Then verify exits 1 naming the field, in both languages
    with pytest.raises(SystemExit) as failed:
        call_command("report", "verify", str(target))
    assert failed.value.code == 1
    out = capsys.readouterr().out
    assert f"the field approved_by differs from the frozen report #{frozen.pk}" in out
    assert "字段 approved_by 与平台保存的冻结报表" in out
    assert "intact" not in out
    # When the same content is laid out anew (compact, keys in another order), it is intact
    document = json.loads(text)
    target.write_text(json.dumps(dict(reversed(document.items())), ensure_ascii=False))
    call_command("report", "verify", str(target))
    assert "the report is intact" in capsys.readouterr().out


def test_a_file_exported_before_the_approval_is_intact_and_says_so(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
    tmp_path: Any,
    capsys: Any,
) -> None:
    # Given a report exported when it was prepared, then approved
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    target = tmp_path / "prepared.json"
    call_command("report", "export", "--frozen", report.pk, "-o", str(target))
    services.approve(inspector, report, now=OCTOBER_10)
    # When it is verified, it is intact and said to predate the approval
    call_command("report", "verify", str(target))
    out = capsys.readouterr().out
    assert "the report is intact" in out
    assert f"exported before report #{report.pk} was approved" in out
    # But a reason written into it is a change
    document = json.loads(target.read_text(encoding="utf-8"))
    target.write_text(json.dumps({**document, "reason": "x"}, ensure_ascii=False))
    with pytest.raises(SystemExit):
        call_command("report", "verify", str(target))
    assert "the field reason differs" in capsys.readouterr().out


def test_the_command_freezes_approves_and_amends(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
    capsys: Any,
) -> None:
    # Given a closed September, when the director freezes it from the command line
    call_command("report", "freeze", "--period", SEPTEMBER, "--as", "director")
    report = FrozenReport.objects.get()
    assert "awaiting a second person's approval" in capsys.readouterr().out
    # And the quality inspector approves it, then amends it with a reason
    call_command("report", "approve", "--frozen", report.pk, "--as", "inspector")
    call_command(
        "report", "amend", "--frozen", report.pk, "--reason", "更正 Corrected", "--as", "inspector"
    )
    # Then the history holds the frozen original and its amendment
    history = selectors.report_history(report)
    assert [r.amends_id for r in history] == [None, report.pk]
    assert selectors.is_frozen(history[0]) and not selectors.is_frozen(history[1])
    assert history[1].reason == "更正 Corrected"
    # And an amendment without a reason is refused in both languages
    with pytest.raises(CommandError, match=r"更正须写明原因。 / An amendment needs its reason\."):
        call_command("report", "amend", "--frozen", report.pk, "--as", "director")
