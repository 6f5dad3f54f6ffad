"""Many patch statuses at once (issue 19 §5): matching an inventory upload or an advisory
file against the other side, and marking statuses installed or not applicable in bulk
(service, API, page), are written set-based — the statements do not grow with the rows —
and each status still gets its own event."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baozhang.assets.models import Asset
from baozhang.events.models import Event
from baozhang.patches import services
from baozhang.patches.models import Advisory, AdvisorySource, PatchState, PatchStatus

NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def _assets(personas, n: int, prefix: str) -> list[Asset]:
    Asset.objects.bulk_create(
        Asset(name=f"{prefix}-{i:04d}", kind="server", owner=personas.operator) for i in range(n)
    )
    return list(Asset.objects.filter(name__startswith=f"{prefix}-").order_by("pk"))


def _inventory_rows(assets: list[Asset]) -> list[tuple[int, dict[str, str]]]:
    rows = []
    for i, asset in enumerate(assets):
        rows.append((2 * i + 2, {"asset": asset.name, "product": "openssl", "version": "3.0.1-1"}))
        rows.append((2 * i + 3, {"asset": str(asset.pk), "product": "curl", "version": "7.0-1"}))
    return rows


def _advisory_rows(n: int, prefix: str) -> list[tuple[int, dict[str, object]]]:
    return [
        (
            i + 2,
            {
                "reference": f"{prefix}-{i:04d}",
                "title": "openssl update",
                "product": "openssl" if i % 2 == 0 else "curl",
                "fixed_version": "3.0.9-1" if i % 2 == 0 else "7.5-1",
                "severity": ("critical", "high", "medium", "low")[i % 4],
            },
        )
        for i in range(n)
    ]


def _statements(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries.captured_queries)


def _same(counts: dict[int, int], written: int) -> None:
    """The statements of 100 rows are those of 10. On PostgreSQL a batch holds 500 rows;
    SQLite's driver caps a statement at 999 parameters, so a bulk INSERT of wide rows (an
    event has 17 columns: 58 rows) splits into a few batches more — still nowhere near a
    statement per row: at most one more per 50 rows ``written`` more."""
    if connection.vendor == "postgresql":
        assert counts[100] == counts[10], counts
    else:
        assert counts[10] <= counts[100] <= counts[10] + written // 50, counts


def test_importing_inventories_matches_them_in_statements_that_do_not_grow_with_the_assets(
    personas,
):
    services.create_advisory(
        personas.engineer,
        now=NOW,
        reference="DSA-1",
        title="openssl",
        product="openssl",
        fixed_version="3.0.9-1",
        severity="high",
    )
    counts = {}
    for n, prefix in ((10, "small"), (100, "large")):
        assets = _assets(personas, n, prefix)
        rows = _inventory_rows(assets)
        counts[n] = _statements(
            lambda rows=rows: services.import_inventory(personas.engineer, rows, now=NOW)
        )
        # Every asset matched, each status its own event.
        statuses = PatchStatus.objects.filter(asset__in=assets)
        assert statuses.count() == n
        assert (
            Event.objects.filter(
                object_type="patches.patchstatus",
                object_id__in=[str(pk) for pk in statuses.values_list("pk", flat=True)],
                summary_id="Asset %(asset)s needs the patch of %(reference)s (version %(version)s)",
            ).count()
            == n
        )
        assert (
            Event.objects.filter(
                object_type="assets.asset", object_id__in=[str(a.pk) for a in assets]
            ).count()
            == n
        )
    _same(counts, written=90 * 5)


def test_importing_advisories_matches_them_in_statements_that_do_not_grow_with_the_rows(
    personas,
):
    assets = _assets(personas, 3, "srv")
    services.import_inventory(personas.engineer, _inventory_rows(assets), now=NOW)
    counts = {}
    for n, prefix in ((10, "SMALL"), (100, "LARGE")):
        rows = _advisory_rows(n, prefix)
        counts[n] = _statements(
            lambda rows=rows: services.import_advisories(
                personas.engineer, rows, source=AdvisorySource.CSV, now=NOW
            )
        )
        made = Advisory.objects.filter(reference__startswith=f"{prefix}-")
        assert made.count() == n
        assert PatchStatus.objects.filter(advisory__in=made).count() == 3 * n
    _same(counts, written=90 * 7)
    # The same file again brings them up to date and matches nothing twice, in as few.
    rows = _advisory_rows(100, "LARGE")
    again = _statements(
        lambda: services.import_advisories(
            personas.engineer, rows, source=AdvisorySource.CSV, now=NOW
        )
    )
    assert again <= counts[100]
    assert PatchStatus.objects.count() == 3 * 110


def test_a_new_inventory_with_the_fixed_version_settles_them_in_few_statements(personas):
    counts = {}
    for n, prefix in ((10, "small"), (100, "large")):
        assets = _assets(personas, n, prefix)
        services.import_inventory(personas.engineer, _inventory_rows(assets), now=NOW)
        services.import_advisories(
            personas.engineer, _advisory_rows(2, prefix.upper()), source="csv", now=NOW
        )
        fixed = [
            (i, {"asset": a.name, "product": "openssl", "version": "3.0.9-1"})
            for i, a in enumerate(assets, 2)
        ]
        counts[n] = _statements(
            lambda fixed=fixed: services.import_inventory(personas.engineer, fixed, now=NOW)
        )
        settled = PatchStatus.objects.filter(asset__in=assets, advisory__product="openssl")
        assert set(settled.values_list("state", "installed_version")) == {
            (PatchState.INSTALLED, "3.0.9-1")
        }
        assert (
            Event.objects.filter(
                summary_id="Inventory shows the fixed version %(version)s installed",
                object_id__in=[str(pk) for pk in settled.values_list("pk", flat=True)],
            ).count()
            == settled.count()
            == (n if n == 10 else 2 * n)  # the first round's advisory matches them too
        )
    _same(counts, written=90 * 4)


@pytest.fixture
def statuses(personas):
    """110 pending statuses: one advisory matched to 110 servers."""
    assets = _assets(personas, 110, "srv")
    services.import_inventory(
        personas.engineer,
        [
            (i, {"asset": a.name, "product": "openssl", "version": "3.0.1-1"})
            for i, a in enumerate(assets, 2)
        ],
        now=NOW,
    )
    services.create_advisory(
        personas.engineer,
        now=NOW,
        reference="DSA-9",
        title="openssl",
        product="openssl",
        fixed_version="3.0.9-1",
        severity="critical",
    )
    return list(PatchStatus.objects.order_by("pk").values_list("pk", flat=True))


def test_marking_many_installed_takes_as_many_statements_for_100_as_for_10(personas, statuses):
    counts = {
        n: _statements(
            lambda ids=ids: services.set_states(
                personas.engineer, ids, PatchState.INSTALLED, now=timezone.now()
            )
        )
        for n, ids in ((10, statuses[:10]), (100, statuses[10:]))
    }
    _same(counts, written=90)
    moved = PatchStatus.objects.filter(pk__in=statuses)
    assert set(moved.values_list("state", "settled_by")) == {
        (PatchState.INSTALLED, personas.engineer.pk)
    }
    events = Event.objects.filter(
        summary_id="Patch of %(reference)s on %(asset)s: %(state)s",
        object_id__in=[str(pk) for pk in statuses],
    )
    assert events.count() == 110
    first = events.get(object_id=str(statuses[0]))
    assert (first.before, first.after["state"]) == ({"state": "pending"}, "installed")


def test_a_bulk_move_is_all_or_nothing(personas, statuses):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.set_states(personas.engineer, statuses[:5], PatchState.NOT_APPLICABLE)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.set_states(personas.engineer, [*statuses[:5], 2**31 - 1], PatchState.INSTALLED)
    assert str(2**31 - 1) in unknown.value.message_dict["ids"][0]
    assert set(PatchStatus.objects.values_list("state", flat=True)) == {PatchState.PENDING}


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_api_marks_many_not_applicable_and_refuses_hostile_input(
    api_client, personas, statuses
):
    engineer = api_client(personas.engineer, "en")
    answer = _post(
        engineer,
        "/api/v1/patch-statuses/bulk",
        {"ids": statuses[:50], "state": "not_applicable", "reason": "Package not in use"},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"updated": 50, "state": "not_applicable"}
    assert (
        PatchStatus.objects.filter(
            pk__in=statuses[:50], state="not_applicable", reason="Package not in use"
        ).count()
        == 50
    )
    for body in (
        {"ids": statuses[:3], "state": "not_applicable"},
        {"ids": [], "state": "installed"},
        {"ids": ["x"], "state": "installed"},
        {"ids": [2**31 - 1], "state": "installed"},
        {"ids": statuses[:3], "state": "lost"},
        {"ids": list(range(1, 5002)), "state": "installed"},
        {"ids": statuses[:3], "state": "installed", "installed_at": "2999-01-01T00:00:00Z"},
    ):
        refused = _post(engineer, "/api/v1/patch-statuses/bulk", body)
        assert refused.status_code == 422, (body, refused.content)
    assert PatchStatus.objects.filter(state="pending").count() == 60
    chinese = _post(
        api_client(personas.engineer, "zh-hans"),
        "/api/v1/patch-statuses/bulk",
        {"ids": statuses[:3], "state": "not_applicable"},
    )
    assert chinese.status_code == 422
    assert chinese.json()["error"]["fields"]["reason"] == ["不适用须说明原因"]
    contact = _post(
        api_client(personas.contact_a),
        "/api/v1/patch-statuses/bulk",
        {"ids": statuses[:3], "state": "installed"},
    )
    assert contact.status_code in (403, 404)
    assert PatchStatus.objects.filter(state="pending").count() == 60


def test_the_advisory_page_marks_the_ticked_or_every_open_one_in_the_readers_language(
    login, personas, statuses
):
    client = login(personas.engineer)
    advisory = Advisory.objects.get(reference="DSA-9")
    for language, said in (
        ("en", "not applicable needs its reason"),
        ("zh-hans", "不适用须说明原因"),
    ):
        personas.engineer.language = language
        personas.engineer.save(update_fields=["language"])
        page = client.get(f"/patches/{advisory.pk}/").content.decode()
        assert 'data-testid="bulk-status"' in page
        refused = client.post(
            f"/patches/{advisory.pk}/statuses/",
            {"ids": statuses[:2], "state": "not_applicable"},
            follow=True,
        )
        assert said in refused.content.decode()
    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["language"])
    done = client.post(
        f"/patches/{advisory.pk}/statuses/",
        {"ids": statuses[:2], "state": "installed"},
        follow=True,
    )
    assert "2 assets: Installed." in done.content.decode()
    personas.engineer.language = "zh-hans"
    personas.engineer.save(update_fields=["language"])
    rest = client.post(
        f"/patches/{advisory.pk}/statuses/",
        {"all_open": "1", "state": "scheduled", "change_reference": "CHG-7"},
        follow=True,
    )
    assert "108" in rest.content.decode()
    assert PatchStatus.objects.filter(state="scheduled", change_reference="CHG-7").count() == 108
    assert PatchStatus.objects.filter(state="installed").count() == 2
