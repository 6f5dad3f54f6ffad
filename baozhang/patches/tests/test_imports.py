"""Advisories import from CSV and from the Debian security tracker's JSON, inventories
from CSV; a bad file imports nothing and names every bad row in both languages (issue 19
§5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from baozhang.core.bilingual import one_language
from baozhang.patches import files, services
from baozhang.patches.models import Advisory, AdvisorySource, InstalledSoftware


def _english(problem: str) -> str:
    return one_language(problem, "en").split(": ")[0]


def test_the_debian_tracker_json_imports_the_fixes_of_the_chosen_release(
    personas, servers, fixture_bytes
):
    services.report_inventory(
        personas.engineer,
        servers[0],
        [("openssl", "3.0.11-1~deb12u2"), ("nginx", "1.22.1-9"), ("sudo", "1.9.13p3-1")],
    )
    rows = files.advisories_from_debian(fixture_bytes("debian_tracker.json"), "bookworm")
    created, updated = services.import_advisories(
        personas.engineer, rows, source=AdvisorySource.DEBIAN
    )
    # openssl's two CVEs and nginx's fixed one; nginx's open CVE and sudo's "0" are not.
    assert (created, updated) == (3, 0)
    rapid = Advisory.objects.get(reference="debian:bookworm:nginx:CVE-2023-44487")
    assert (rapid.product, rapid.fixed_version, rapid.severity, rapid.cve_ids) == (
        "nginx",
        "1.22.1-9+deb12u1",
        "high",
        ["CVE-2023-44487"],
    )
    assert "Rapid Reset" in rapid.description
    # "not yet assigned" reads low.
    assert Advisory.objects.get(reference__endswith="openssl:CVE-2024-5535").severity == "low"
    assert sorted(a.reference for a in Advisory.objects.filter(statuses__asset=servers[0])) == [
        "debian:bookworm:nginx:CVE-2023-44487",
        "debian:bookworm:openssl:CVE-2023-5678",
        "debian:bookworm:openssl:CVE-2024-5535",
    ]
    # A second import brings them up to date and adds nothing.
    again = services.import_advisories(personas.engineer, rows, source=AdvisorySource.DEBIAN)
    assert again == (0, 3)
    assert Advisory.objects.count() == 3


def test_another_release_takes_its_own_fixed_versions(personas, fixture_bytes):
    rows = files.advisories_from_debian(fixture_bytes("debian_tracker.json"), "bullseye")
    assert [r["fixed_version"] for _n, r in rows] == ["1.1.1w-0+deb11u2"]


def test_a_bad_tracker_file_imports_nothing_and_names_every_bad_entry(personas, fixture_bytes):
    rows = files.advisories_from_debian(fixture_bytes("bad_tracker.json"), "bookworm")
    with pytest.raises(ValidationError) as caught:
        services.import_advisories(personas.engineer, rows, source=AdvisorySource.DEBIAN)
    problems = caught.value.message_dict["file"]
    assert len(problems) == 3
    assert [_english(p) for p in problems] == [
        "row 2, releases",  # an entry without releases
        "row 3, entries",  # curl: a list, not a mapping
        "row 4, fixed_version",
    ]
    assert one_language(problems[2], "zh-hans").startswith("第 4 行 fixed_version：")
    assert "不是 Debian 版本号" in problems[2] and "is not a Debian version" in problems[2]
    assert not Advisory.objects.exists()


def test_a_file_that_is_not_json_is_refused_in_both_languages():
    with pytest.raises(ValidationError) as caught:
        files.advisories_from_debian(b"<html>", "bookworm")
    [message] = caught.value.message_dict["file"]
    assert "JSON 无法读取" in message and "the JSON cannot be read" in message


def test_advisories_import_from_csv(personas, fixture_bytes):
    rows = files.advisories_from_csv(fixture_bytes("advisories.csv"))
    assert services.import_advisories(personas.engineer, rows, source=AdvisorySource.CSV) == (
        2,
        0,
    )
    zabbix = Advisory.objects.get(reference="VEN-2024-07")
    assert (zabbix.affected, zabbix.scheme, zabbix.released_on, zabbix.cve_ids) == (
        ">=6.0, <6.0.31",
        "pep440",
        dt.date(2024, 7, 9),
        ["CVE-2024-22119", "CVE-2024-22120"],
    )
    assert zabbix.source_text == "Vendor bulletin"


def test_a_bad_csv_imports_nothing_and_names_every_bad_row(personas, fixture_bytes):
    rows = files.advisories_from_csv(fixture_bytes("bad_advisories.csv"))
    with pytest.raises(ValidationError) as caught:
        services.import_advisories(personas.engineer, rows, source=AdvisorySource.CSV)
    problems = caught.value.message_dict["file"]
    # Row 3: no severity. Row 4: spec, CVE id and date.
    assert sorted(_english(p) for p in problems) == [
        "row 3, severity",
        "row 4, affected",
        "row 4, cve_ids",
        "row 4, released_on",
    ]
    # Each reader reads every row in their own language.
    assert all(one_language(p, "zh-hans").startswith("第 ") for p in problems)
    assert any("is not a date (YYYY-MM-DD)" in one_language(p, "en") for p in problems)
    assert not Advisory.objects.exists()


def test_a_csv_without_the_columns_is_refused():
    with pytest.raises(ValidationError) as caught:
        files.advisories_from_csv(b"name,version\nopenssl,1\n")
    assert "missing columns: reference, title, product" in caught.value.message_dict["file"][0]


def test_inventories_import_from_csv_all_or_nothing(personas, servers):
    good = (
        b"asset,product,version\n"
        b"web-1,openssl,3.0.11-1\nweb-1,nginx,1.22.1-9\nweb-2,openssl,3.0.14-1\n"
    )
    assert services.import_inventory(personas.engineer, files.inventory_from_csv(good)) == 2
    assert InstalledSoftware.objects.filter(asset=servers[0]).count() == 2
    bad = b"asset,product,version\nweb-1,openssl,3.0.15-1\nnowhere,openssl,1\nweb-2,,1\n"
    with pytest.raises(ValidationError) as caught:
        services.import_inventory(personas.engineer, files.inventory_from_csv(bad))
    problems = caught.value.message_dict["file"]
    assert [_english(p) for p in problems] == ["row 3, asset", "row 4, product"]
    assert "“nowhere”" in problems[0]
    assert servers[0].installed_software.get(name="openssl").version == "3.0.11-1"
