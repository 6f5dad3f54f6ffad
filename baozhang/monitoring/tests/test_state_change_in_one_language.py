"""A monitor's state changes are said in the reader's language (issue 18 §1): the event
keeps why as a message of the catalogue and its parameters, the probe's own error text
as it came, a missed ping (a text of ours) as its message; neither reader reads both
languages glued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from baozhang.core.monitor_state import MonitorStatus, Transition
from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.incidents.models import Incident
from baozhang.monitoring import ingest, judging, push
from baozhang.monitoring.models import Monitor, ProbeResult

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class R:
    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None = 12.0
    error: str = ""


def make_monitor(**kw: object) -> Monitor:
    kw.setdefault("name", "官网 Web site")
    kw.setdefault("kind", "http")
    kw.setdefault("target", "http://127.0.0.1:9/")
    kw.setdefault("interval_s", 60)
    kw.setdefault("timeout_s", 5)
    kw.setdefault("retries", 1)
    monitor = Monitor.objects.create(**kw)
    Monitor.objects.filter(pk=monitor.pk).update(created_at=T0 - dt.timedelta(hours=1))
    monitor.refresh_from_db()
    return monitor


def changes(monitor: Monitor) -> list[Event]:
    return list(
        Event.objects.filter(
            kind=EventKind.STATE_CHANGED, object_type="monitoring.monitor", object_id=monitor.pk
        ).order_by("at", "id")
    )


def test_down_with_the_probes_own_error_reads_whole_in_each_language(db: object) -> None:
    web = make_monitor()
    ingest.ingest([R(web.id, "local", T0, True)])
    ingest.ingest([R(web.id, "local", T0 + MIN, False, None, "connection refused")])
    first, down = changes(web)
    assert reads(first) == (
        "1 个区域中 0 个判定故障，少于 1 个",
        "0 of 1 regions down, fewer than 1",
    )
    assert reads(down) == (
        "1 个区域中 1 个判定故障（local）：connection refused",
        "1 of 1 regions down (local): connection refused",
    )
    # The probe's text is kept as a parameter, as it came; the plain column in English.
    assert down.summary_params["errors"] == "connection refused"
    assert down.summary == "1 of 1 regions down (local): connection refused"


def test_several_errors_are_each_kept_and_joined_in_the_readers_punctuation(
    db: object,
) -> None:
    web = make_monitor(quorum=2, regions=["bj", "sh"])
    ingest.ingest([R(web.id, r, T0, True) for r in ("bj", "sh")])
    ingest.ingest(
        [
            R(web.id, "bj", T0 + MIN, False, None, "timeout"),
            R(web.id, "sh", T0 + MIN, False, None, "HTTP 503"),
        ]
    )
    down = changes(web)[-1]
    assert reads(down) == (
        "2 个区域中 2 个判定故障（bj, sh）：timeout；HTTP 503",
        "2 of 2 regions down (bj, sh): timeout; HTTP 503",
    )


def test_a_missed_ping_is_said_in_the_readers_language(db: object) -> None:
    beat = make_monitor(
        name="备份 Backup",
        kind="push",
        target="",
        push_token="tok",
        push_period_s=60,
        push_grace_s=30,
    )
    push.store_pings([(beat.id, T0, True, "")])
    push.evaluate_push(T0 + MIN // 2)
    push.evaluate_push(T0 + 2 * MIN)
    down = changes(beat)[-1]
    assert reads(down) == (
        "1 个区域中 1 个判定故障（push）：90 秒内未收到心跳",
        "1 of 1 regions down (push): no ping within 90 s",
    )
    # The result keeps both halves of our message (the results table reads it); the
    # monitor's reason takes each half in its language, so it reads as a pair.
    error = ProbeResult.objects.get(monitor=beat, ok=False).error
    assert error == "no ping within 90 s / 90 秒内未收到心跳"
    beat.refresh_from_db()
    assert beat.status_reason == (
        "1 of 1 regions down (push): no ping within 90 s / "
        "1 个区域中 1 个判定故障（push）：90 秒内未收到心跳"
    )


def test_the_incident_a_missed_ping_opens_reads_in_one_language(db: object) -> None:
    from baozhang.catalog.models import Service

    service = Service.objects.create(name="备份服务", name_en="Backups", slug="backups")
    beat = make_monitor(
        name="备份 Backup",
        kind="push",
        target="",
        push_token="tok2",
        push_period_s=60,
        push_grace_s=30,
    )
    beat.services.add(service)
    push.store_pings([(beat.id, T0, True, "")])
    push.evaluate_push(T0 + MIN // 2)
    push.evaluate_push(T0 + 2 * MIN)
    incident = Incident.objects.get(monitors=beat)
    from django.utils import translation

    with translation.override("en"):
        en = incident.title_text
    with translation.override("zh-hans"):
        zh = incident.title_text
    assert en == "Backups: 1 of 1 regions down (push): no ping within 90 s"
    assert zh == "备份服务: 1 个区域中 1 个判定故障（push）：90 秒内未收到心跳"


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        ("no ping within 90 s / 90 秒内未收到心跳", "90 秒内未收到心跳", "no ping within 90 s"),
        ("no ping within 90 s", "90 秒内未收到心跳", "no ping within 90 s"),
        ("TLS handshake failed", "TLS handshake failed", "TLS handshake failed"),
    ],
)
def test_an_error_of_ours_is_a_message_and_the_probes_is_kept(error: str, zh: str, en: str) -> None:
    from django.utils import translation

    said = judging.error_said(error)
    with translation.override("zh-hans"):
        assert str(said) == zh
    with translation.override("en"):
        assert str(said) == en


def test_maintenance_and_its_end_are_messages(db: object) -> None:
    at = T0
    tr = Transition(
        MonitorStatus.UP,
        MonitorStatus.MAINTENANCE,
        at,
        "x / y",
        ("maintenance ended; %(reason)s", {"reason": ("no decisive result yet", {})}),
    )
    from django.utils import translation

    message = judging.transition_said(tr)
    with translation.override("zh-hans"):
        assert str(message) == "维护结束；尚无确定的检测结果"
    with translation.override("en"):
        assert str(message) == "maintenance ended; no decisive result yet"
    # A transition without a message (made by hand) says its reason as written.
    assert judging.transition_said(Transition(MonitorStatus.UP, MonitorStatus.DOWN, at, "r")) == "r"
