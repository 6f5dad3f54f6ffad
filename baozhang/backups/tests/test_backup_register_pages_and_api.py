"""The backup register through its pages and /api/v1/backups: an entry records what, how
often, how long and where, with its heartbeat URL; bad input is a 422 or the form again,
in both languages, never a 500; a customer's people see nothing (404); a restore rehearsal
is an upkeep plan whose checklist records restored, time taken and data verified."""

from __future__ import annotations

import datetime as dt

from baozhang.assets import services as assets
from baozhang.backups.models import BackupJob, ReportKind
from baozhang.monitoring.models import MonitorKind
from baozhang.monitoring.push import evaluate_push, ping_message, store_pings


def test_a_backup_is_registered_on_its_page_with_a_heartbeat_of_its_interval(personas, login):
    client = login(personas.engineer)
    form = {
        "name": "网管库备份",
        "system": "网管软件数据库",
        "what": "PostgreSQL 全量转储",
        "every": "2",
        "every_unit": "days",
        "grace_minutes": "60",
        "retention_days": "30",
        "location": "NAS-2 /backup/nms",
        "responsible": personas.engineer.pk,
        "active": "on",
    }
    refused = client.post("/backups/new/", {**form, "every": "0", "system": ""})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "name the asset or the system" in body or "请选择资产或填写系统" in body
    made = client.post("/backups/new/", form)
    job = BackupJob.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/backups/{job.pk}/"
    assert job.monitor.kind == MonitorKind.PUSH
    assert (job.monitor.push_period_s, job.monitor.push_grace_s) == (172800, 3600)
    page = client.get(f"/backups/{job.pk}/").content.decode()
    assert f"/ping/{job.monitor.push_token}?size=" in page and "NAS-2 /backup/nms" in page
    assert "网管库备份" in client.get("/backups/").content.decode()


def test_the_api_registers_a_backup_and_reads_its_reports_and_share(
    personas, api_client, backup_factory
):
    api = api_client(personas.engineer)
    bad = api.post(
        "/api/v1/backups",
        {
            "name": "x",
            "what": "y",
            "every": 6,
            "every_unit": "weeks",
            "retention_days": 7,
            "location": "z",
            "responsible_id": personas.engineer.pk,
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "every_unit" in bad.json()["error"]["fields"]
    made = api.post(
        "/api/v1/backups",
        {
            "name": "配置备份",
            "system": "核心交换机配置",
            "what": "running-config",
            "every": 6,
            "every_unit": "hours",
            "retention_days": 90,
            "location": "TFTP 10.0.0.5",
            "responsible_id": personas.engineer.pk,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["ping_url"].endswith(
        "/ping/" + BackupJob.objects.get(pk=body["id"]).monitor.push_token
    )
    job = BackupJob.objects.get(pk=body["id"])
    at = job.monitor.created_at + dt.timedelta(minutes=5)
    store_pings([(job.monitor.pk, at, True, ping_message(size=2048, checksum="sha256:ff"))])
    evaluate_push(at + dt.timedelta(seconds=1))
    reports = api.get(f"/api/v1/backups/{job.pk}/reports").json()
    assert reports["reports"][0] == {
        "at": reports["reports"][0]["at"],
        "kind": ReportKind.SUCCEEDED,
        "size": 2048,
        "checksum": "sha256:ff",
        "message": "",
    }
    patched = api.patch(f"/api/v1/backups/{job.pk}", {"every": 12}, content_type="application/json")
    assert patched.status_code == 200
    job.monitor.refresh_from_db()
    assert job.monitor.push_period_s == 12 * 3600
    assert api.get("/api/v1/backups/999999").status_code == 404
    customer = api_client(personas.contact_a)
    assert customer.get(f"/api/v1/backups/{job.pk}").status_code == 404
    assert customer.get("/api/v1/backups").json()["items"] == []


def test_a_restore_rehearsal_is_a_maintenance_plan_recording_restored_time_and_verified(
    personas, api_client, backup_factory
):
    server = assets.create_asset(
        personas.engineer, name="db-01", kind="server", owner=personas.operator
    )
    job = backup_factory(asset=server, system="")
    answer = api_client(personas.engineer).post(
        f"/api/v1/backups/{job.pk}/restore-rehearsals",
        {
            "period": "quarterly",
            "starts_on": "2026-10-01",
            "limit_minutes": 240,
            "team_ids": [personas.engineer.pk],
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    plan = job.rehearsal_plans.get(pk=answer.json()["plan_id"])
    assert list(plan.assets.all()) == [server]
    steps = [
        (s.title, s.requirement, s.high, s.expected_yes) for s in plan.steps.order_by("position")
    ]
    assert steps[0][1:] == ("yes_no", None, True) and steps[0][0] == "Data restored"
    assert steps[1][1] == "range" and steps[1][2] == 240 and steps[1][0] == "Time taken to restore"
    assert (
        steps[2][1:] == ("yes_no", None, True) and steps[2][0] == "Data verified (checksum matches)"
    )
    # A backup of a system that is no asset cannot be rehearsed on one: 422, both languages.
    system = backup_factory()
    refused = api_client(personas.engineer).post(
        f"/api/v1/backups/{system.pk}/restore-rehearsals",
        {
            "period": "quarterly",
            "starts_on": "2026-10-01",
            "limit_minutes": 240,
            "team_ids": [personas.engineer.pk],
        },
        content_type="application/json",
    )
    assert refused.status_code == 422


def test_an_assets_page_names_its_construction_project_and_its_backups(
    personas, login, backup_factory
):
    from baozhang.assets import projects

    server = assets.create_asset(
        personas.engineer,
        name="db-02",
        kind="server",
        owner=personas.operator,
        status="construction",
    )
    projects.create_project(
        personas.engineer, name="数据库扩容", contractor="丙公司", assets=[server]
    )
    backup_factory(name="db-02 每日备份", asset=server, system="")
    page = login(personas.director).get(f"/assets/{server.pk}/").content.decode()
    assert "数据库扩容" in page and "db-02 每日备份" in page
    assert "db-02 每日备份" not in login(personas.contact_a).get("/backups/").content.decode()
