"""Engineering handover (工程交接, I6): an asset of a construction project enters service
only after the project's handover is accepted — by a person of the operations side who is
none of the project's own people — and the acceptance puts it in service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from baozhang.assets import projects, services
from baozhang.assets.models import Asset, AssetStatus, HandoverTopic
from baozhang.assets.tabular import import_assets
from baozhang.events.models import Event

TODAY = dt.date(2026, 1, 5)


@pytest.fixture
def project(personas, asset_factory):
    switch = asset_factory(name="核心交换机 2", kind="network_device", status="construction")
    made = projects.create_project(
        personas.engineer,
        name="二期机房扩容",
        contractor="某某通信工程公司",
        responsible=[personas.agent],
        planned_start=dt.date(2025, 11, 1),
        planned_end=dt.date(2025, 12, 31),
        assets=[switch],
    )
    return made


def _ready(project, personas):
    """Tests passed and the checklist checked, by the engineer (the project's tester)."""
    projects.record_test(
        personas.engineer,
        project,
        item="端口吞吐",
        requirement="线速转发 ≥ 10 Gbit/s",
        measured="9.98 Gbit/s",
        passed=True,
        tester=personas.engineer,
        tested_on=TODAY,
    )
    for topic, text in (
        (HandoverTopic.DOCUMENTS, "竣工图纸与配置"),
        (HandoverTopic.MONITORING, "SNMP 监控"),
    ):
        item = projects.add_handover_item(personas.engineer, project, topic=topic, text=text)
        projects.check_handover_item(personas.engineer, item)


def test_an_asset_of_a_project_cannot_enter_service_before_the_handover_is_accepted_and_does_after(
    personas, project
):
    switch = project.assets.get()
    with pytest.raises(ValidationError) as refused:
        services.update_asset(personas.engineer, switch, status=AssetStatus.IN_SERVICE)
    message = " ".join(refused.value.message_dict["status"])
    assert "移交尚未验收" in message and "is not accepted yet" in message
    switch.refresh_from_db()
    assert switch.status == AssetStatus.CONSTRUCTION

    _ready(project, personas)
    started = projects.accept_handover(personas.director, project, note="资料齐全")
    assert [a.name for a in started] == ["核心交换机 2"]
    switch.refresh_from_db()
    project.refresh_from_db()
    assert switch.status == AssetStatus.IN_SERVICE
    assert project.accepted_by == personas.director and project.accepted_at is not None
    assert Event.objects.filter(
        object_type="assets.constructionproject", kind="state_changed"
    ).exists()
    # Closed: nothing more is added to an accepted project.
    with pytest.raises(ValidationError, match="closed"):
        projects.add_handover_item(personas.engineer, project, topic="other", text="x")


def test_an_import_cannot_put_an_asset_of_an_open_project_in_service(personas, project):
    data = "name,kind,status\n核心交换机 2,network_device,in_service\n".encode()
    report = import_assets("assets.csv", data)
    assert not report.ok and not report.applied
    text = "\n".join(report.lines())
    assert "移交尚未验收" in text and "is not accepted yet" in text
    assert Asset.objects.get(name="核心交换机 2").status == AssetStatus.CONSTRUCTION


def test_the_acceptance_cannot_be_signed_by_the_tester_or_the_requester(
    personas, project, user_factory
):
    _ready(project, personas)
    # The engineer requested the project and tested it; the agent is one of its people.
    for person, words in ((personas.engineer, "tested the project"),):
        with pytest.raises(ValidationError) as refused:
            projects.accept_handover(person, project)
        assert words in " ".join(refused.value.message_dict["accepted_by"])
    other = user_factory(personas.operator, ["engineer"], username="requester")
    second = projects.create_project(other, name="三期", contractor="乙公司")
    projects.record_test(
        personas.engineer,
        second,
        item="x",
        requirement="y",
        measured="z",
        passed=True,
        tester=personas.engineer,
        tested_on=TODAY,
    )
    item = projects.add_handover_item(personas.engineer, second, topic="training", text="培训")
    projects.check_handover_item(personas.engineer, item)
    with pytest.raises(ValidationError) as refused:
        projects.accept_handover(other, second)
    assert "requester" in " ".join(refused.value.message_dict["accepted_by"])
    assert projects.accept_handover(personas.director, second) == []
    project.refresh_from_db()
    assert not project.accepted


def test_the_acceptance_needs_passed_tests_and_a_checked_checklist(personas, project):
    projects.record_test(
        personas.engineer,
        project,
        item="光功率",
        requirement="-3 ~ -20 dBm",
        measured="-25 dBm",
        passed=False,
        tester=personas.engineer,
        tested_on=TODAY,
    )
    item = projects.add_handover_item(
        personas.engineer, project, topic="spare_parts", text="备件 2 块"
    )
    with pytest.raises(ValidationError) as refused:
        projects.accept_handover(personas.director, project)
    reasons = " ".join(refused.value.message_dict["accepted_by"])
    assert "acceptance tests not passed: 光功率" in reasons and "验收测试未通过" in reasons
    assert "handover items not checked: 备件 2 块" in reasons
    # Tested again and passed, checked: the latest result counts.
    projects.record_test(
        personas.engineer,
        project,
        item="光功率",
        requirement="-3 ~ -20 dBm",
        measured="-8 dBm",
        passed=True,
        tester=personas.engineer,
        tested_on=TODAY,
    )
    projects.check_handover_item(personas.engineer, item)
    projects.accept_handover(personas.director, project)
    assert project.assets.get().status == AssetStatus.IN_SERVICE


def test_a_project_takes_only_assets_in_construction(personas, asset_factory):
    running = asset_factory(name="在用服务器")
    with pytest.raises(ValidationError) as refused:
        projects.create_project(personas.engineer, name="p", contractor="c", assets=[running])
    assert "not in construction: 在用服务器" in " ".join(refused.value.message_dict["assets"])
    with pytest.raises(ValidationError) as refused:
        projects.create_project(
            personas.engineer,
            name="p",
            contractor="c",
            planned_start=dt.date(2026, 2, 1),
            planned_end=dt.date(2026, 1, 1),
        )
    assert "before the start" in " ".join(refused.value.message_dict["planned_end"])
