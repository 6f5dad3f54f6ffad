"""The public updates of an incident on the status page: ours in the visitor's language,
what staff typed as they typed it."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from baozhang.incidents.models import IncidentUpdate


def test_an_update_of_ours_reads_in_the_visitors_language_and_a_typed_one_as_typed(
    personas, service_factory, incident_factory
):
    service = service_factory(name="云主机", name_en="Cloud hosting")
    incident = incident_factory(service)
    for minutes, fields in (
        (
            5,
            {
                "message": "A customer reported a fault; we are working on it.",
                "text_id": "A customer reported a fault; we are working on it.",
            },
        ),
        (10, {"message": "正在排查 / investigating"}),
    ):
        IncidentUpdate.objects.create(
            incident=incident,
            at=incident.detected_at + dt.timedelta(minutes=minutes),
            status=incident.status,
            is_public=True,
            **fields,
        )
    client = Client()

    zh = client.get("/status/?lang=zh-hans").content.decode()
    en = client.get("/status/?lang=en").content.decode()
    facts = client.get("/status/status.json").json()

    assert "收到客户故障报告，正在处理。" in zh and "A customer reported a fault" not in zh
    assert "A customer reported a fault; we are working on it." in en
    assert "收到客户故障报告" not in en
    assert "正在排查 / investigating" in zh and "正在排查 / investigating" in en
    [shown] = facts["incidents"]
    assert [(u["message"], u["message_en"]) for u in shown["updates"]] == [
        ("正在排查 / investigating", "正在排查 / investigating"),
        ("收到客户故障报告，正在处理。", "A customer reported a fault; we are working on it."),
    ]
