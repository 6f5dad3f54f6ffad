"""The pages of patches, in both languages: the advisory list with each one's progress, an
advisory with its matched assets and their statuses, a status changed from the page, the
imports naming every bad row, the overdue list, and an asset's open patches on its page
(issue 19 §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from baozhang.patches import services
from baozhang.patches.models import Advisory, PatchState


@pytest.fixture
def matched(personas, servers):
    """A critical advisory matched to the three servers two weeks ago (so overdue), one
    installed."""
    then = timezone.now() - dt.timedelta(days=14)
    for server in servers:
        services.report_inventory(personas.engineer, server, [("openssl", "3.0.11-1")], now=then)
    advisory = services.create_advisory(
        personas.engineer,
        now=then,
        reference="DSA-5764-1",
        title="openssl security update",
        product="openssl",
        fixed_version="3.0.14-1~deb12u1",
        severity="critical",
        cve_ids="CVE-2024-5535",
    )
    services.set_state(
        personas.engineer, advisory.statuses.get(asset=servers[1]), PatchState.INSTALLED
    )
    return advisory


def _speak(user, language):
    """Pages speak the signed-in person's language."""
    user.language = language
    user.save(update_fields=["language"])


def _get(client, url, language):
    _speak(client.session_user, language)
    return client.get(url).content.decode()


@pytest.fixture
def login(login):
    def sign_in(user):
        client = login(user)
        client.session_user = user
        return client

    return sign_in


def test_the_advisory_list_shows_one_of_three_patched_and_two_overdue(login, personas, matched):
    client = login(personas.engineer)
    english = _get(client, "/patches/", "en")
    assert "DSA-5764-1" in english and ">1/3<" in english
    assert "2 patches overdue" in english
    chinese = _get(client, "/patches/", "zh-hans")
    assert ">1/3<" in chinese and "安全公告" in chinese


def test_the_advisory_page_lists_the_matched_assets_and_their_statuses(login, personas, matched):
    client = login(personas.engineer)
    page = _get(client, f"/patches/{matched.pk}/", "en")
    assert 'data-testid="advisory-progress">1/3<' in page
    assert page.count('data-testid="overdue"') == 2
    for name in ("web-1", "web-2", "web-3"):
        assert name in page
    assert "CVE-2024-5535" in page
    assert "已逾期" in _get(client, f"/patches/{matched.pk}/", "zh-hans")


def test_a_status_is_changed_from_the_page_and_a_refusal_is_said(login, personas, matched):
    client = login(personas.engineer)
    status = matched.statuses.get(asset__name="web-1")
    _speak(personas.engineer, "en")
    refused = client.post(
        f"/patches/statuses/{status.pk}/", {"state": "not_applicable", "reason": ""}, follow=True
    )
    assert "not applicable needs its reason" in refused.content.decode()
    unknown = client.post(f"/patches/statuses/{status.pk}/", {"state": "lost"}, follow=True)
    assert "Status: Select a valid choice." in unknown.content.decode()
    status.refresh_from_db()
    assert status.state == PatchState.PENDING
    client.post(
        f"/patches/statuses/{status.pk}/",
        {"state": "scheduled", "change_reference": "CHG-2026-0042"},
    )
    status.refresh_from_db()
    assert (status.state, status.change_reference) == (PatchState.SCHEDULED, "CHG-2026-0042")


def test_a_bad_csv_on_the_import_page_imports_nothing_and_names_every_row_in_the_readers_language(
    login, personas, fixture_bytes
):
    client = login(personas.engineer)
    for language, expected in (
        ("en", ["row 3, severity", "row 4, affected", "row 4, cve_ids", "row 4, released_on"]),
        ("zh-hans", ["第 3 行 severity", "第 4 行 affected", "第 4 行 cve_ids"]),
    ):
        upload = SimpleUploadedFile("bad.csv", fixture_bytes("bad_advisories.csv"), "text/csv")
        _speak(personas.engineer, language)
        answer = client.post("/patches/import/", {"kind": "csv", "release": "", "file": upload})
        page = answer.content.decode()
        assert answer.status_code == 200
        for row in expected:
            assert row in page
    assert not Advisory.objects.exists()
    good = SimpleUploadedFile("t.json", fixture_bytes("debian_tracker.json"), "application/json")
    answer = client.post(
        "/patches/import/", {"kind": "debian", "release": "bookworm", "file": good}
    )
    assert answer.status_code == 302
    assert Advisory.objects.count() == 3


def test_the_overdue_page_lists_the_two_late_patches(login, personas, matched):
    page = _get(login(personas.engineer), "/patches/overdue/", "en")
    assert page.count("DSA-5764-1</a>") == 2
    assert "web-1" in page and "web-3" in page and "web-2" not in page


def test_an_assets_page_shows_its_open_patches(login, personas, servers, matched):
    client = login(personas.engineer)
    page = _get(client, f"/assets/{servers[0].pk}/", "en")
    assert 'data-testid="asset-patches"' in page and "DSA-5764-1" in page
    assert "1 product reported" in page
    installed = _get(client, f"/assets/{servers[1].pk}/", "en")
    assert "No patch pending." in installed


def test_a_customer_contact_gets_404_and_an_agent_may_read_but_not_change(login, personas, matched):
    contact = login(personas.contact_a)
    for url in ("/patches/", f"/patches/{matched.pk}/", "/patches/overdue/"):
        assert contact.get(url).status_code == 404
    agent = login(personas.agent)
    assert agent.get(f"/patches/{matched.pk}/").status_code == 200
    assert agent.get("/patches/new/").status_code == 403
    status = matched.statuses.first()
    assert agent.post(f"/patches/statuses/{status.pk}/", {"state": "pending"}).status_code == 403
