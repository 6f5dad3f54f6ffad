"""Check results through the state machine into state spells, monitors and incidents."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from baozhang.catalog.models import Service
from baozhang.incidents.models import Incident
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring import ingest, judging
from baozhang.monitoring.models import CheckState, Monitor, ProbeResult, StateSpell

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


def stored_state(monitor: Monitor) -> dict[str, Any]:
    return dict(json.loads(CheckState.objects.get(pk=monitor.pk).state))


def make_monitor(**kw: object) -> Monitor:
    kw.setdefault("name", "官网 Web site")
    kw.setdefault("kind", "http")
    kw.setdefault("target", "http://127.0.0.1:9/")
    kw.setdefault("interval_s", 60)
    kw.setdefault("timeout_s", 5)
    kw.setdefault("retries", 2)
    monitor = Monitor.objects.create(**kw)
    Monitor.objects.filter(pk=monitor.pk).update(created_at=T0 - dt.timedelta(hours=1))
    monitor.refresh_from_db()
    return monitor


@pytest.fixture
def service(db: object) -> Service:
    return Service.objects.create(name="云主机", name_en="Cloud hosts", slug="hosts")


def spells(monitor: Monitor) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    return list(
        StateSpell.objects.filter(monitor=monitor)
        .order_by("start")
        .values_list("state", "start", "end")
    )


def test_failures_reaching_retries_turn_the_monitor_down_and_open_one_incident_per_service(
    service: Service,
) -> None:
    web = make_monitor()
    api = make_monitor(name="API")
    web.services.add(service)
    api.services.add(service)
    ingest.ingest([R(web.id, "local", T0, True), R(api.id, "local", T0, True)])
    ingest.ingest([R(web.id, "local", T0 + MIN, False, None, "refused / 拒绝")])
    web.refresh_from_db()
    assert web.status == "up"  # one failure of two allowed
    report = ingest.ingest(
        [
            R(web.id, "local", T0 + 2 * MIN, False, None, "refused / 拒绝"),
            R(api.id, "local", T0 + 2 * MIN, False, None, "timeout / 超时"),
            R(api.id, "local", T0 + 3 * MIN, False, None, "timeout / 超时"),
        ]
    )
    web.refresh_from_db()
    assert web.status == "down" and web.status_since == T0 + 2 * MIN
    assert [tr.to for _, tr in report.transitions] == ["down", "down"]
    assert spells(web) == [("up", T0, T0 + 2 * MIN), ("down", T0 + 2 * MIN, None)]
    incidents = Incident.objects.filter(service=service)
    assert incidents.count() == 1  # one per service, not one per failing monitor
    assert set(incidents.get().monitors.all()) == {web, api}


def test_recovery_of_every_monitor_resolves_the_incident(service: Service) -> None:
    web = make_monitor(retries=1)
    web.services.add(service)
    ingest.ingest([R(web.id, "local", T0, True)])
    ingest.ingest([R(web.id, "local", T0 + MIN, False, None, "503")])
    incident = Incident.objects.get(service=service)
    assert incident.status == "detected"
    ingest.ingest([R(web.id, "local", T0 + 5 * MIN, True)])
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at == T0 + 5 * MIN
    assert spells(web)[-2:] == [
        ("down", T0 + MIN, T0 + 5 * MIN),
        ("up", T0 + 5 * MIN, None),
    ]


def test_every_result_is_stored_raw_but_late_ones_do_not_change_the_state(
    service: Service,
) -> None:
    web = make_monitor(retries=1)
    ingest.ingest([R(web.id, "local", T0 + 5 * MIN, True)])
    ingest.ingest([R(web.id, "local", T0 + 4 * MIN, False)])  # out of order
    web.refresh_from_db()
    assert web.status == "up"
    assert ProbeResult.objects.filter(monitor=web).count() == 2


def test_results_of_deleted_monitors_are_counted_and_dropped(db: object) -> None:
    report = ingest.ingest([R(999_999, "local", T0, True)])
    assert (report.stored, report.unknown_monitor) == (0, 1)


def test_one_region_failing_raises_no_alarm_when_two_of_three_must_agree(
    service: Service,
) -> None:
    web = make_monitor(regions=["bj", "gz", "sh"], quorum=2, retries=1)
    web.services.add(service)
    ingest.ingest([R(web.id, r, T0, True) for r in ("bj", "gz", "sh")])
    ingest.ingest(
        [
            R(web.id, "bj", T0 + MIN, False),
            R(web.id, "gz", T0 + MIN, True),
            R(web.id, "sh", T0 + MIN, True),
        ]
    )
    web.refresh_from_db()
    assert web.status == "up" and not Incident.objects.exists()
    ingest.ingest([R(web.id, "gz", T0 + 2 * MIN, False)])
    web.refresh_from_db()
    assert web.status == "down"
    assert Incident.objects.count() == 1


def test_failures_inside_a_maintenance_window_raise_no_incident(service: Service) -> None:
    web = make_monitor(retries=1)
    web.services.add(service)
    window = MaintenanceWindow.objects.create(
        title="升级", start=T0 + MIN, end=T0 + 30 * MIN, announced_at=T0 - dt.timedelta(days=2)
    )
    window.services.add(service)
    ingest.ingest([R(web.id, "local", T0, True)])
    ingest.ingest([R(web.id, "local", T0 + 2 * MIN, False)])
    web.refresh_from_db()
    assert web.status == "maintenance"
    assert not Incident.objects.exists()
    ingest.ingest([R(web.id, "local", T0 + 31 * MIN, True)])
    web.refresh_from_db()
    assert web.status == "up"


def test_a_region_falling_silent_leaves_the_monitor_unknown(service: Service) -> None:
    web = make_monitor(retries=1)
    ingest.ingest([R(web.id, "local", T0, True)])
    ingest.reevaluate_all(T0 + dt.timedelta(minutes=2))
    web.refresh_from_db()
    assert web.status == "up"  # still fresh
    ingest.reevaluate_all(T0 + dt.timedelta(hours=1))
    web.refresh_from_db()
    assert web.status == "unknown"


def test_a_window_beginning_and_ending_is_noticed_without_new_results(service: Service) -> None:
    web = make_monitor(retries=1)
    web.services.add(service)
    window = MaintenanceWindow.objects.create(
        title="升级", start=T0 + 2 * MIN, end=T0 + 4 * MIN, announced_at=T0 - dt.timedelta(days=2)
    )
    window.services.add(service)
    ingest.ingest([R(web.id, "local", T0 + MIN, True)])
    assert ingest.reevaluate_all(T0 + MIN + dt.timedelta(seconds=30)) == []  # nothing to do
    [(_, entered)] = ingest.reevaluate_all(T0 + 2 * MIN)
    assert entered.to == "maintenance"
    ingest.ingest([R(web.id, "local", T0 + 3 * MIN, True)])
    [(_, left)] = ingest.reevaluate_all(T0 + 4 * MIN)
    assert (left.from_, left.to) == ("maintenance", "up")
    assert [s[0] for s in spells(web)] == ["up", "maintenance", "up"]


def test_state_and_last_check_carry_over_between_batches_and_never_move_back(
    db: object,
) -> None:
    web = make_monitor(retries=3)
    ingest.ingest([R(web.id, "local", T0, False), R(web.id, "local", T0 + MIN, False)])
    web.refresh_from_db()
    assert (web.status, web.last_check_at) == ("unknown", T0 + MIN)
    assert stored_state(web)["regions"][0]["failures"] == 2
    # A batch holding only an older result is stored but moves nothing back.
    ingest.ingest([R(web.id, "local", T0 - MIN, True)])
    web.refresh_from_db()
    assert web.last_check_at == T0 + MIN
    assert stored_state(web)["regions"][0]["failures"] == 2
    # The third failure in a row, in a batch of its own, turns it down.
    report = ingest.ingest([R(web.id, "local", T0 + 2 * MIN, False, None, "HTTP 503")])
    web.refresh_from_db()
    assert [str(tr.to) for _, tr in report.transitions] == ["down"]
    assert (web.status, web.last_check_at) == ("down", T0 + 2 * MIN)
    region = stored_state(web)["regions"][0]
    assert (region["error"], region["latency_ms"]) == ("HTTP 503", None)
    assert ProbeResult.objects.filter(monitor=web).count() == 4


def test_a_state_written_by_another_process_is_read_not_the_one_remembered(
    db: object,
) -> None:
    web = make_monitor(retries=3)
    ingest.ingest([R(web.id, "local", T0, False)])
    ingest.ingest([R(web.id, "local", T0 + MIN, False)])  # 2 failures, remembered
    state = stored_state(web)
    assert state["regions"][0]["failures"] == 2
    # Another process resets the count (a different stored text than the one written here).
    reset = dict(state, regions=[dict(state["regions"][0], failures=0, ok=True)])
    CheckState.objects.filter(pk=web.pk).update(state=json.dumps(reset))
    report = ingest.ingest([R(web.id, "local", T0 + 2 * MIN, False)])
    web.refresh_from_db()
    assert report.transitions == []  # 1 failure, not 3: the stored state was used
    assert stored_state(web)["regions"][0]["failures"] == 1
    assert web.status == "unknown"


def test_the_state_text_is_stored_as_written_so_the_next_batch_does_not_parse_it(
    db: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = make_monitor(retries=3)
    ingest.ingest([R(web.id, "local", T0, False, None, "拒绝连接 refused")])
    parsed: list[str] = []
    real = judging.from_text
    monkeypatch.setattr(judging, "from_text", lambda text: parsed.append(text) or real(text))
    ingest.ingest([R(web.id, "local", T0 + MIN, False, None, "拒绝连接 refused")])
    assert parsed == []  # the remembered state's text is the stored text
    CheckState.objects.filter(pk=web.pk).update(state="not json {")
    ingest.ingest([R(web.id, "local", T0 + 2 * MIN, False)])
    assert parsed == ["not json {"]  # a damaged state is parsed, and starts afresh
    assert stored_state(web)["regions"][0]["failures"] == 1


def test_a_monitor_edited_between_batches_is_judged_by_its_new_settings(db: object) -> None:
    web = make_monitor(retries=5)
    ingest.ingest([R(web.id, "local", T0, False)])
    assert Monitor.objects.get(pk=web.pk).status == "unknown"  # 1 failure of 5
    Monitor.objects.filter(pk=web.pk).update(retries=2)
    report = ingest.ingest([R(web.id, "local", T0 + MIN, False)])
    assert [str(tr.to) for _, tr in report.transitions] == ["down"]  # 2 failures of 2


def test_saving_a_monitor_keeps_the_state_written_since_it_was_read(db: object) -> None:
    web = make_monitor(retries=3)
    form_copy = Monitor.objects.get(pk=web.pk)  # a form reads the monitor
    ingest.ingest([R(web.id, "local", T0, False), R(web.id, "local", T0 + MIN, False)])
    form_copy.name = "官网 Web site (new)"
    form_copy.save()  # and saves it after the checks
    assert stored_state(web)["regions"][0]["failures"] == 2
    assert Monitor.objects.get(pk=web.pk).last_check_at == T0 + MIN


@pytest.mark.parametrize(
    "results",
    [
        [("local", T0, True, 12.5, "")],
        [("local", T0, False, None, "timeout after 5 s / 5 秒内无响应（超时）")],
        [("bj", T0, True, 0.1, ""), ("gz", T0 + MIN, False, 3.0, "HTTP 503 " + "x" * 400)],
    ],
)
def test_a_state_read_back_equals_the_state_written(results: list[tuple[object, ...]]) -> None:
    # The ingest remembers states by their stored text; that holds only if the text
    # decodes to exactly the state it was written from.
    from baozhang.core.monitor_state import CheckResult, MonitorPolicy, MonitorState, step
    from baozhang.monitoring.state_codec import from_text, to_text

    state = MonitorState()
    policy = MonitorPolicy(retries=1, quorum=1, freshness=dt.timedelta(hours=1))
    for region, at, ok, latency, error in results:
        check = CheckResult(region, at, ok, latency, str(error)[:300])  # type: ignore[arg-type]
        state, _ = step(state, check, policy, in_maintenance=False)
    assert from_text(to_text(state)) == state


def test_raw_results_keep_any_error_text_exactly(db: object) -> None:
    web = make_monitor()
    error = 'HTTP 503\tbad "gateway"\\n \\\\ \r\n第二行 / 网关错误 \\N'
    ingest.ingest([R(web.id, "local", T0, False, None, error), R(web.id, "bj", T0, True, 0.5)])
    stored = dict(ProbeResult.objects.filter(monitor=web).values_list("region", "error"))
    assert stored == {"local": error, "bj": ""}
    latency = ProbeResult.objects.get(monitor=web, region="bj").latency_ms
    assert latency == 0.5
