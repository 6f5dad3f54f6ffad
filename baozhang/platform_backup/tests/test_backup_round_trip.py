"""M2: `baozhang backup` of the demo restored into a fresh database gives identical row
counts and checksums, SQLite → SQLite, PostgreSQL → PostgreSQL, SQLite → PostgreSQL and
back; attachments come back byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from baozhang.platform_backup.tests.conftest import Home, figures, manifest_of


def _restore_and_back_up(archive: Path, home: Home) -> Path:
    home.run("restore", str(archive), "--check", "--keep-schema")
    again = home.path / "again.zip"
    home.run("backup", "-o", str(again))
    return again


def test_sqlite_to_sqlite_gives_identical_counts_and_checksums(demo_archive, make_home):
    # Given the demo backed up from SQLite
    before = manifest_of(demo_archive)
    assert before["source"]["vendor"] == "sqlite"
    assert figures(before)["accounts_user"][0] >= 8
    assert figures(before)["events_event"][0] > 0
    # When it is restored into an empty home (no tables yet) and backed up again
    again = _restore_and_back_up(demo_archive, make_home("sqlite"))
    # Then every table has the same rows and checksum, and the schema version is the same
    after = manifest_of(again)
    assert figures(after) == figures(before)
    assert after["migrations"] == before["migrations"]


def test_attachments_come_back_byte_for_byte(demo_archive, make_home):
    # Given the demo's archive, which holds one attachment under MEDIA_ROOT
    (name,) = [n for n in manifest_of(demo_archive)["files"] if "attachments" in n]
    home = make_home("sqlite")
    # When it is restored
    home.run("restore", str(demo_archive))
    # Then the file is where it was, with the same bytes
    restored = home.path / "media" / "attachments" / "2026" / "01" / "抄表 report.pdf"
    assert name == "media/attachments/2026/01/抄表 report.pdf"
    assert restored.read_bytes() == b"%PDF-1.4 " + bytes(range(256)) * 40


def test_restore_into_a_migrated_database_replaces_what_migrate_wrote(demo_archive, make_home):
    # Given a home whose database was migrated (content types, permissions, groups)
    home = make_home("sqlite")
    home.run("migrate", "-v0")
    # When the demo is restored into it
    done = home.run("restore", str(demo_archive), "--check")
    # Then it is accepted and every table matches the archive
    assert "Checked: every table matches the manifest." in done.stdout


@pytest.mark.postgres_only
def test_postgresql_to_postgresql_gives_identical_counts_and_checksums(demo_archive, make_home):
    # Given the demo on PostgreSQL, backed up from there
    first = make_home("postgresql")
    first.run("restore", str(demo_archive))
    pg_archive = first.path / "pg.zip"
    first.run("backup", "-o", str(pg_archive))
    assert manifest_of(pg_archive)["source"]["vendor"] == "postgresql"
    # When it is restored into another empty PostgreSQL database and backed up again
    again = _restore_and_back_up(pg_archive, make_home("postgresql"))
    # Then every table has the same rows and checksum
    assert figures(manifest_of(again)) == figures(manifest_of(pg_archive))


@pytest.mark.postgres_only
def test_sqlite_to_postgresql_and_back_gives_identical_counts_and_checksums(
    demo_archive, make_home
):
    # Given the demo backed up from SQLite
    before = figures(manifest_of(demo_archive))
    # When it is restored into an empty PostgreSQL database and backed up from there
    on_postgres = _restore_and_back_up(demo_archive, make_home("postgresql"))
    # Then the figures are those of the SQLite archive
    assert figures(manifest_of(on_postgres)) == before
    # And when that archive is restored into an empty SQLite home, again
    back = _restore_and_back_up(on_postgres, make_home("sqlite"))
    assert figures(manifest_of(back)) == before


@pytest.mark.postgres_only
def test_sequences_continue_after_the_restored_ids_on_postgresql(demo_archive, make_home):
    # Given the demo restored into PostgreSQL
    home = make_home("postgresql")
    home.run("restore", str(demo_archive))
    # When a new organisation is created there
    home.run(
        "shell",
        "-c",
        "from baozhang.accounts import services; "
        "services.create_organisation(None, name='After restore', kind='customer')",
    )
    # Then it took a fresh id (no duplicate key) and the archive's rows are all there
    again = home.path / "after.zip"
    home.run("backup", "-o", str(again))
    organisations = figures(manifest_of(again))["accounts_organisation"][0]
    assert organisations == figures(manifest_of(demo_archive))["accounts_organisation"][0] + 1
