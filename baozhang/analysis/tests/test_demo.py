"""The demo shows cause analysis at work: analysed faults on the portal with the same
cause (a repeat), an overdue corrective action, and an upheld complaint with its actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from baozhang.analysis.models import Action, Analysis
from baozhang.analysis.selectors import OVERDUE, repeats, visible_actions, with_state
from baozhang.demo import load_demo


def test_the_demo_has_analyses_a_repeat_and_an_overdue_action(db: Any) -> None:
    load_demo()
    assert Analysis.objects.filter(subject_kind="incident", category__key="link").count() == 2
    complaint = Analysis.objects.get(subject_kind="complaint")
    assert complaint.upheld and complaint.category.key == "human"
    found = repeats({"incident": Analysis.objects.values("subject_id")})
    assert [(r["service"], r["category"], r["count"]) for r in found] == [("客户门户", "link", 2)]
    overdue = with_state(Action.objects.all(), OVERDUE)
    assert overdue.count() == 1 and overdue.get().due_on < timezone.localdate()
    assert complaint.actions.filter(done_at__isnull=False).count() == 1
    assert visible_actions(complaint.analysed_by).count() == Action.objects.count() == 4
