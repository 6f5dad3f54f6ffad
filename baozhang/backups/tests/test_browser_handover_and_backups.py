"""The construction project page (工程交接) and the backup register in a real browser, on
a phone (390×844) and a laptop (1366×900), in Chinese and English: nothing scrolls
sideways and the strict CSP refuses nothing. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from baozhang.assets import projects
from baozhang.assets import services as assets
from baozhang.backups import services as backups
from baozhang.conftest import ARTIFACTS, sign_in
from baozhang.monitoring.push import evaluate_push, ping_message, store_pings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(personas: Any) -> tuple[Any, Any]:
    switch = assets.create_asset(
        personas.engineer,
        name="核心交换机 2",
        kind="network_device",
        owner=personas.operator,
        status="construction",
    )
    project = projects.create_project(
        personas.engineer,
        name="二期机房扩容工程",
        contractor="某某通信工程有限公司",
        description="新增两台核心交换机与 UPS，完成后移交维护。",
        planned_start=dt.date(2026, 10, 1),
        planned_end=dt.date(2026, 11, 30),
        assets=[switch],
    )
    projects.record_test(
        personas.engineer,
        project,
        item="端口吞吐 Port throughput",
        requirement="≥ 10 Gbit/s 线速",
        measured="9.98 Gbit/s",
        passed=True,
        tester=personas.engineer,
        tested_on=dt.date(2026, 11, 20),
    )
    item = projects.add_handover_item(
        personas.engineer, project, topic="documents", text="竣工图纸与设备配置"
    )
    projects.check_handover_item(personas.engineer, item)
    projects.add_handover_item(
        personas.engineer, project, topic="spare_parts", text="备用电源模块 2 块"
    )
    job = backups.create_job(
        personas.engineer,
        name="网管数据库备份",
        system="网管软件数据库",
        what="PostgreSQL 全量转储",
        every=2,
        every_unit="days",
        retention_days=30,
        location="NAS-2 /backup/nms",
        responsible=personas.engineer,
    )
    at = job.monitor.created_at + dt.timedelta(minutes=1)
    store_pings(
        [(job.monitor.pk, at, True, ping_message(size=734003200, checksum="sha256:9f2c4e1ab07d"))]
    )
    evaluate_push(at + dt.timedelta(seconds=1))
    return project, job


def test_the_project_page_and_the_backup_register_fit_a_phone_and_a_laptop(
    page: Any, live_server: Any, personas: Any
) -> None:
    base = live_server.url
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    project, job = _data(personas)
    personas.director.language = "en"
    personas.director.save(update_fields=["language"])
    for who, lang in (("engineer", "zh"), ("director", "en")):
        page.context.clear_cookies()
        sign_in(page, base, who)
        for width, height in ((390, 844), (1366, 900)):
            page.set_viewport_size({"width": width, "height": height})
            for name, path in (
                ("project", f"/assets/projects/{project.pk}/"),
                ("backups", "/backups/"),
                ("backup", f"/backups/{job.pk}/"),
            ):
                page.goto(base + path)
                text = page.inner_text("main")
                if name == "project":
                    assert ("验收测试" if lang == "zh" else "Acceptance tests") in text
                    assert "9.98 Gbit/s" in text
                if name == "backups":
                    assert "网管数据库备份" in text and "700.0" in text
                page.screenshot(
                    path=str(ARTIFACTS / f"issue19-{name}-{lang}-{width}.png"), full_page=True
                )
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                    name,
                    lang,
                    width,
                )
    assert refused == []
