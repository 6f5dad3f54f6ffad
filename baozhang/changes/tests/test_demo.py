"""The demo has an approved change inside its announced maintenance window, an unauthorised
change of last week, and two emergency plans: one drilled, one never drilled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from baozhang.changes import selectors
from baozhang.changes.models import ChangeRequest, ChangeState
from baozhang.core.changes import DrillState
from baozhang.demo import load_demo


def test_the_demo_has_changes_and_emergency_plans(db: Any) -> None:
    load_demo()
    approved = ChangeRequest.objects.get(state=ChangeState.APPROVED)
    assert approved.maintenance_window is not None
    assert approved.approver.username == "director"
    now = timezone.now()
    assert selectors.unauthorised_count(now - dt.timedelta(days=7), now) == 1
    states = {
        p.kind: s.state for p, s in selectors.plans_with_standing(approved.approver, now.date())
    }
    assert states == {
        "power_failure": DrillState.SCHEDULED,
        "security_incident": DrillState.NONE_YET,
    }
