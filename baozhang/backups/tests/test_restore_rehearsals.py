"""Restore rehearsals and the backup they rehearse, linked both ways (issue 19 §5): the
backup's page lists its rehearsals with their results, a rehearsal's work order names
the backup; the plan's item and checklist, written by the platform, read in the reader's
language (stored as messages, not glued "中文 / English")."""

from __future__ import annotations

import pytest
from django.utils import timezone

from baozhang.assets import services as assets
from baozhang.backups import services
from baozhang.upkeep import services as upkeep
from baozhang.upkeep.models import Plan, WorkOrder


@pytest.fixture
def rehearsed(personas, backup_factory):
    """A backup of db-01 rehearsed daily; its work orders generated ahead, one recorded as a success
    (restored in 35 minutes, verified) and accepted, one failed (not verified)."""
    server = assets.create_asset(
        personas.engineer, name="db-01", kind="server", owner=personas.operator
    )
    job = backup_factory(name="db-01 nightly", asset=server, system="")
    plan = services.plan_restore_rehearsal(
        personas.engineer,
        job,
        period="daily",
        starts_on=timezone.localdate(),
        team=[personas.engineer],
        limit_minutes=60,
    )
    upkeep.generate_for_plan(plan, timezone.now())
    orders = list(WorkOrder.objects.filter(plan=plan).order_by("period_start"))
    assert len(orders) >= 2
    upkeep.record_work(personas.engineer, orders[0], values={1: True, 2: "35", 3: True}, sign=True)
    upkeep.accept(personas.director, orders[0])
    upkeep.record_work(personas.engineer, orders[1], values={1: True, 2: "50", 3: False}, sign=True)
    return job, plan, orders


def _as(user, language):
    user.language = language
    user.save(update_fields=["language"])


def test_the_plan_and_its_checklist_are_stored_as_messages_not_glued(rehearsed):
    _job, plan, _orders = rehearsed
    assert " / " not in plan.item and "恢复演练" not in plan.item
    assert (plan.item, plan.item_said, plan.item_params) == (
        "Restore rehearsal: db-01 nightly",
        "Restore rehearsal: %(name)s",
        {"name": "db-01 nightly"},
    )
    steps = list(plan.steps.order_by("position"))
    assert [(s.title, s.title_said) for s in steps] == [
        ("Data restored", True),
        ("Time taken to restore", True),
        ("Data verified (checksum matches)", True),
    ]


def test_the_backups_page_lists_its_rehearsals_with_their_results_in_both_languages(
    personas, login, rehearsed
):
    job, _plan, orders = rehearsed
    client = login(personas.director)
    for language, item, restored, passed, failed in (
        (
            "en",
            "Restore rehearsal: db-01 nightly",
            "Data restored",
            "rehearsal passed",
            "rehearsal failed",
        ),
        ("zh-hans", "恢复演练：db-01 nightly", "数据已恢复", "演练通过", "演练未通过"),
    ):
        _as(personas.director, language)
        page = client.get(f"/backups/{job.pk}/").content.decode()
        assert item in page, language
        assert restored in page
        assert 'data-testid="rehearsal-rows"' in page
        for order in orders[:2]:
            assert f'href="/upkeep/orders/{order.pk}/"' in page
        assert page.count(passed) == 1 and page.count(failed) == 1
        assert "35 min" in page or "35 分钟" in page
        other = "恢复演练" if language == "en" else "Restore rehearsal"
        assert other not in page


def test_a_rehearsals_work_order_names_the_backup_in_the_readers_language(
    personas, login, rehearsed
):
    job, _plan, orders = rehearsed
    client = login(personas.engineer)
    for language, heading, item, step in (
        ("en", "Restore rehearsal of", "Restore rehearsal: db-01 nightly", "Time taken to restore"),
        ("zh-hans", "所演练的备份", "恢复演练：db-01 nightly", "恢复用时"),
    ):
        _as(personas.engineer, language)
        page = client.get(f"/upkeep/orders/{orders[0].pk}/").content.decode()
        assert 'data-testid="rehearsed-backup"' in page
        assert f'href="/backups/{job.pk}/"' in page and heading in page
        assert item in page and step in page
    # An ordinary work order names no backup.
    server = orders[0].asset
    other = upkeep.create_plan(
        personas.engineer,
        item="UPS 巡检",
        period="monthly",
        starts_on=timezone.localdate().replace(day=1),
        assets=[server],
        team=[personas.engineer],
        team_name="动力组",
        time_limit_days=5,
        steps=[{"title": "电池电压", "requirement": "range", "low": 13.2, "high": 13.8}],
    )
    upkeep.generate_for_plan(other, timezone.now())
    plain = WorkOrder.objects.filter(plan=other).first()
    assert plain is not None
    page = client.get(f"/upkeep/orders/{plain.pk}/").content.decode()
    assert 'data-testid="rehearsed-backup"' not in page and "UPS 巡检" in page


def test_a_plan_typed_by_a_person_keeps_its_text_and_an_edit_keeps_the_messages(
    personas, rehearsed
):
    _job, plan, _orders = rehearsed
    steps = [
        {k: getattr(s, k) for k in ("title", "requirement", "low", "high", "expected_yes", "unit")}
        for s in plan.steps.order_by("position")
    ]
    # Changing the team leaves the item and the steps as messages.
    upkeep.update_plan(
        personas.engineer,
        plan,
        assets=list(plan.assets.all()),
        team=[personas.engineer, personas.director],
        steps=steps,
        item=plan.item,
        team_name="数据库组",
    )
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.item_said and all(s.title_said for s in plan.steps.all())
    # Retyped, the item is the operator's text from then on.
    upkeep.update_plan(
        personas.engineer,
        plan,
        assets=list(plan.assets.all()),
        team=[personas.engineer],
        steps=steps,
        item="数据库恢复演练（季度）",
    )
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.item_said, plan.item_text) == ("", "数据库恢复演练（季度）")
