"""`baozhang maintenance generate`: the periodic job by hand; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from baozhang.upkeep.models import WorkOrder


def test_generate_by_hand_twice_adds_nothing(ups_plan):
    plan = ups_plan()
    until = (timezone.localdate() + dt.timedelta(days=100)).isoformat()
    out = StringIO()
    call_command("maintenance", "generate", "--until", until, stdout=out)
    count = WorkOrder.objects.filter(plan=plan).count()
    assert count >= 4  # this month and the three or four after it
    assert f"{count} work orders generated (1 plans)" in out.getvalue()
    again = StringIO()
    call_command("maintenance", "generate", "--until", until, stdout=again)
    assert "0 work orders generated" in again.getvalue()
    assert WorkOrder.objects.filter(plan=plan).count() == count


def test_bad_arguments_are_told_in_both_languages(ups_plan):
    ups_plan()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("maintenance", "generate", "--until", "next year")
    with pytest.raises(CommandError, match="no active plans with ids \\[999\\]"):
        call_command("maintenance", "generate", "--plan", "999")
