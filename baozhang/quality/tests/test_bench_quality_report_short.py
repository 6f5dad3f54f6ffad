"""The quality report benchmark (bench/bench_quality_report.py) in its short form: tiny
data, seconds. It seeds a year as the platform keeps it (monitors with their spells and
daily rollups, tickets with their clocks, incidents), runs the report through the command
as JSON and XLSX in child processes, and fetches the drill-down pages; here its figures
are checked against what it seeded, never its times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "bench_quality_report.py"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the bench/ folder is not in this install")
def test_the_short_benchmark_reports_the_year_it_seeded(tmp_path: Path) -> None:
    cmd = [sys.executable, str(SCRIPT), "--short"]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        cmd.append("--sqlite")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["BAOZHANG_HOME"] = str(tmp_path)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=900, env=env, cwd=SCRIPT.parents[1]
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON "))
    result = json.loads(line[5:])
    assert result["bench"] == "quality_report"
    steps = result["steps"]
    assert [s["monitors"] for s in steps] == [6, 12]
    for step in steps:
        figures = step["figures"]
        # Every incident seeded lies in the reported year.
        assert figures["faults"] == step["incidents_seeded"]
        assert 0 < figures["abnormal"] < figures["periods"]
        assert figures["excluded"] > 0  # the announced maintenance windows
        assert 0 < figures["integrity"] < 1
        assert figures["complaints"] > 0
        for fmt in ("json", "xlsx"):
            assert step[fmt]["bytes"] > 0 and step[fmt]["queries"] > 0
            assert step[fmt]["peak_mb"] >= step[fmt]["idle_mb"] > 0
    assert [p["period"] for p in result["periods"]] == ["2025-11", "2025-Q4", "2025"]
    pages = result["pages"]
    assert pages[0]["page"].startswith("sign-in")
    assert "incidents:statistics" in {p["page"] for p in pages}
    for page in pages:
        assert page["statuses"] == [200] and page["requests"] > 0
    assert set(result["met"]) == {"json", "xlsx", "memory", "pages"}
