"""Changes made without approval (I2, 软件修改制度): recorded after the fact as such, listed
on their own filter and counted per period for the inspections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from baozhang.changes import selectors, services
from baozhang.changes.models import ChangeState


def test_an_unauthorised_change_is_listed_and_counted_in_its_period(
    personas: Any, change_factory: Any, internal: Any
) -> None:
    done_at = timezone.now() - dt.timedelta(days=2)
    unauthorised = services.record_unauthorised(
        personas.director,
        title="Firewall rule added by hand / 手工添加防火墙规则",
        kind="configuration",
        reason="Found in the nightly configuration diff / 配置比对发现",
        risk="high",
        services=[internal],
        implemented_at=done_at,
        implemented_by=personas.engineer,
        result="succeeded",
        notes="no ticket, no approval",
    )
    approved = change_factory(services=[internal])  # an ordinary change is not counted

    assert unauthorised.state == ChangeState.IMPLEMENTED
    assert unauthorised.unauthorised
    assert unauthorised.approver is None
    assert unauthorised.implemented_by == personas.engineer
    start, end = done_at - dt.timedelta(days=1), done_at + dt.timedelta(days=1)
    assert list(selectors.unauthorised_changes(start, end)) == [unauthorised]
    assert selectors.unauthorised_count(start, end) == 1
    assert selectors.unauthorised_count(end, end + dt.timedelta(days=30)) == 0
    shown = selectors.filter_changes(
        selectors.visible_changes(personas.engineer), show=selectors.Show.UNAUTHORISED
    )
    assert list(shown) == [unauthorised]
    assert approved not in shown
    assert selectors.change_counts(start, end) == {
        "implemented": 1,
        "unauthorised": 1,
        "failed": 0,
    }


def test_an_unauthorised_change_is_recorded_once_done_not_ahead(personas: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_unauthorised(
            personas.director,
            title="x",
            kind="software",
            reason="y",
            risk="low",
            implemented_at=timezone.now() + dt.timedelta(days=1),
            result="succeeded",
        )
    assert refused.value.message_dict["implemented_at"] == [
        "实施时间不能在将来 / the implementation cannot be in the future"
    ]


def test_a_customers_person_sees_no_change(personas: Any, change_factory: Any) -> None:
    change_factory()
    assert not selectors.visible_changes(personas.contact_a).exists()
    assert selectors.visible_changes(personas.agent).count() == 1
