"""The affected customers are told at once, as work proceeds and on resolution (F4–F6),
each in their own language, once per notice."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from baozhang.core.bilingual import has_chinese
from baozhang.incidents import services
from baozhang.incidents.tests.conftest import minutes_ago, outbox, set_status


@override_settings(BAOZHANG_BASE_URL="https://ops.example.cn")
def test_opening_tells_each_affected_customer_in_their_language(
    personas, channels, incident_factory
):
    incident = incident_factory(message="主站 502 / the main site answers 502")

    [zh] = outbox(personas.org_a, "incident_opened")
    [en] = outbox(personas.org_b, "incident_opened")
    assert zh.language == "zh-hans" and en.language == "en"
    assert zh.subject.startswith(f"【保障】{incident.reference} 故障通知：网站托管")
    assert en.subject.startswith(f"[Baozhang] {incident.reference} fault: Web hosting")
    assert "We have detected a fault that affects your service Web hosting" in en.body
    assert "Restore target:  30 minutes" in en.body
    assert "the main site answers 502" in en.body
    assert "https://ops.example.cn/status/" in en.body
    assert "https://ops.example.cn/status/" in zh.body
    assert "恢复时限：30 分钟" in zh.body


def test_a_customer_not_affected_is_not_told(personas, channels, mail_service, incident_factory):
    incident_factory(service=mail_service)

    assert len(outbox(personas.org_a, "incident_opened")) == 1
    assert outbox(personas.org_b, "incident_opened") == []


def test_public_updates_are_sent_and_internal_notes_are_not(personas, channels, incident_factory):
    incident = incident_factory()

    services.post_update(personas.agent, incident, message="Internal: router 3", is_public=False)
    services.post_update(
        personas.agent, incident, message="Engineers are replacing a switch.", is_public=True
    )
    services.mitigate(personas.agent, incident, "Traffic moved to the standby site.")

    sent = outbox(personas.org_b, "incident_update")
    assert [m.body.count("Engineers are replacing a switch.") for m in sent] == [1, 0]
    assert "Traffic moved to the standby site." in sent[1].body
    assert "Mitigated" in sent[1].subject
    assert not any("router 3" in m.body for m in outbox(personas.org_a, "incident_update"))
    assert len(outbox(personas.org_a, "incident_update")) == 2


def test_the_resolution_report_tells_everything_the_customer_needs(
    personas, channels, incident_factory
):
    detected = timezone.now() - dt.timedelta(minutes=95)
    incident = incident_factory(detected_at=detected, message="Site down.")
    services.post_update(personas.agent, incident, message="Switch replaced.", is_public=True)
    services.post_update(personas.agent, incident, message="secret note", is_public=False)

    services.resolve(
        personas.engineer,
        incident,
        cause="A failed power supply in switch 3.",
        resolution="Replaced the power supply.",
        impact="Web sites of 2 customers unreachable.",
        at=detected + dt.timedelta(minutes=65, seconds=10),
    )

    [report] = outbox(personas.org_b, "incident_resolved")
    body = report.body
    assert (
        report.subject
        == f"[Baozhang] {incident.reference} resolved: Web hosting — resolution report"
    )
    assert "Service:         Web hosting" in body
    assert "Duration:        1 hour 6 minutes" in body
    assert "Restore target:  30 minutes — missed" in body
    assert "A failed power supply in switch 3." in body
    assert "Replaced the power supply." in body
    assert "Web sites of 2 customers unreachable." in body
    timeline = body.split("Timeline:")[1]
    assert timeline.index("Site down.") < timeline.index("Switch replaced.")
    assert "secret note" not in body
    [zh] = outbox(personas.org_a, "incident_resolved")
    assert "故障历时：1 小时 6 分钟" in zh.body
    assert "恢复时限：30 分钟 — 未达成" in zh.body


def test_a_fault_restored_in_time_says_the_target_was_met(personas, channels, incident_factory):
    incident = incident_factory(detected_at=minutes_ago(20))

    services.resolve(personas.agent, incident, cause="", resolution="Restarted the web server.")

    [report] = outbox(personas.org_b, "incident_resolved")
    assert "30 minutes — met" in report.body
    assert "Under investigation" in report.body  # no cause known yet


def test_each_notice_is_sent_once(personas, channels, incident_factory):
    incident = incident_factory()
    services.update_fields(personas.agent, incident, customers=[personas.org_a])
    services.update_fields(personas.agent, incident, customers=[personas.org_a, personas.org_b])

    assert len(outbox(personas.org_b, "incident_opened")) == 1
    assert len(outbox(personas.org_a, "incident_opened")) == 1


def test_a_ticket_linked_to_an_incident_makes_its_customer_affected(
    personas, channels, mail_service, incident_factory
):
    from baozhang.desk import services as desk

    incident = incident_factory(service=mail_service)
    ticket = desk.open_ticket(
        None, customer=personas.org_b, kind="fault", subject="No mail", contact=personas.contact_b
    )

    services.link_ticket(personas.agent, incident, ticket)

    assert personas.org_b in incident.customers.all()
    assert list(incident.tickets.all()) == [ticket]
    assert len(outbox(personas.org_b, "incident_opened")) == 1


def test_the_report_of_an_automatic_resolution_reads_in_the_customers_language(
    personas, channels, hosting, monitor_factory
):
    web = monitor_factory(hosting, name="web-1")
    set_status(web, "down")
    services.monitor_down(web, at=minutes_ago(20), reason="connection refused")
    set_status(web, "up")
    services.monitor_up(web, at=minutes_ago(5), reason="200 OK")

    [zh] = outbox(personas.org_a, "incident_resolved")
    [en] = outbox(personas.org_b, "incident_resolved")
    assert "Recovered automatically: every monitor is up again." in en.body
    assert "A fault was detected (Critical); we are working on it." in en.body
    assert not has_chinese(en.body.replace("网站托管", ""))
    assert "所有监控均已恢复正常，自动恢复。" in zh.body
    assert "发现故障（紧急），正在处理。" in zh.body
    assert "Recovered automatically" not in zh.body and "A fault was" not in zh.body
    assert " / " not in zh.body and " / " not in en.body
