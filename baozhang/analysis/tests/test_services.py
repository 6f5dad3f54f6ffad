"""Analyses and their actions: one analysis per subject, the one tracker of actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baozhang.analysis import services
from baozhang.analysis.models import Analysis
from baozhang.analysis.tests.conftest import AT, category
from baozhang.events.models import Event


def test_one_analysis_per_subject_changed_in_place(personas: Any, analysed: Any) -> None:
    first = analysed(subject_id=7, root_cause="电源模块老化")
    again = services.analyse(
        personas.engineer,
        subject_kind="incident",
        subject_id=7,
        occurred_at=AT,
        category=category("power"),
        root_cause="UPS 切换失败",
    )
    assert again.pk == first.pk
    assert Analysis.objects.count() == 1
    assert (again.category.key, again.root_cause) == ("power", "UPS 切换失败")
    kinds = list(
        Event.objects.filter(object_type="analysis.analysis", object_id=str(first.pk))
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "updated"]


def test_a_complaint_says_whether_it_is_upheld(personas: Any) -> None:
    with pytest.raises(ValidationError, match="upheld"):
        services.analyse(personas.agent, subject_kind="complaint", subject_id=1, occurred_at=AT)
    found = services.analyse(
        personas.agent, subject_kind="complaint", subject_id=1, occurred_at=AT, upheld=False
    )
    assert found.upheld is False


def test_customers_do_not_analyse(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.analyse(personas.contact_a, subject_kind="incident", subject_id=1, occurred_at=AT)


def test_an_inactive_category_is_not_chosen_anew_but_stays_where_it_was(
    personas: Any, inspector: Any, analysed: Any
) -> None:
    kept = analysed(key="attack")
    services.update_category(inspector, category("attack"), active=False)
    with pytest.raises(ValidationError, match="no longer in use"):
        analysed(key="attack")
    services.analyse(
        personas.engineer,
        subject_kind="incident",
        subject_id=kept.subject_id,
        occurred_at=AT,
        category=category("attack"),
        root_cause="DDoS",
    )


def test_an_action_needs_a_staff_owner_and_a_description(personas: Any, analysed: Any) -> None:
    found = analysed()
    with pytest.raises(ValidationError, match="owner"):
        services.add_action(
            personas.engineer, found, description="换电源", owner=personas.contact_a
        )
    with pytest.raises(ValidationError, match="describe"):
        services.add_action(personas.engineer, found, description="  ", owner=personas.engineer)


def test_a_due_day_in_working_days_skips_the_weekend(personas: Any, analysed: Any) -> None:
    # Friday 4 December 2026, 10:00 in Beijing: one working day later is Monday the 7th.
    friday = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
    assert services.due_in_working_days(1, friday) == dt.date(2026, 12, 7)
    assert services.due_in_working_days(5, friday) == dt.date(2026, 12, 11)
    action = services.add_action(
        personas.engineer,
        analysed(),
        kind="corrective",
        description="更换电源模块",
        owner=personas.engineer,
        within_working_days=3,
    )
    assert action.due_on == services.due_in_working_days(3)
    assert action.due_on > timezone.localdate()


def test_an_action_is_done_once_by_its_owner_or_a_worker(personas: Any, analysed: Any) -> None:
    found = analysed()
    action = services.add_action(
        personas.engineer, found, description="巡检电源", owner=personas.security
    )
    other = services.add_action(
        personas.engineer, found, description="更新手册", owner=personas.engineer
    )
    # the security officer owns the first (may mark it) but does not work faults (not the
    # second)
    with pytest.raises(PermissionDenied):
        services.complete_action(personas.security, other)
    done = services.complete_action(personas.security, action)
    assert done.done_by == personas.security and done.done_at is not None
    with pytest.raises(ValidationError, match="already done"):
        services.complete_action(personas.engineer, action)
    services.complete_action(personas.agent, other)
