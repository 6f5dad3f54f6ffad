"""SNMP monitors (M4): UPS, PDU, sensors and switches watched like any other target.

Their settings are checked with bilingual messages (a bad OID, a missing community …),
their secrets are stored for the probe and never shown back (API, pages, events), the
form shows the SNMP settings for kind snmp in both languages, and a monitor against
Debian's real snmpd on loopback goes down through the probe's own path when the value
leaves its range."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from baozhang.events.models import Event
from baozhang.monitoring import catalog, runner
from baozhang.monitoring.models import Monitor
from baozhang.monitoring.probe.tests.snmpd import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, snmp_agent
from baozhang.monitoring.rules import Refusal

from .test_end_to_end import wait_until

UPS = {
    "name": "UPS-1 battery",
    "kind": "snmp",
    "target": "10.0.0.5",
    "snmp_version": "2c",
    "snmp_community": "s3cret-ro",
    "snmp_oid": "1.3.6.1.2.1.33.1.2.5.0",
    "snmp_scale": 0.1,
    "snmp_min": 13.2,
    "snmp_max": 13.8,
    "snmp_unit": "V",
}


def refusal(**fields: Any) -> dict[str, str]:
    with pytest.raises(Refusal) as exc:
        catalog.create_monitor(None, **{**UPS, **fields})
    return {k: v[0] for k, v in exc.value.message_dict.items()}


# -- rules ----------------------------------------------------------------------------------


def test_a_bad_oid_and_a_missing_community_are_refused_in_both_languages(db: Any) -> None:
    errors = refusal(snmp_oid="upsBatteryVoltage", snmp_community="")
    assert errors["snmp_oid"] == (
        "The OID 'upsBatteryVoltage' is not a numeric OID; write it in numbers with dots, "
        "e.g. 1.3.6.1.2.1.33.1.2.5.0 (UPS-MIB battery voltage) / OID 'upsBatteryVoltage' "
        "不是数字形式的 OID，请用点分数字，例如 1.3.6.1.2.1.33.1.2.5.0（UPS-MIB 电池电压）"
    )
    assert errors["snmp_community"] == (
        "An SNMPv2c monitor needs the agent's community (its read-only community string) / "
        "SNMPv2c 监控需要代理的团体名（只读团体字符串）"
    )
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"target": "ups 1"}, "target", ("host:port", "主机:端口")),
        ({"snmp_min": 14, "snmp_max": 13}, "snmp_max", ("below the lowest", "小于最小值")),
        ({"snmp_expected": "online"}, "snmp_expected", ("not both", "只能填其一")),
        ({"snmp_scale": 0}, "snmp_scale", ("above 0", "大于 0")),
        ({"snmp_version": "3", "snmp_user": ""}, "snmp_user", ("user name", "用户名")),
        (
            {"snmp_version": "3", "snmp_user": "u", "snmp_auth_key": "short"},
            "snmp_auth_key",
            ("at least 8", "至少需要 8"),
        ),
        (
            {"snmp_version": "3", "snmp_user": "u", "snmp_priv_key": "12345678"},
            "snmp_auth_key",
            ("needs authentication", "需要同时认证"),
        ),
    ],
)
def test_other_wrong_settings_name_the_field(db: Any, fields: Any, field: str, words: Any) -> None:
    message = refusal(**fields)[field]
    assert all(w in message for w in words), message


def test_an_oid_with_a_leading_dot_is_kept_without_it(db: Any) -> None:
    monitor = catalog.create_monitor(None, **{**UPS, "snmp_oid": ".1.3.6.1.2.1.1.3.0"})
    assert monitor.snmp_oid == "1.3.6.1.2.1.1.3.0"


# -- secrets --------------------------------------------------------------------------------


def test_the_api_takes_secrets_and_never_gives_them_back(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.engineer)
    body = {
        **UPS,
        "snmp_version": "3",
        "snmp_community": "",
        "snmp_user": "ups-reader",
        "snmp_auth_protocol": "SHA-256",
        "snmp_auth_key": "auth-secret-1",
        "snmp_priv_protocol": "AES",
        "snmp_priv_key": "priv-secret-2",
        "customer_ids": [personas.org_a.pk],
    }
    created = client.post("/api/v1/monitors", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert "auth-secret-1" not in created.content.decode()
    assert "priv-secret-2" not in created.content.decode()
    assert "snmp_auth_key" not in data and "snmp_community" not in data
    assert data["snmp_secrets_set"] == ["snmp_auth_key", "snmp_priv_key"]
    assert (data["snmp_version"], data["snmp_user"], data["snmp_min"]) == ("3", "ups-reader", 13.2)
    url = f"/api/v1/monitors/{data['id']}"
    # a change of other settings keeps the secrets; a new passphrase replaces the old one
    changed = client.patch(url, {"snmp_max": 13.9}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    monitor = Monitor.objects.get(pk=data["id"])
    assert (monitor.snmp_auth_key, monitor.snmp_max) == ("auth-secret-1", 13.9)
    client.patch(url, {"snmp_priv_key": "priv-secret-3"}, content_type="application/json")
    assert Monitor.objects.get(pk=data["id"]).snmp_priv_key == "priv-secret-3"
    events = json.dumps(
        list(Event.objects.values("before", "after", "summary")), ensure_ascii=False
    )
    assert "secret" not in events and "•••• (changed / 已更改)" in events
    # the probe gets them: it must send them to the agent
    spec = catalog.monitor_spec_dict(monitor)
    assert (spec["snmp_user"], spec["snmp_auth_key"]) == ("ups-reader", "auth-secret-1")
    # a customer's people see the state, not how it is checked
    seen = api_client(personas.contact_a).get(url).json()
    assert seen["snmp_oid"] is None and seen["snmp_secrets_set"] is None
    assert seen["target"] is None


def test_the_api_says_what_is_wrong_field_by_field(api_client, personas) -> None:  # type: ignore[no-untyped-def]
    client = api_client(personas.engineer)
    response = client.post(
        "/api/v1/monitors",
        {**UPS, "snmp_oid": "1.3.6.x", "snmp_community": ""},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    fields = response.json()["error"]["fields"]  # in the reader's language: Chinese
    assert "不是数字形式的 OID" in fields["snmp_oid"][0]
    assert "团体名" in fields["snmp_community"][0]
    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["language"])
    response = client.post(
        "/api/v1/monitors",
        {**UPS, "snmp_oid": "1.3.6.x", "snmp_community": ""},
        content_type="application/json",
    )
    fields = response.json()["error"]["fields"]
    assert "is not a numeric OID" in fields["snmp_oid"][0]
    assert "needs the agent's community" in fields["snmp_community"][0]
    wrong = client.post(
        "/api/v1/monitors", {**UPS, "snmp_version": "1"}, content_type="application/json"
    )
    assert wrong.status_code == 422


# -- pages ----------------------------------------------------------------------------------


def _fieldset(page: str, kinds: str) -> str:
    match = re.search(rf'<fieldset data-kinds="{kinds}"[^>]*>.*?</fieldset>', page, re.S)
    assert match, kinds
    return match.group(0)


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("OID", "SNMP community", "SNMPv3 user")), ("zh-hans", ("OID", "团体名", "用户名"))],
)
def test_the_form_shows_the_snmp_settings_for_kind_snmp(  # type: ignore[no-untyped-def]
    login, personas, language, words
) -> None:
    personas.engineer.language = language
    personas.engineer.save(update_fields=["language"])
    client = login(personas.engineer)
    page = client.get(reverse("monitoring:monitor_create"), {"kind": "snmp"}).content.decode()
    snmp = _fieldset(page, "snmp")
    assert "hidden" not in snmp.split(">", 1)[0]
    assert all(w in page for w in words), words
    assert 'name="snmp_oid"' in snmp and 'type="password"' in snmp
    assert "hidden disabled" in _fieldset(page, "http").split(">", 1)[0]
    assert "<script>" not in page  # strict CSP: the kind switch is a static file


def test_creating_and_editing_an_snmp_monitor_through_the_form(login, personas) -> None:  # type: ignore[no-untyped-def]
    client = login(personas.engineer)
    response = client.post(
        reverse("monitoring:monitor_create") + "?kind=snmp",
        {
            "name": "Room 3 temperature",
            "kind": "snmp",
            "enabled": "on",
            "target": "10.0.0.9:1161",
            "snmp_version": "2c",
            "snmp_community": "room3-ro",
            "snmp_oid": "1.3.6.1.4.1.318.1.1.10.2.3.2.1.4.1",
            "snmp_min": "18",
            "snmp_max": "27",
            "snmp_scale": "1",
            "snmp_unit": "°C",
            "snmp_auth_protocol": "SHA",
            "snmp_priv_protocol": "AES",
            "interval_s": "60",
            "timeout_s": "5",
            "retries": "2",
            "quorum": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    monitor = Monitor.objects.get(name="Room 3 temperature")
    assert (monitor.snmp_community, monitor.snmp_min, monitor.snmp_max) == ("room3-ro", 18, 27)
    detail = client.get(response["Location"]).content.decode()
    assert "18–27 °C" in detail and "room3-ro" not in detail
    edit_url = reverse("monitoring:monitor_edit", args=[monitor.pk])
    form = client.get(edit_url).content.decode()
    assert "room3-ro" not in form  # the stored secret is not sent to the browser
    response = client.post(
        edit_url,
        {
            "name": "Room 3 temperature",
            "enabled": "on",
            "target": "10.0.0.9:1161",
            "snmp_version": "2c",
            "snmp_community": "",  # left empty: kept
            "snmp_oid": "1.3.6.1.4.1.318.1.1.10.2.3.2.1.4.1",
            "snmp_min": "18",
            "snmp_max": "25",
            "snmp_scale": "1",
            "snmp_unit": "°C",
            "snmp_auth_protocol": "SHA",
            "snmp_priv_protocol": "AES",
            "interval_s": "60",
            "timeout_s": "5",
            "retries": "2",
            "quorum": "1",
        },
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert (monitor.snmp_community, monitor.snmp_max) == ("room3-ro", 25)


def test_a_refused_snmp_form_says_why_beside_the_field(login, personas) -> None:  # type: ignore[no-untyped-def]
    personas.engineer.language = "zh-hans"
    personas.engineer.save(update_fields=["language"])
    client = login(personas.engineer)
    page = client.post(
        reverse("monitoring:monitor_create") + "?kind=snmp",
        {
            "name": "UPS",
            "kind": "snmp",
            "target": "10.0.0.5",
            "snmp_version": "2c",
            "snmp_oid": "ups.battery",
            "snmp_scale": "1",
            "snmp_auth_protocol": "SHA",
            "snmp_priv_protocol": "AES",
            "interval_s": "60",
            "timeout_s": "5",
            "retries": "2",
            "quorum": "1",
        },
    ).content.decode()
    assert "点分数字" in page and "团体名" in page
    assert not Monitor.objects.exists()


# -- through the probe ----------------------------------------------------------------------


@pytest.fixture
def agent() -> Iterator[Any]:
    with snmp_agent() as running:
        yield running


@pytest.fixture
def probe(settings: Any) -> Iterator[None]:
    """The server's own probe engine, on a thread, re-reading its monitors often."""
    settings.PROBE_RELOAD_SECONDS = 0.3
    stop = threading.Event()
    thread = runner.start_thread(stop)
    yield
    stop.set()
    thread.join(timeout=15)


@pytest.mark.django_db(transaction=True)
def test_an_snmp_monitor_against_the_local_snmpd_goes_down_when_the_value_leaves_its_range(
    agent: Any, probe: None
) -> None:
    agent.set(1, 136, "integer")  # UPS-MIB style: tenths of a volt
    agent.set(2, "online")
    battery = catalog.create_monitor(
        None,
        name="UPS-1 battery",
        kind="snmp",
        target=agent.target,
        snmp_version="3",
        snmp_user=V3_USER,
        snmp_auth_protocol="SHA",
        snmp_auth_key=V3_AUTH,
        snmp_priv_protocol="AES",
        snmp_priv_key=V3_PRIV,
        snmp_oid=agent.oid(1),
        snmp_scale=0.1,
        snmp_min=13.2,
        snmp_max=13.8,
        snmp_unit="V",
        interval_s=1,
        timeout_s=0.9,
        retries=2,
    )
    source = catalog.create_monitor(
        None,
        name="UPS-1 output source",
        kind="snmp",
        target=agent.target,
        snmp_community=COMMUNITY,
        snmp_oid=agent.oid(2),
        snmp_expected="online",
        interval_s=1,
        timeout_s=0.9,
        retries=2,
    )

    def status(monitor: Monitor) -> str:
        return Monitor.objects.get(pk=monitor.pk).status

    wait_until(lambda: status(battery) == "up" and status(source) == "up", "both up")
    agent.set(1, 129, "integer")
    agent.set(2, "battery")
    wait_until(lambda: status(battery) == "down", "battery down")
    wait_until(lambda: status(source) == "down", "output source down")
    down = Monitor.objects.get(pk=battery.pk)
    assert "12.9 V outside 13.2–13.8 V" in down.status_reason
    assert "12.9 V 超出 13.2–13.8 V 范围" in down.status_reason
    assert "battery is not online" in Monitor.objects.get(pk=source.pk).status_reason
    agent.set(1, 135, "integer")
    wait_until(lambda: status(battery) == "up", "battery up again")
