"""Advisories are matched against each asset's installed software: one patch status per
affected asset, pending, with its deadline by severity on the calendar; the fixed version
reported later settles it (issue 19 §5)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from baozhang.events.models import Event
from baozhang.patches import services
from baozhang.patches.models import PatchState, PatchStatus

SH = ZoneInfo("Asia/Shanghai")
# Friday 4 December 2026, 10:00 in Shanghai.
FRIDAY = dt.datetime(2026, 12, 4, 10, tzinfo=SH)


def _openssl(personas, **kw):
    fields = {
        "reference": "DSA-5764-1",
        "title": "openssl security update",
        "product": "openssl",
        "fixed_version": "3.0.14-1~deb12u1",
        "severity": "critical",
        "cve_ids": "CVE-2024-5535",
    }
    fields.update(kw)
    return services.create_advisory(personas.engineer, now=FRIDAY, **fields)


def test_an_advisory_matches_the_assets_whose_installed_version_it_affects(personas, servers):
    web1, web2, web3 = servers
    services.report_inventory(
        personas.engineer, web1, [("openssl", "3.0.11-1~deb12u2")], now=FRIDAY
    )
    services.report_inventory(
        personas.engineer, web2, [("OpenSSL", "3.0.13-1~deb12u1")], now=FRIDAY
    )
    services.report_inventory(
        personas.engineer, web3, [("openssl", "3.0.14-1~deb12u1")], now=FRIDAY
    )
    advisory = _openssl(personas)
    matched = PatchStatus.objects.filter(advisory=advisory).order_by("asset__name")
    assert [(s.asset.name, s.state, s.installed_version) for s in matched] == [
        ("web-1", PatchState.PENDING, "3.0.11-1~deb12u2"),
        ("web-2", PatchState.PENDING, "3.0.13-1~deb12u1"),
    ]
    assert advisory.cve_ids == ["CVE-2024-5535"]
    assert Event.objects.filter(object_type="patches.patchstatus").count() == 2


def test_the_deadline_of_a_critical_patch_is_two_working_days_on_the_calendar(personas, servers):
    services.report_inventory(personas.engineer, servers[0], [("openssl", "3.0.11-1")], now=FRIDAY)
    status = PatchStatus.objects.get(advisory=_openssl(personas))
    # Friday's match: Monday and Tuesday are the two working days (cn-5x8 closes 18:00).
    assert status.due_at.astimezone(SH) == dt.datetime(2026, 12, 8, 18, tzinfo=SH)


def test_a_low_patch_allows_ninety_calendar_days_and_the_policy_is_configurable(
    personas, servers, settings
):
    services.report_inventory(personas.engineer, servers[0], [("openssl", "3.0.11-1")], now=FRIDAY)
    low = _openssl(personas, reference="L-1", severity="low")
    assert PatchStatus.objects.get(advisory=low).due_at == FRIDAY + dt.timedelta(days=90)
    settings.PATCH_DEADLINES = "high=1w"
    high = _openssl(personas, reference="H-1", severity="high")
    assert PatchStatus.objects.get(advisory=high).due_at.astimezone(SH) == dt.datetime(
        2026, 12, 7, 18, tzinfo=SH
    )


def test_an_inventory_reported_after_the_advisory_is_matched_then(personas, servers):
    advisory = _openssl(personas)
    assert not advisory.statuses.exists()
    later = FRIDAY + dt.timedelta(days=3)
    services.report_inventory(personas.engineer, servers[1], [("openssl", "3.0.2-0")], now=later)
    status = advisory.statuses.get()
    assert status.asset == servers[1]
    assert status.matched_at == later


def test_the_fixed_version_reported_later_settles_the_patch_as_installed(personas, servers):
    services.report_inventory(personas.engineer, servers[0], [("openssl", "3.0.11-1")], now=FRIDAY)
    advisory = _openssl(personas)
    later = FRIDAY + dt.timedelta(days=1)
    services.report_inventory(
        personas.engineer, servers[0], [("openssl", "3.0.14-1~deb12u1")], now=later
    )
    status = advisory.statuses.get()
    assert (status.state, status.settled_at, status.settled_by) == (
        PatchState.INSTALLED,
        later,
        personas.engineer,
    )
    assert status.installed_version == "3.0.14-1~deb12u1"


def test_an_inventory_report_replaces_the_last_one(personas, servers):
    services.report_inventory(
        personas.engineer, servers[0], [("openssl", "3.0.11-1"), ("nginx", "1.22.1-9")]
    )
    services.report_inventory(personas.engineer, servers[0], [("nginx", "1.22.1-9+deb12u1")])
    assert [(s.name, s.version) for s in servers[0].installed_software.all()] == [
        ("nginx", "1.22.1-9+deb12u1")
    ]


def test_a_version_the_scheme_cannot_read_is_not_matched(personas, servers):
    services.report_inventory(personas.engineer, servers[0], [("openssl", "vendor-build-7")])
    assert not _openssl(personas).statuses.exists()


def test_pep440_advisories_compare_python_versions(personas, servers):
    services.report_inventory(personas.engineer, servers[0], [("zabbix-agent", "6.0.10")])
    services.report_inventory(personas.engineer, servers[1], [("zabbix-agent", "5.4.1")])
    advisory = services.create_advisory(
        personas.engineer,
        reference="VEN-1",
        title="Zabbix agent",
        product="zabbix-agent",
        affected=">=6.0, <6.0.31",
        fixed_version="6.0.31",
        scheme="pep440",
        severity="medium",
    )
    assert [s.asset for s in advisory.statuses.all()] == [servers[0]]
