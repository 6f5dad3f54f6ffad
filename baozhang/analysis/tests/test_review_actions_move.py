"""incidents 0003 moves the incident reviews' actions into cause analysis (the one
tracker): on a database migrated to before it, a review with two actions (one done)
becomes the incident's analysis — root cause from the review, category guessed from the
incident's class — with the same actions; and back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("incidents", "0002_service_in_catalog"), ("analysis", "0002_built_in_categories")]
AFTER = [("incidents", "0003_review_actions_to_analysis")]
AT = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    loader = MigrationExecutor(connection).loader
    applied = [n for n in loader.applied_migrations if n in loader.graph.nodes]
    return loader.project_state(applied).apps


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_review_actions_become_analysis_actions(personas: Any) -> None:
    try:
        old = _migrate(BEFORE)
        Incident = old.get_model("incidents", "Incident")
        Review = old.get_model("incidents", "IncidentReview")
        ReviewAction = old.get_model("incidents", "ReviewAction")
        Service = old.get_model("catalog", "Service")
        hosting = Service.objects.create(name="网站托管", slug="hosting")
        incident = Incident.objects.create(
            reference="INC-7",
            title="软件缺陷",
            service=hosting,
            classification="software",
            restore_due_at=AT + dt.timedelta(hours=1),
            source="manual",
            detected_at=AT,
            resolved_at=AT + dt.timedelta(minutes=40),
            status="reviewed",
        )
        other = Incident.objects.create(
            reference="INC-8",
            title="其他",
            restore_due_at=AT,
            source="manual",
            detected_at=AT,
            status="reviewed",
        )
        review = Review.objects.create(
            incident=incident,
            cause="内存泄漏",
            prevention="升级版本",
            reviewed_by_id=personas.engineer.pk,
            reviewed_at=AT + dt.timedelta(hours=2),
        )
        Review.objects.create(incident=other, cause="未知", prevention="观察", reviewed_at=AT)
        ReviewAction.objects.create(
            review=review,
            description="升级到 2.1",
            owner_id=personas.engineer.pk,
            due_on=dt.date(2026, 11, 9),
            done_at=AT + dt.timedelta(days=3),
        )
        ReviewAction.objects.create(
            review=review, description="加内存监控", owner_id=personas.agent.pk
        )

        new = _migrate(AFTER)
        Analysis = new.get_model("analysis", "Analysis")
        found = Analysis.objects.get(subject_kind="incident", subject_id=incident.pk)
        assert (found.root_cause, found.category.key, found.service_id) == (
            "内存泄漏",
            "software",
            hosting.pk,
        )
        assert (found.subject_label, found.occurred_at, found.analysed_by_id) == (
            "INC-7 软件缺陷",
            AT,
            personas.engineer.pk,
        )
        rows = list(
            found.actions.order_by("pk").values_list(
                "description", "owner_id", "due_on", "done_at", "kind"
            )
        )
        assert rows == [
            (
                "升级到 2.1",
                personas.engineer.pk,
                dt.date(2026, 11, 9),
                AT + dt.timedelta(days=3),
                "preventive",
            ),
            ("加内存监控", personas.agent.pk, None, None, "preventive"),
        ]
        # a class without a fitting category stays unclassified
        assert Analysis.objects.get(subject_id=other.pk).category is None
        assert "reviewaction" not in {
            m._meta.model_name for m in new.get_app_config("incidents").get_models()
        }

        # and back: the actions return to the review
        back = _migrate(BEFORE)
        assert sorted(
            back.get_model("incidents", "ReviewAction").objects.values_list(
                "description", flat=True
            )
        ) == ["加内存监控", "升级到 2.1"]
    finally:
        _latest()
