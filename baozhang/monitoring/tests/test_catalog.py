"""The catalogue's rules: what each kind of monitor accepts, push and region tokens, the
spec the probe engine takes, who may change what and who sees what."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError

from baozhang.catalog import services as service_catalog
from baozhang.catalog.models import Service
from baozhang.catalog.selectors import visible_services
from baozhang.events.models import Event, EventKind
from baozhang.monitoring import catalog
from baozhang.monitoring.catalog import Refusal
from baozhang.monitoring.models import Monitor, ProbeRegion
from baozhang.monitoring.selectors import get_monitor, visible_monitors

from .conftest import KIND_DEFAULTS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(exc: pytest.ExceptionInfo[Refusal], field: str) -> str:
    """The message of ``field``, checked to be in both languages."""
    message = exc.value.message_dict[field][0]
    assert " / " in message and CHINESE.search(message), message
    return message


# -- validation per kind --------------------------------------------------------------------

GOOD_TARGETS = [
    ("http", "https://www.example.com/health"),
    ("http", "http://10.0.0.5:8080/status?full=1"),
    ("http", "http://[2001:db8::1]/"),
    ("http", "http://intranet-oa/"),
    ("http", "https://例子.中国/"),
    ("tcp", "db.example.com:5432"),
    ("tcp", "10.0.0.5:22"),
    ("tcp", "[2001:db8::1]:443"),
    ("tcp", "localhost:65535"),
    ("icmp", "gw.example.com"),
    ("icmp", "10.0.0.1"),
    ("icmp", "2001:db8::1"),
    ("dns", "www.example.com"),
    ("dns", "_dmarc.example.com."),
]

BAD_TARGETS = [
    ("http", ""),
    ("http", "ftp://files.example.com/"),
    ("http", "www.example.com/health"),
    ("http", "https://"),
    ("http", "https://www.example.com:99999/"),
    ("http", "https://www.exa mple.com/"),
    ("tcp", "db.example.com"),
    ("tcp", "db.example.com:0"),
    ("tcp", "db.example.com:65536"),
    ("tcp", "2001:db8::1:443"),
    ("tcp", "[db.example.com]:443"),
    ("tcp", ":80"),
    ("icmp", ""),
    ("icmp", "999.1.1.1"),
    ("icmp", "http://gw.example.com"),
    ("icmp", "bad_host.example.com"),
    ("dns", "10.0.0.1"),
    ("dns", "-bad.example.com"),
    ("dns", "a..b"),
]


@pytest.mark.parametrize(("kind", "target"), GOOD_TARGETS)
def test_a_good_target_of_each_kind_is_accepted(monitor_factory, kind, target) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory(kind, target=target)
    assert Monitor.objects.get(pk=monitor.pk).target == target


@pytest.mark.parametrize(("kind", "target"), BAD_TARGETS)
def test_a_bad_target_of_each_kind_is_refused_in_both_languages(  # type: ignore[no-untyped-def]
    monitor_factory, kind, target
) -> None:
    with pytest.raises(Refusal) as exc:
        monitor_factory(kind, target=target)
    assert repr(target) in refused(exc, "target") or target == ""
    assert not Monitor.objects.exists()


def test_a_refusal_is_also_a_value_error(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="TCP"):
        monitor_factory("tcp", target="nowhere")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("200-399", "200-399"),
        ("200-299, 301", "200-299,301"),
        ("204", "204"),
        ("100-599", "100-599"),
    ],
)
def test_expected_status_is_read_and_stored_tidy(monitor_factory, text, stored) -> None:  # type: ignore[no-untyped-def]
    assert monitor_factory("http", expected_status=text).expected_status == stored


@pytest.mark.parametrize("text", ["", "99", "600", "300-200", "abc", "200,", "2xx", "200-"])
def test_bad_expected_status_is_refused(monitor_factory, text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("http", expected_status=text)
    assert "200-299,301" in refused(exc, "expected_status")


def test_parse_expected_status_gives_ranges() -> None:
    assert catalog.parse_expected_status("200-299, 301") == ((200, 299), (301, 301))


@pytest.mark.parametrize(
    "headers",
    [["Accept", "text/html"], {"Bad Name": "x"}, {"X-Ok": "two\nlines"}, {"X-Num": 5}, "A: b"],
)
def test_headers_must_be_names_mapped_to_one_line_texts(monitor_factory, headers) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("http", http_headers=headers)
    refused(exc, "http_headers")


def test_good_headers_are_kept(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": "text/html", "X-Token": "abc def"}
    assert monitor_factory("http", http_headers=headers).http_headers == headers


def test_the_timeout_must_be_shorter_than_the_interval(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("tcp", interval_s=10, timeout_s=10)
    assert "10 s" in refused(exc, "timeout_s")
    assert monitor_factory("tcp", interval_s=10, timeout_s=9.5).timeout_s == 9.5


@pytest.mark.parametrize(
    ("field", "value"),
    [("interval_s", 0), ("interval_s", 86_401), ("timeout_s", 0), ("retries", 0), ("retries", 21)],
)
def test_schedule_numbers_out_of_range_are_refused(monitor_factory, field, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", **{field: value})
    refused(exc, field)


@pytest.mark.parametrize(
    "server", ["", "223.5.5.5", "10.0.0.53:5353", "2001:db8::53", "[2001:db8::53]:53"]
)
def test_a_dns_server_is_an_ip_with_an_optional_port(monitor_factory, server) -> None:  # type: ignore[no-untyped-def]
    assert monitor_factory("dns", dns_server=server).dns_server == server


@pytest.mark.parametrize(
    "server", ["dns.example.com", "10.0.0.53:0", "[10.0.0.53]:53", "300.1.1.1", "10.0.0.53:x"]
)
def test_a_dns_server_that_is_not_an_ip_is_refused(monitor_factory, server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("dns", dns_server=server)
    assert "223.5.5.5" in refused(exc, "dns_server")


def test_dns_record_type_must_be_known(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("dns", dns_record_type="SPF")
    assert "AAAA" in refused(exc, "dns_record_type")
    assert monitor_factory("dns", dns_record_type="mx", dns_expected="").dns_record_type == "MX"


def test_expected_a_answers_must_be_ipv4_and_are_stored_tidy(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        monitor_factory("dns", dns_expected="192.0.2.1, mail.example.com")
    assert "mail.example.com" in refused(exc, "dns_expected")
    monitor = monitor_factory("dns", dns_expected=" 192.0.2.1 ,192.0.2.2,, ")
    assert monitor.dns_expected == "192.0.2.1, 192.0.2.2"


def test_settings_of_other_kinds_are_not_checked_or_kept(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("tcp", expected_status="nonsense", http_headers={"Bad Name": 1})
    assert monitor.expected_status == "200-399" and monitor.http_headers == {}


def test_the_kind_must_be_known_and_cannot_change(monitor_factory, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        catalog.create_monitor(personas.director, name="x", kind="smtp", target="a")
    assert "push" in refused(exc, "kind")
    monitor = monitor_factory("http")
    with pytest.raises(Refusal) as exc:
        catalog.update_monitor(personas.director, monitor, kind="tcp", target="a.example.com:1")
    refused(exc, "kind")


def test_an_unknown_setting_is_refused(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        catalog.create_monitor(personas.director, name="x", kind="icmp", target="a", colour="red")
    refused(exc, "colour")


def test_every_problem_is_reported_at_once(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        catalog.create_monitor(
            personas.director, name=" ", kind="http", target="nope", expected_status="x"
        )
    assert set(exc.value.message_dict) == {"name", "target", "expected_status"}


# -- push monitors --------------------------------------------------------------------------


def test_a_push_monitor_gets_a_token_and_a_heartbeat_url(monitor_factory, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BAOZHANG_BASE_URL = "https://bz.example.com"
    monitor = monitor_factory("push", target="ignored", regions=["local"], quorum=1)
    assert len(monitor.push_token) == 32
    assert catalog.push_url(monitor) == f"https://bz.example.com/ping/{monitor.push_token}"
    assert monitor.target == "" and monitor.regions == []
    assert monitor.region_names == ["push"]


def test_other_kinds_have_no_token_and_no_heartbeat_url(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("http")
    assert monitor.push_token is None
    with pytest.raises(ValueError, match="push"):
        catalog.push_url(monitor)


@pytest.mark.parametrize(
    ("period", "grace", "field"),
    [(None, 0, "push_period_s"), (9, 0, "push_period_s"), (60, -1, "push_grace_s")],
)
def test_a_push_monitor_needs_a_period_of_ten_seconds_or_more(  # type: ignore[no-untyped-def]
    personas, period, grace, field
) -> None:
    with pytest.raises(Refusal) as exc:
        catalog.create_monitor(
            personas.director, name="backup", kind="push", push_period_s=period, push_grace_s=grace
        )
    refused(exc, field)


def test_rotating_the_push_token_retires_the_old_one(monitor_factory, personas) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("push")
    old = monitor.push_token
    catalog.rotate_push_token(personas.engineer, monitor)
    monitor.refresh_from_db()
    assert monitor.push_token != old and len(monitor.push_token) == 32
    assert not Monitor.objects.filter(push_token=old).exists()
    event = Event.objects.filter(object_id=str(monitor.pk), kind=EventKind.UPDATED).get()
    assert old not in str(event.after) + event.summary
    assert monitor.push_token not in str(event.after) + event.summary


def test_only_a_push_monitor_has_a_token_to_rotate(monitor_factory, personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        catalog.rotate_push_token(personas.engineer, monitor_factory("tcp"))
    refused(exc, "kind")


# -- regions --------------------------------------------------------------------------------


def test_a_region_token_is_stored_as_its_sha256_and_found_by_it(region_factory) -> None:  # type: ignore[no-untyped-def]
    region, token = region_factory("guangzhou-2", "机房 B")
    assert token.startswith("bzp_") and len(token) > 40
    assert region.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ProbeRegion.objects.values()))
    assert catalog.region_for_token(token) == region
    assert catalog.region_for_token(token + "x") is None
    assert catalog.region_for_token("") is None


def test_a_rotated_region_token_replaces_the_old_one(region_factory, personas) -> None:  # type: ignore[no-untyped-def]
    region, old = region_factory()
    new = catalog.rotate_region_token(personas.engineer, region)
    assert new != old
    assert catalog.region_for_token(old) is None
    assert catalog.region_for_token(new) == region


def test_a_deactivated_region_is_no_longer_found_or_accepted(  # type: ignore[no-untyped-def]
    region_factory, personas, monitor_factory
) -> None:
    region, token = region_factory()
    monitor = monitor_factory("http", regions=["beijing-1", "local"], quorum=2)
    catalog.deactivate_region(personas.engineer, region)
    assert catalog.region_for_token(token) is None
    with pytest.raises(Refusal) as exc:
        monitor_factory("http", regions=["beijing-1"])
    assert "beijing-1" in refused(exc, "regions")
    # a monitor that already names it can still be edited otherwise
    catalog.update_monitor(personas.engineer, monitor, name="renamed")
    assert Monitor.objects.get(pk=monitor.pk).name == "renamed"


@pytest.mark.parametrize("name", ["local", "push", "Bad Name", "", "x" * 41])
def test_a_region_name_must_be_a_free_slug(region_factory, name) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        region_factory(name)
    refused(exc, "name")


def test_a_region_name_is_unique(region_factory) -> None:  # type: ignore[no-untyped-def]
    region_factory("shanghai")
    with pytest.raises(Refusal):
        region_factory("shanghai")


def test_regions_must_exist_and_the_quorum_fit(monitor_factory, region_factory) -> None:  # type: ignore[no-untyped-def]
    region_factory("beijing-1")
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", regions=["mars"])
    assert "beijing-1" in refused(exc, "regions")
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", regions=["local", "local"])
    refused(exc, "regions")
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", regions=["local", "beijing-1"], quorum=3)
    assert "3" in refused(exc, "quorum")
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", quorum=2)  # no regions: the server alone
    refused(exc, "quorum")
    monitor = monitor_factory("icmp", regions=["local", "beijing-1"], quorum=2)
    assert monitor.region_names == ["local", "beijing-1"]


# -- the probe engine's spec ----------------------------------------------------------------

SPEC_KEYS = {
    "id",
    "kind",
    "target",
    "interval",
    "timeout",
    "http_method",
    "http_headers",
    "http_body",
    "expected_status",
    "keyword",
    "keyword_absent",
    "latency_limit_ms",
    "cert_min_days",
    "verify_tls",
    "dns_record_type",
    "dns_expected",
    "dns_server",
    "snmp_version",
    "snmp_community",
    "snmp_user",
    "snmp_auth_protocol",
    "snmp_auth_key",
    "snmp_priv_protocol",
    "snmp_priv_key",
    "snmp_oid",
    "snmp_expected",
    "snmp_scale",
    "snmp_min",
    "snmp_max",
    "snmp_unit",
}


def test_the_spec_dict_has_the_probe_engines_fields(monitor_factory) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory(
        "http",
        http_headers={"Accept": "text/html", "X-A": "1"},
        interval_s=30,
        timeout_s=5,
        keyword="OK",
        latency_limit_ms=800,
    )
    spec = catalog.monitor_spec_dict(monitor)
    assert set(spec) == SPEC_KEYS
    assert spec["id"] == monitor.pk
    assert (spec["interval"], spec["timeout"]) == (30, 5.0)
    assert spec["http_headers"] == [["Accept", "text/html"], ["X-A", "1"]]
    assert (spec["keyword"], spec["latency_limit_ms"]) == ("OK", 800)
    dns = catalog.monitor_spec_dict(
        monitor_factory("dns", dns_expected="192.0.2.1 , 192.0.2.2", dns_server="10.0.0.53:53")
    )
    assert dns["dns_expected"] == ["192.0.2.1", "192.0.2.2"]
    assert (dns["dns_record_type"], dns["dns_server"]) == ("A", "10.0.0.53:53")


@pytest.mark.parametrize("kind", ["http", "tcp", "icmp", "dns", "snmp"])
def test_the_probe_engine_accepts_the_spec_of_each_kind(monitor_factory, kind) -> None:  # type: ignore[no-untyped-def]
    specs = pytest.importorskip("baozhang.monitoring.probe.specs")
    spec = specs.MonitorSpec.from_dict(catalog.monitor_spec_dict(monitor_factory(kind)))
    assert spec.kind == kind and spec.target == KIND_DEFAULTS[kind]["target"]


# -- who may change what --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["contact_a", "agent", "security"])
def test_people_without_the_right_cannot_change_monitoring(personas, who) -> None:  # type: ignore[no-untyped-def]
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        catalog.create_monitor(user, name="x", kind="icmp", target="10.0.0.1")
    with pytest.raises(PermissionDenied):
        service_catalog.create_service(user, name="服务", slug="svc")
    with pytest.raises(PermissionDenied):
        catalog.create_region(user, name="north")
    assert not Monitor.objects.exists() and not Service.objects.exists()


@pytest.mark.parametrize("who", ["engineer", "director", "admin"])
def test_engineers_directors_and_administrators_can_change_monitoring(personas, who) -> None:  # type: ignore[no-untyped-def]
    # Given a person whose role may change monitoring
    user = getattr(personas, who)

    # When they add a monitor, a service and a probe region
    monitor = catalog.create_monitor(user, name="gw", kind="icmp", target="10.0.0.1")
    service = service_catalog.create_service(user, name="服务", slug="svc")
    region, _token = catalog.create_region(user, name="north")

    # Then each is stored as they gave it
    stored = Monitor.objects.get(pk=monitor.pk)
    assert (stored.name, stored.kind, stored.target) == ("gw", "icmp", "10.0.0.1")
    assert Service.objects.get(pk=service.pk).slug == "svc"
    assert ProbeRegion.objects.get(pk=region.pk).name == "north"


def test_each_change_is_an_event_only_staff_see(monitor_factory, personas) -> None:  # type: ignore[no-untyped-def]
    monitor = monitor_factory("tcp", customers=[personas.org_a])
    catalog.update_monitor(personas.engineer, monitor, interval_s=120, name=monitor.name)
    catalog.set_enabled(personas.engineer, monitor, False)
    catalog.set_enabled(personas.engineer, monitor, False)  # already: nothing recorded
    events = list(Event.objects.filter(object_type="monitoring.monitor").order_by("id"))
    assert [e.kind for e in events] == [
        EventKind.CREATED,
        EventKind.UPDATED,
        EventKind.STATE_CHANGED,
    ]
    assert events[0].after["customers"] == [personas.org_a.pk]
    assert (events[1].before, events[1].after) == ({"interval_s": 60}, {"interval_s": 120})
    assert events[2].after == {"enabled": False}
    assert all(e.organisation_id is None for e in events)
    pk = monitor.pk
    catalog.delete_monitor(personas.engineer, monitor)
    assert Event.objects.filter(kind=EventKind.DELETED, object_id=str(pk)).exists()
    assert not Monitor.objects.exists()


def test_relations_must_name_existing_rows_and_customers(  # type: ignore[no-untyped-def]
    monitor_factory, personas, service_factory
) -> None:
    service = service_factory()
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", services=[service.pk, 999_999])
    assert "999999" in refused(exc, "services")
    with pytest.raises(Refusal) as exc:
        monitor_factory("icmp", customers=[personas.operator])
    refused(exc, "customers")
    monitor = monitor_factory("icmp", services=[service], customers=[personas.org_a.pk])
    assert list(monitor.services.all()) == [service]
    assert list(monitor.customers.all()) == [personas.org_a]


# -- services -------------------------------------------------------------------------------


def test_a_service_gets_a_short_name_from_its_english_name(service_factory) -> None:  # type: ignore[no-untyped-def]
    service = service_factory(name="云主机托管", name_en="Cloud Hosting")
    assert service.slug == "cloud-hosting"


def test_a_service_name_and_short_name_are_unique(service_factory) -> None:  # type: ignore[no-untyped-def]
    service_factory(name="专线", slug="line")
    with pytest.raises(Refusal) as exc:
        service_factory(name="专线", slug="line")
    assert set(exc.value.message_dict) == {"name", "slug"}


def test_a_chinese_name_alone_needs_a_short_name(personas) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refusal) as exc:
        service_catalog.create_service(personas.director, name="专线")
    assert "cloud-hosting" in refused(exc, "slug")


def test_a_service_that_monitors_measure_cannot_be_deleted(  # type: ignore[no-untyped-def]
    service_factory, monitor_factory, personas
) -> None:
    service = service_factory()
    monitor = monitor_factory("icmp", name="core router", services=[service])
    with pytest.raises(Refusal) as exc:
        service_catalog.delete_service(personas.director, service)
    assert "core router" in refused(exc, "service")
    catalog.update_monitor(personas.director, monitor, services=[])
    service_catalog.delete_service(personas.director, service)
    assert not Service.objects.exists()


def test_a_service_that_incidents_name_cannot_be_deleted(  # type: ignore[no-untyped-def]
    service_factory, personas, monkeypatch
) -> None:
    service = service_factory()

    def protected(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ProtectedError("protected", set())

    monkeypatch.setattr(Service, "delete", protected)
    with pytest.raises(Refusal) as exc:
        service_catalog.delete_service(personas.director, service)
    assert "incidents" in refused(exc, "service")


# -- who sees what --------------------------------------------------------------------------


def test_a_customer_sees_only_the_monitors_and_services_of_their_organisation(  # type: ignore[no-untyped-def]
    monitor_factory, service_factory, personas
) -> None:
    svc_a = service_factory(customers=[personas.org_a])
    service_factory(customers=[personas.org_b])
    mine = monitor_factory("http", customers=[personas.org_a, personas.org_b])
    theirs = monitor_factory("http", customers=[personas.org_b])
    nobodys = monitor_factory("icmp")
    assert list(visible_monitors(personas.contact_a)) == [mine]
    assert list(visible_services(personas.contact_a)) == [svc_a]
    assert set(visible_monitors(personas.engineer)) == {mine, theirs, nobodys}
    assert get_monitor(personas.contact_a, mine.pk) == mine
    from django.http import Http404

    with pytest.raises(Http404):
        get_monitor(personas.contact_a, theirs.pk)


def test_a_deactivated_organisation_sees_no_monitors(monitor_factory, personas) -> None:  # type: ignore[no-untyped-def]
    monitor_factory("http", customers=[personas.org_a])
    personas.org_a.is_active = False
    personas.org_a.save()
    personas.contact_a.refresh_from_db()
    assert not visible_monitors(personas.contact_a).exists()
