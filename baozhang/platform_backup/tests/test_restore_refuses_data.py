"""`baozhang restore` refuses a database that already holds data, in both languages,
and changes nothing; --replace overwrites it."""

from __future__ import annotations

from baozhang.platform_backup.tests.conftest import figures, manifest_of


def test_restore_refuses_a_database_that_holds_data(demo_archive, make_home):
    # Given a home with data of its own (one organisation beyond the demo's)
    home = make_home("sqlite")
    home.run("restore", str(demo_archive))
    home.run(
        "shell",
        "-c",
        "from baozhang.accounts import services; "
        "services.create_organisation(None, name='Kept', kind='customer')",
    )
    # When the archive is restored over it without --replace
    done = home.run("restore", str(demo_archive), ok=False)
    # Then it is refused in both languages, without a traceback, and the data is intact
    assert done.returncode != 0
    assert "目标数据库已有数据" in done.stderr
    assert "already holds data" in done.stderr
    assert "Traceback" not in done.stderr
    kept = home.path / "kept.zip"
    home.run("backup", "-o", str(kept))
    demo_orgs = figures(manifest_of(demo_archive))["accounts_organisation"][0]
    assert figures(manifest_of(kept))["accounts_organisation"][0] == demo_orgs + 1
    # And with --replace the archive's data takes its place
    home.run("restore", str(demo_archive), "--replace", "--check")
    replaced = home.path / "replaced.zip"
    home.run("backup", "-o", str(replaced))
    assert figures(manifest_of(replaced)) == figures(manifest_of(demo_archive))
