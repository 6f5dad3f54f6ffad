"""`baozhang patches import-advisories|import-inventory|alarm` (issue 19 §5)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from baozhang.patches.models import Advisory, InstalledSoftware
from baozhang.patches.tests.conftest import FIXTURES


def test_the_debian_tracker_imports_from_the_command(servers, tmp_path):
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("asset,product,version\nweb-1,nginx,1.22.1-9\n")
    out = StringIO()
    call_command("patches", "import-inventory", str(inventory), stdout=out)
    call_command("patches", "import-advisories", str(FIXTURES / "debian_tracker.json"), stdout=out)
    assert "advisories: 3 new, 0 updated" in out.getvalue()
    assert InstalledSoftware.objects.get().name == "nginx"
    assert Advisory.objects.get(product="nginx").statuses.get().asset == servers[0]


def test_a_bad_file_from_the_command_names_every_row_and_imports_nothing(db):
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "patches",
            "import-advisories",
            str(FIXTURES / "bad_advisories.csv"),
            "--format",
            "csv",
            stderr=err,
        )
    assert err.getvalue().count("row ") == 4
    assert not Advisory.objects.exists()
