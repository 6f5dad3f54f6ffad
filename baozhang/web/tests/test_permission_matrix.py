"""Customer isolation, everywhere: for every API endpoint and every page that shows an
object, a contact of organisation B gets 404 for organisation A's object.

The URL lists are read from the URL configuration and the OpenAPI document, so a new
object route that is missing here fails the test instead of going unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from baozhang.accounts import services
from baozhang.api_site import api
from baozhang.events.models import Event, EventKind


def _a_objects(personas) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One object of organisation A of every kind that has a detail page or endpoint."""
    from baozhang.notify import services as notify_services
    from baozhang.notify.models import Channel

    channel = Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A's webhook",
        config={"url": "http://127.0.0.1:9/hook"},
    )
    message = notify_services.enqueue(channel, "test", {}, dedup_key="matrix-a")
    token, _secret = services.create_token(None, personas.contact_a)
    agreement = _agreement_of_a(personas)
    calendar, schedule = _operator_calendar()
    from baozhang.desk import services as desk

    ticket = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="A's fault", contact=personas.contact_a
    )
    event = Event.objects.filter(organisation=personas.org_a, kind=EventKind.CREATED).first()
    import datetime as dt

    from baozhang.staffing import services as staffing

    seat = staffing.create_seat(personas.director, name="Seat 1")
    start = dt.datetime(2026, 10, 12, 9, tzinfo=dt.UTC)
    shift = staffing.add_shift(
        personas.director,
        person=personas.agent,
        seat=seat,
        start=start,
        end=start + dt.timedelta(hours=8),
    )
    from baozhang.desk import services as desk_services
    from baozhang.desk.models import Status
    from baozhang.mailin import intake

    resolved = desk_services.open_ticket(
        None,
        customer=personas.org_a,
        kind="request",
        subject="A's request",
        contact=personas.contact_a,
    )
    desk_services.change_status(personas.agent, resolved, Status.RESOLVED)
    callback = resolved.callbacks.get()
    inbound = intake.receive(b"From: nobody@nowhere.example\r\nSubject: x\r\n\r\nhello")
    import datetime as _dt

    from baozhang.calls.services import record_call

    call = record_call(
        personas.agent,
        channel="hotline",
        number="1",
        customer=personas.org_a,
        started_at=_dt.datetime.now(_dt.UTC),
        answered=True,
    )
    incident, incident_action = _incident_of_a(personas)
    return {
        "call": call.pk,
        "incident": incident.pk,
        "review_action": incident_action.pk,
        "maintenance_window": _maintenance_of_a(personas).pk,
        **_monitoring_of_a(personas),
        "callback": callback.pk,
        "inbound": inbound.pk,
        "seat": seat.pk,
        "shift": shift.pk,
        "organisation": personas.org_a.pk,
        "user": personas.contact_a.pk,
        "event": event.pk,
        "token": token.pk,
        "channel": channel.pk,
        "message": message.pk,
        "agreement": agreement.pk,
        "target": agreement.targets.get().pk,
        "review": agreement.reviews.get().pk,
        "calendar": calendar.pk,
        "calendar_key": calendar.key,
        "schedule": schedule.pk,
        "date": "2026-10-12",
        "ticket": ticket.pk,
        "sms": _unknown_sms().pk,
        "attachment": _attachment_of(ticket, personas).pk,
        "frozen_report": _frozen_report_of_a(personas).pk,
        "approved_report": _approved_report_of_a(personas).pk,
        "cause_category": _cause_category().pk,
        **_assets_of_a(personas),
        **_upkeep_objects(personas),
        **_patches_objects(personas),
        **_changes_objects(personas),
        **_construction_project(personas),
        "backup": _backup(personas).pk,
    }


def _backup(personas: Any) -> Any:
    """An entry of the backup register (baozhang/backups): the operator's."""
    from baozhang.backups import services as backups

    return backups.create_job(
        personas.engineer,
        name="数据库备份",
        system="客户数据库",
        what="全量",
        every=2,
        every_unit="days",
        retention_days=30,
        location="NAS",
        responsible=personas.engineer,
    )


def _construction_project(personas: Any) -> dict[str, int]:
    """A construction project and an item of its handover checklist (baozhang/assets,
    I6): the operator's, no customer's person sees them."""
    from baozhang.assets import projects

    project = projects.create_project(personas.engineer, name="扩容工程", contractor="甲公司")
    item = projects.add_handover_item(personas.engineer, project, topic="documents", text="图纸")
    return {"construction_project": project.pk, "handover_item": item.pk}


def _upkeep_objects(personas: Any) -> dict[str, int]:
    """A maintenance plan of the operator with a work order recorded with a photo
    (baozhang/upkeep): the operator's, no customer's person sees them."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.assets import services as assets
    from baozhang.upkeep import services as upkeep

    ups = assets.create_asset(
        personas.engineer, name="UPS 矩阵", kind="ups", owner=personas.operator
    )
    plan = upkeep.create_plan(
        personas.director,
        assets=[ups],
        team=[personas.engineer],
        steps=[{"title": "V", "requirement": "range", "low": 13, "high": 14}],
        item="UPS",
        period="monthly",
        starts_on=dt.date(2026, 1, 1),
        team_name="Power",
        time_limit_days=10,
    )
    upkeep.generate(timezone.now(), plans=[plan])
    order = plan.work_orders.first()
    record = upkeep.record_work(
        personas.engineer, order, values={1: "13.5"}, photos=[("u.png", "image/png", b"png")]
    )
    return {"upkeep_plan": plan.pk, "work_order": order.pk, "upkeep_photo": record.photos.get().pk}


def _changes_objects(personas: Any) -> dict[str, int]:
    """A change request of the operator affecting customer A, and an emergency plan with a
    drill (baozhang/changes): the operator's, no customer's person sees them."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.changes import services as changes

    start = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0) + dt.timedelta(
        days=3
    )  # 02:00 in Shanghai: the low-usage period
    change = changes.create_change(
        personas.engineer,
        title="Upgrade",
        kind="upgrade",
        reason="r",
        risk="low",
        rollback_plan="b",
        customers=[personas.org_a],
        planned_start=start,
        planned_end=start + dt.timedelta(hours=1),
    )
    plan = changes.create_plan(
        personas.director, name="断电", kind="power_failure", content="c", owner=personas.engineer
    )
    return {"change_request": change.pk, "emergency_plan": plan.pk}


def _patches_objects(personas: Any) -> dict[str, int]:
    """An advisory matched to a server of the operator (baozhang/patches): the operator's,
    no customer's person sees it."""
    from baozhang.assets import services as assets
    from baozhang.patches import services as patches

    server = assets.create_asset(
        personas.engineer, name="patch-web-1", kind="server", owner=personas.operator
    )
    patches.report_inventory(personas.engineer, server, [("openssl", "3.0.11-1")])
    advisory = patches.create_advisory(
        personas.engineer,
        reference="DSA-0000-1",
        title="openssl",
        product="openssl",
        fixed_version="3.0.14-1",
        severity="high",
    )
    return {"patch_advisory": advisory.pk, "patch_status": advisory.statuses.get().pk}


def _assets_of_a(personas: Any) -> dict[str, int]:
    """An asset customer A owns, with a technical document (B neither owns nor uses it)."""
    from baozhang.assets import services as assets

    asset = assets.create_asset(
        personas.engineer, name="甲的服务器", kind="server", owner=personas.org_a
    )
    doc = assets.add_document(
        personas.engineer,
        asset,
        title="手册",
        filename="a.txt",
        content_type="text/plain",
        data=b"A's manual",
    )
    return {"asset": asset.pk, "asset_document": doc.pk}


def _frozen_report_of_a(personas: Any) -> Any:
    """A quality report of organisation A's figures for a closed month, frozen by the
    operator (a customer's people may not see it, A's included)."""
    from baozhang.quality import services as quality
    from baozhang.quality.statistics import Scope

    return quality.prepare_frozen_report(
        personas.director, "2026-09", Scope(customer_id=personas.org_a.pk)
    )


def _approved_report_of_a(personas: Any) -> Any:
    """A frozen report of A's figures approved by a second person: the one that is downloaded
    and recorded as submitted to the competent authority."""
    from baozhang.quality import services as quality

    report = _frozen_report_of_a(personas)
    quality.approve(personas.admin, report)
    return report


def _maintenance_of_a(personas):  # type: ignore[no-untyped-def]
    """A maintenance window of a service customer A uses (B uses none of its services)."""
    import datetime as dt

    from django.utils import timezone

    from baozhang.catalog.models import Service
    from baozhang.maintenance import services as maintenance

    hosting = Service.objects.create(name="甲的主机", slug="a-hosting")
    hosting.customers.add(personas.org_a)
    start = timezone.now() + dt.timedelta(days=2)
    return maintenance.schedule(
        personas.engineer,
        title="A's maintenance",
        services=[hosting],
        start=start,
        end=start + dt.timedelta(hours=1),
    )


def _cause_category():  # type: ignore[no-untyped-def]
    """A cause category of the operator's taxonomy (built in; put back after a flush)."""
    from baozhang.analysis.models import CauseCategory
    from baozhang.analysis.services import ensure_built_in_categories

    ensure_built_in_categories()
    return CauseCategory.objects.get(key="hardware")


def _incident_of_a(personas):  # type: ignore[no-untyped-def]
    """An incident that affects customer A only, reviewed, with one preventive action."""
    from baozhang.incidents import services as incidents

    incident = incidents.open_incident(
        personas.agent,
        service=None,
        title="A's fault",
        severity="minor",
        classification="other",
        responsibility="inside",
        customers=[personas.org_a],
    )
    incidents.resolve(personas.agent, incident, cause="", resolution="ok")
    review = incidents.review(
        personas.director,
        incident,
        cause="c",
        prevention="p",
        actions=[{"description": "x", "owner": personas.engineer, "due_on": None}],
    )
    return incident, review.actions.get()


def _monitoring_of_a(personas):  # type: ignore[no-untyped-def]
    """A service and a (push) monitor of customer A, and a probe region (the operator's)."""
    from baozhang.catalog import services as service_catalog
    from baozhang.monitoring import catalog

    service = service_catalog.create_service(
        personas.director, name="甲的专线", slug="a-line", customers=[personas.org_a]
    )
    monitor = catalog.create_monitor(
        personas.director,
        name="A's backup",
        kind="push",
        push_period_s=3600,
        services=[service],
        customers=[personas.org_a],
    )
    region, _token = catalog.create_region(personas.director, name="matrix-region")
    return {"service": service.pk, "monitor": monitor.pk, "probe_region": region.pk}


def _unknown_sms():  # type: ignore[no-untyped-def]
    from baozhang.desk.sms import receive_sms

    return receive_sms("13900000009", "谁的短信 whose text")


def _attachment_of(ticket, personas):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from baozhang.desk import services as desk

    message = desk.attach(personas.contact_a, ticket, SimpleUploadedFile("a.txt", b"A's file"))
    return message.attachments.get()


def _operator_calendar():  # type: ignore[no-untyped-def]
    """Calendars are the operator's, not a customer's: no customer's person sees them."""
    from baozhang.calendars import services as cal

    calendar = cal.create_calendar(
        None,
        name="Matrix calendar",
        key="matrix",
        base_schedule="CN",
        monday="09:00-18:00",
    )
    schedule = cal.import_schedule(
        None, country="CN", name="2099", text="year 2099\n2099-01-01 holiday 元旦"
    )
    return calendar, schedule


def _agreement_of_a(personas):  # type: ignore[no-untyped-def]
    import datetime as dt

    from baozhang.sla import services as sla

    agreement = sla.create_agreement(
        personas.director,
        customer=personas.org_a,
        reference="A-1",
        title="A's hosting",
        starts_on=dt.date(2026, 10, 1),
    )
    sla.add_target(
        personas.director, agreement, name="availability", kind="availability", objective="99.9"
    )
    sla.transition(personas.director, agreement, "negotiate")
    sla.transition(personas.director, agreement, "activate")
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    sla.open_review(
        personas.director,
        agreement,
        period_start=start,
        period_end=start + dt.timedelta(days=31),
        now=start + dt.timedelta(days=31),
    )
    return agreement


# Which object each parameter of a web URL stands for, by URL name.
WEB_OBJECT_OF: dict[str, str] = {
    "web:organisation": "organisation",
    "web:user": "user",
    "web:event": "event",
    "accounts:revoke_token": "token",
    "notify:channel_edit": "channel",
    "notify:channel_test": "channel",
    "notify:message_detail": "message",
    "notify:message_retry": "message",
    "sla:agreement": "agreement",
    "sla:agreement_edit": "agreement",
    "sla:agreement_action": "agreement",
    "sla:target_delete": "target",
    "sla:review": "review",
    "desk:ticket": "ticket",
    "staffing:shift_delete": "shift",
    "mailin:detail": "inbound",
    "mailin:raw": "inbound",
    "mailin:release": "inbound",
    "mailin:ignore": "inbound",
    "desk:callback": "callback",
    "calls:detail": "call",
    "staffing:seat_toggle": "seat",
    "monitoring:monitor": "monitor",
    "monitoring:monitor_edit": "monitor",
    "monitoring:monitor_action": "monitor",
    "monitoring:service_edit": "service",
    "monitoring:service_delete": "service",
    "incidents:detail": "incident",
    "incidents:edit": "incident",
    "incidents:action": "incident",
    "incidents:from_ticket": "ticket",
    "maintenance:detail": "maintenance_window",
    "maintenance:reschedule": "maintenance_window",
    "maintenance:cancel": "maintenance_window",
    "desk:ticket_action": "ticket",
    "desk:attachment": "attachment",
    "desk:sms_release": "sms",
    "calendars:detail": "calendar_key",
    "calendars:edit": "calendar_key",
    "calendars:date_add": "calendar_key",
    "calendars:date_remove": "calendar_key",
    "calendars:schedule_detail": "schedule",
    "calendars:schedule_delete": "schedule",
    "quality:frozen": "frozen_report",
    "quality:frozen_file": "frozen_report",
    "quality:frozen_approve": "frozen_report",
    "quality:frozen_amend": "frozen_report",
    "quality:frozen_download": "approved_report",
    "quality:submission_new": "approved_report",
    "assets:detail": "asset",
    "assets:edit": "asset",
    "assets:document_add": "asset",
    "assets:document": "asset_document",
    "desk:complaint_analysis": "ticket",
    # an improvement action: A's incident's review action is one (baozhang/analysis)
    "analysis:action_done": "review_action",
    "analysis:category": "cause_category",
    "upkeep:plan": "upkeep_plan",
    "upkeep:plan_edit": "upkeep_plan",
    "upkeep:plan_generate": "upkeep_plan",
    "upkeep:order": "work_order",
    "upkeep:order_record": "work_order",
    "upkeep:order_accept": "work_order",
    "upkeep:order_assign": "work_order",
    "upkeep:photo": "upkeep_photo",
    "patches:advisory": "patch_advisory",
    "patches:status": "patch_status",
    "patches:status_bulk": "patch_advisory",
    "changes:detail": "change_request",
    "changes:edit": "change_request",
    "changes:action": "change_request",
    "changes:plan": "emergency_plan",
    "changes:plan_edit": "emergency_plan",
    "changes:plan_drill": "emergency_plan",
    "changes:low_usage_edit": "service",
    "assets:project": "construction_project",
    "assets:project_edit": "construction_project",
    "assets:project_test_add": "construction_project",
    "assets:project_item_add": "construction_project",
    "assets:project_item_check": "handover_item",
    "assets:project_accept": "construction_project",
    "backups:detail": "backup",
    "backups:edit": "backup",
    "backups:rehearsal_add": "backup",
}
# Pages whose parameter is itself the secret (a survey link sent to the customer): whoever
# holds the link may answer; there is no organisation to check.
TOKEN_ROUTES = {"desk:survey"}

# Objects that belong to the operator, not to a customer: their "owner" in the check below
# is operator staff, and no customer's person may see them.
OPERATOR_OBJECTS = {
    "calendar",
    "calendar_key",
    "schedule",
    "seat",
    "shift",
    "inbound",
    "callback",
    "probe_region",
    "frozen_report",
    "approved_report",
    "cause_category",
    "upkeep_plan",
    "work_order",
    "upkeep_photo",
    "patch_advisory",
    "patch_status",
    "change_request",
    "emergency_plan",
    "construction_project",
    "handover_item",
    "backup",
}
# Route parameters that name no object: the value the matrix puts in the address.
PARAM_VALUES = {"fmt": "xlsx"}

# Routes that only receive a form (POST): a GET is 405 for everyone.
POST_ONLY_ROUTES = {
    "accounts:revoke_token",
    "notify:channel_test",
    "notify:message_retry",
    "desk:ticket_action",
    "desk:sms_release",
    "mailin:release",
    "mailin:ignore",
    "staffing:shift_delete",
    "staffing:seat_toggle",
    "sla:agreement_action",
    "sla:target_delete",
    "calendars:schedule_delete",
    "calendars:date_add",
    "calendars:date_remove",
    "monitoring:monitor_action",
    "monitoring:service_delete",
    "incidents:from_ticket",
    "incidents:action",
    "maintenance:cancel",
    "quality:frozen_approve",
    "quality:frozen_amend",
    "assets:document_add",
    "desk:complaint_analysis",
    "analysis:action_done",
    "analysis:category",
    "upkeep:plan_generate",
    "upkeep:order_record",
    "upkeep:order_accept",
    "upkeep:order_assign",
    "patches:status",
    "patches:status_bulk",
    "changes:action",
    "changes:plan_drill",
    "assets:project_test_add",
    "assets:project_item_add",
    "assets:project_item_check",
    "assets:project_accept",
    "backups:rehearsal_add",
}
# Pages where operator staff change a customer's object: the customer's own contact sees the
# object but is refused these (a capability, 403), unlike another customer's (404).
STAFF_CHANGE_PAGES = {
    "sla:agreement_edit",
    "monitoring:monitor_edit",
    "monitoring:service_edit",
    "incidents:edit",
    "maintenance:reschedule",
    "assets:edit",
    "changes:low_usage_edit",
}

# Which object each path parameter of the API stands for, and a valid body per method, so
# that a 404 comes from the object lookup and not from input validation.
API_OBJECT_OF: dict[str, str] = {
    "org_id": "organisation",
    "user_id": "user",
    "event_id": "event",
    "token_id": "token",
    "channel_id": "channel",
    "message_id": "message",
    "agreement_id": "agreement",
    "target_id": "target",
    "review_id": "review",
    "calendar_id": "calendar",
    "key": "calendar_key",
    "schedule_id": "schedule",
    "date": "date",
    "ticket_id": "ticket",
    "attachment_id": "attachment",
    "seat_id": "seat",
    "shift_id": "shift",
    "call_id": "call",
    "monitor_id": "monitor",
    "service_id": "service",
    "region_id": "probe_region",
    "incident_id": "incident",
    "review_action_id": "review_action",
    "window_id": "maintenance_window",
    "report_id": "frozen_report",
    "asset_id": "asset",
    "plan_id": "upkeep_plan",
    "order_id": "work_order",
    "advisory_id": "patch_advisory",
    "status_id": "patch_status",
    "change_id": "change_request",
    "emergency_plan_id": "emergency_plan",
    "project_id": "construction_project",
    "item_id": "handover_item",
    "backup_id": "backup",
}
API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/v1/organisations/{org_id}"): {"name": "taken over"},
    ("put", "/api/v1/users/{user_id}/roles"): {"roles": ["customer_contact"]},
    ("patch", "/api/v1/notify/channels/{channel_id}"): {"name": "taken over"},
    ("patch", "/api/v1/agreements/{agreement_id}"): {"title": "taken over"},
    ("post", "/api/v1/agreements/{agreement_id}/transition"): {"action": "begin_review"},
    ("post", "/api/v1/agreements/{agreement_id}/targets"): {
        "name": "x",
        "kind": "availability",
        "objective": "99",
    },
    ("post", "/api/v1/agreements/{agreement_id}/risks"): {
        "description": "x",
        "likelihood": "low",
        "impact": "low",
        "coverage": "x",
    },
    ("post", "/api/v1/agreements/{agreement_id}/clauses"): {"kind": "other", "text": "x"},
    ("post", "/api/v1/agreements/{agreement_id}/exclusions"): {
        "clause_id": 1,
        "reason": "x",
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-10-02T00:00:00Z",
    },
    ("post", "/api/v1/agreements/{agreement_id}/downtimes"): {
        "description": "x",
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-10-02T00:00:00Z",
    },
    ("post", "/api/v1/agreements/{agreement_id}/reviews"): {
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-10-02T00:00:00Z",
    },
    ("post", "/api/v1/targets/{target_id}/observations"): {"at": "2026-10-01T00:00:00Z"},
    ("patch", "/api/v1/reviews/{review_id}"): {"satisfaction": 1},
    ("patch", "/api/v1/calendars/{calendar_id}"): {"name": "x"},
    ("patch", "/api/v1/tickets/{ticket_id}"): {"priority": "P1"},
    ("patch", "/api/v1/staffing/seats/{seat_id}"): {"name": "x"},
    ("patch", "/api/v1/monitors/{monitor_id}"): {"name": "taken over"},
    ("patch", "/api/v1/services/{service_id}"): {"name": "taken over"},
    ("patch", "/api/v1/incidents/{incident_id}"): {"title": "taken over"},
    ("patch", "/api/v1/assets/{asset_id}"): {"name": "taken over"},
    ("post", "/api/v1/upkeep/work-orders/{order_id}/record"): {"values": {}, "reason": "x"},
    ("post", "/api/v1/upkeep/work-orders/{order_id}/accept"): {"remark": "x"},
    ("post", "/api/v1/upkeep/work-orders/{order_id}/assign"): {"assignee_id": None},
    ("put", "/api/v1/low-usage-periods/{service_id}"): {"starts": "01:00", "ends": "05:00"},
    ("post", "/api/v1/patch-statuses/{status_id}"): {"state": "pending"},
    ("post", "/api/v1/assets/{asset_id}/software"): {"packages": []},
    ("post", "/api/v1/changes/{change_id}/transition"): {"action": "submit"},
    ("post", "/api/v1/emergency-plans/{emergency_plan_id}/drills"): {
        "action": "schedule",
        "scheduled_on": "2026-12-01",
    },
    ("post", "/api/v1/projects/{project_id}/tests"): {
        "item": "x",
        "requirement": "x",
        "measured": "x",
        "passed": True,
        "tested_on": "2026-10-01",
    },
    ("post", "/api/v1/projects/{project_id}/handover-items"): {"topic": "other", "text": "x"},
    ("post", "/api/v1/projects/{project_id}/accept"): {"note": "x"},
    ("patch", "/api/v1/backups/{backup_id}"): {"name": "taken over"},
    ("post", "/api/v1/backups/{backup_id}/restore-rehearsals"): {
        "period": "quarterly",
        "starts_on": "2026-10-01",
        "limit_minutes": 60,
        "team_ids": [1],
    },
    ("post", "/api/v1/incidents/{incident_id}/dispatch"): {"engineer_id": 1, "location": "x"},
    ("post", "/api/v1/incidents/{incident_id}/updates"): {"message": "from B"},
    ("post", "/api/v1/incidents/{incident_id}/mitigate"): {"message": "from B"},
    ("post", "/api/v1/incidents/{incident_id}/resolve"): {"resolution": "from B"},
    ("post", "/api/v1/incidents/{incident_id}/review"): {"cause": "x", "prevention": "x"},
    ("post", "/api/v1/incidents/{incident_id}/tickets"): {"ticket_id": 1},
    ("post", "/api/v1/maintenance/windows/{window_id}/cancel"): {"reason": "x"},
    ("post", "/api/v1/quality/frozen/{report_id}/amend"): {"reason": "x"},
    ("post", "/api/v1/maintenance/windows/{window_id}/reschedule"): {
        "start": "2099-10-01T00:00:00Z",
        "end": "2099-10-01T01:00:00Z",
    },
    ("post", "/api/v1/tickets/{ticket_id}/replies"): {"body": "hello from B"},
    ("post", "/api/v1/tickets/{ticket_id}/status"): {"status": "resolved"},
    ("post", "/api/v1/tickets/{ticket_id}/escalate"): {"reason": "x"},
    ("post", "/api/v1/tickets/{ticket_id}/rating"): {"rating": 1},
    ("post", "/api/v1/calendars/{calendar_id}/dates"): {"date": "2026-10-12", "kind": "closed"},
    ("put", "/api/v1/notify/channels/{channel_id}"): {
        "name": "taken over",
        "kind": "webhook",
        "settings": {"url": "http://127.0.0.1:9/x"},
    },
}

API_QUERIES: dict[str, str] = {
    "/api/v1/calendars/{key}/add": "?start=2026-10-12T09:00:00%2B08:00&duration=PT1H",
    "/api/v1/calendars/{key}/between": (
        "?start=2026-10-12T09:00:00%2B08:00&end=2026-10-13T09:00:00%2B08:00"
    ),
    "/api/v1/calendars/{key}/days": "?first=2026-10-01&last=2026-10-31",
}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            found.extend(_walk(p.url_patterns, ns))
        elif isinstance(p, URLPattern) and p.name:
            found.append((f"{prefix}{p.name}", p))
    return found


def web_object_routes() -> list[tuple[str, list[str]]]:
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        params = list(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else []
        if params and not name.startswith(("admin:", "api:")) and name not in TOKEN_ROUTES:
            routes.append((name, params))
    return routes


def api_object_routes() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, methods in schema["paths"].items():
        params = [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]
        if params:
            routes.extend((method, path, params) for method in methods)
    return routes


def test_every_object_route_is_in_the_matrix():
    missing_web = [n for n, _ in web_object_routes() if n not in WEB_OBJECT_OF]
    missing_api = [
        (m, p, prm)
        for m, p, params in api_object_routes()
        for prm in params
        if prm not in API_OBJECT_OF
    ]
    assert not missing_web, f"add these pages to WEB_OBJECT_OF: {missing_web}"
    assert not missing_api, f"add these parameters to API_OBJECT_OF: {missing_api}"
    assert len(web_object_routes()) >= 3
    assert len(api_object_routes()) >= 5


@pytest.mark.parametrize("name,params", web_object_routes())
def test_a_contact_of_b_gets_404_for_a_page_of_as_object(name, params, personas, login):
    from django.urls import reverse

    objects = _a_objects(personas)
    kwargs = {p: PARAM_VALUES.get(p, objects[WEB_OBJECT_OF[name]]) for p in params}
    url = reverse(name, kwargs=kwargs)
    client = login(personas.contact_b)

    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {}).status_code in {404, 405}

    # and the owner of the object gets the page (or, for a form that only receives, 405; for
    # a page where operator staff change a customer's object, the capability refusal 403
    # while operator staff get it), so the 404 above means isolation
    owner = login(
        personas.director if WEB_OBJECT_OF[name] in OPERATOR_OBJECTS else personas.contact_a
    )
    if name in POST_ONLY_ROUTES:
        assert owner.get(url).status_code == 405
    elif name in STAFF_CHANGE_PAGES:
        assert owner.get(url).status_code == 403
        assert login(personas.director).get(url).status_code == 200
    else:
        assert owner.get(url).status_code == 200


@pytest.mark.parametrize("method,path,params", api_object_routes())
def test_a_contact_of_b_gets_404_for_an_endpoint_of_as_object(
    method, path, params, personas, api_client
):
    objects = _a_objects(personas)
    url = path
    for p in params:
        url = url.replace("{" + p + "}", str(objects[API_OBJECT_OF[p]]))
    body = API_BODIES.get((method, path), {})
    url += API_QUERIES.get(path, "")
    client: Callable[..., Any] = getattr(api_client(personas.contact_b), method)

    if path.endswith(("/attachments", "/photos")):  # a multipart upload
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client(url, {"file": SimpleUploadedFile("log.txt", b"from B")})
    elif method != "get":
        response = client(url, body, content_type="application/json")
    else:
        response = client(url)

    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["error"]["code"] == "not_found"

    # and the owner reads it, so the 404 above means isolation, not a broken endpoint
    if method == "get":
        kinds = {API_OBJECT_OF[p] for p in params}
        owner = personas.director if kinds & OPERATOR_OBJECTS else personas.contact_a
        assert api_client(owner).get(url).status_code == 200, url
