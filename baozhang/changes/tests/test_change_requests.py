"""Change requests (软件修改制度, S6, M3): the approver is not the requester, a change that
affects customers sits inside an announced maintenance window, work outside the services'
low-usage period needs a stated reason, and the states follow one another."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from baozhang.changes import low_usage, services
from baozhang.changes.models import ChangeState
from baozhang.changes.tests.conftest import night
from baozhang.events.models import Event
from baozhang.events.text import render


def test_the_requester_may_not_approve_their_own_change(personas: Any, change_factory: Any) -> None:
    change = change_factory()
    services.submit(personas.engineer, change)

    with pytest.raises(ValidationError) as refused:
        services.approve(personas.engineer, change)

    message = refused.value.message_dict["approver"][0]
    assert "申请人不能审批自己的变更" in message
    assert "the requester may not approve" in message
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED
    assert change.approver is None


def test_another_person_approves_implements_and_reviews_a_change(
    personas: Any, change_factory: Any, internal: Any
) -> None:
    change = change_factory(services=[internal])
    services.submit(personas.engineer, change)
    services.approve(personas.director, change, note="ok")
    services.implement(personas.engineer, change, result="succeeded", notes="done at 02:10")
    services.review(personas.director, change, notes="no complaints; keep the new version")

    change.refresh_from_db()
    assert change.state == ChangeState.REVIEWED
    assert change.approver == personas.director
    assert change.implemented_by == personas.engineer
    assert change.result == "succeeded"
    assert not change.unauthorised
    events = Event.objects.filter(object_type="changes.changerequest", object_id=str(change.pk))
    with translation.override("en"):
        summaries = [render(e.summary_id, e.summary_params) for e in events]
    assert f"change request {change.reference} approved" in summaries
    with translation.override("zh-hans"):
        summaries = [render(e.summary_id, e.summary_params) for e in events]
    assert f"变更申请 {change.reference} 已批准" in summaries


def test_a_change_is_implemented_only_once_approved(personas: Any, change_factory: Any) -> None:
    change = change_factory()
    services.submit(personas.engineer, change)

    with pytest.raises(ValidationError) as refused:
        services.implement(personas.engineer, change, result="succeeded")

    assert "only an approved change can be implemented" in refused.value.messages[0]


def test_a_change_affecting_customers_without_a_window_is_not_approved(
    personas: Any, change_factory: Any, hosting: Any
) -> None:
    change = change_factory(services=[hosting])
    services.submit(personas.engineer, change)

    with pytest.raises(ValidationError) as refused:
        services.approve(personas.director, change)

    message = refused.value.message_dict["maintenance_window"][0]
    assert "须在已公告的维护窗口内进行" in message
    assert "must sit inside an announced maintenance window" in message
    change.refresh_from_db()
    assert change.state == ChangeState.SUBMITTED


def test_a_change_naming_a_customer_needs_a_window_that_reaches_them(
    personas: Any, change_factory: Any, internal: Any, window: Any
) -> None:
    # the window is on hosting (A's service), the change names customer B: B was not told
    change = change_factory(services=[], customers=[personas.org_b], maintenance_window=window)
    services.submit(personas.engineer, change)

    with pytest.raises(ValidationError) as refused:
        services.approve(personas.director, change)

    assert "who were not told: Customer B" in refused.value.messages[0]


def test_a_window_that_does_not_cover_the_planned_time_is_refused(
    personas: Any, change_factory: Any, hosting: Any, window: Any
) -> None:
    start, end = night(3, 3, 2)  # 03:00–05:00; the window ends at 04:00
    change = change_factory(
        services=[hosting], maintenance_window=window, planned_start=start, planned_end=end
    )
    services.submit(personas.engineer, change)

    with pytest.raises(ValidationError) as refused:
        services.approve(personas.director, change)

    assert "does not cover the planned time" in refused.value.messages[0]


def test_a_change_inside_a_covering_window_is_approved_and_implemented(
    personas: Any, change_factory: Any, hosting: Any, window: Any
) -> None:
    change = change_factory(services=[hosting], maintenance_window=window)
    services.submit(personas.engineer, change)
    services.approve(personas.director, change)

    # the window cancelled after the approval: the implementation is refused
    from baozhang.maintenance import services as maintenance

    maintenance.cancel(personas.director, window, reason="postponed")
    with pytest.raises(ValidationError) as refused:
        services.implement(personas.engineer, change, result="succeeded")
    assert "was cancelled" in refused.value.messages[0]
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED


def test_a_change_outside_the_low_usage_period_needs_a_reason(
    personas: Any, change_factory: Any, internal: Any
) -> None:
    start, end = night(3, 14, 1)  # 14:00 local: outside 00:00–06:00

    with pytest.raises(ValidationError) as refused:
        change_factory(services=[internal], planned_start=start, planned_end=end)

    message = refused.value.message_dict["outside_low_usage_reason"][0]
    assert "不在服务的低峰时段内" in message
    assert "outside the low-usage period of the service (内部网管)" in message

    change = change_factory(
        services=[internal],
        planned_start=start,
        planned_end=end,
        outside_low_usage_reason="The vendor's engineer is on site only by day / 厂家白天到场",
    )
    assert change.state == ChangeState.DRAFT


def test_a_services_own_low_usage_period_decides(
    personas: Any, change_factory: Any, internal: Any
) -> None:
    low_usage.set_low_usage_period(
        personas.director, internal, starts=dt.time(13), ends=dt.time(15)
    )
    start, end = night(3, 13, 2)

    change = change_factory(services=[internal], planned_start=start, planned_end=end)

    assert change.outside_low_usage_reason == ""
    with pytest.raises(ValidationError):
        change_factory(services=[internal])  # 01:00–03:00 is now outside


def test_an_unknown_time_zone_for_a_low_usage_period_is_refused(
    personas: Any, internal: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        low_usage.set_low_usage_period(
            personas.director, internal, starts=dt.time(1), ends=dt.time(5), time_zone="Mars/Base"
        )
    assert refused.value.message_dict == {
        "time_zone": ["未知时区 'Mars/Base' / unknown time zone 'Mars/Base'"]
    }


def test_wrong_fields_are_named_in_both_languages(personas: Any, change_factory: Any) -> None:
    start, _end = night()
    with pytest.raises(ValidationError) as refused:
        change_factory(title=" ", risk="extreme", planned_end=start - dt.timedelta(hours=1))

    errors = refused.value.message_dict
    assert set(errors) == {"title", "risk", "planned_end"}
    assert errors["risk"] == ["风险须为低、中或高 / the risk is low, medium or high"]


def test_a_decided_change_is_not_edited_and_its_state_is_named_in_both_languages(
    personas: Any, change_factory: Any, internal: Any
) -> None:
    change = change_factory(services=[internal])
    services.submit(personas.engineer, change)
    services.reject(personas.director, change, note="not now")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.update_change(personas.engineer, change, title="again")

    assert refused.value.messages == [
        "状态为“已驳回”的变更不能修改 / a change in the state “Rejected” cannot be edited"
    ]
