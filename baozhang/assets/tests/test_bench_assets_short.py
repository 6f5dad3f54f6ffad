"""The asset benchmark (bench/bench_assets.py, issue 19 §9) in its short form: tiny data,
seconds. It imports an XLSX of the register through the command (a dry run, the import,
the same file again) beside its two baselines (openpyxl reading the file, a bulk_create of
the same rows), then seeds a year of records and computes 设备完好率 and 线路可用率 over a
month, a quarter and the year; here its counts and figures are checked against what it
wrote and seeded, never its times."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "bench_assets.py"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the bench/ folder is not in this install")
def test_the_short_benchmark_imports_the_file_and_figures_the_year(tmp_path: Path) -> None:
    cmd = [sys.executable, str(SCRIPT), "--short"]
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        cmd.append("--sqlite")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["BAOZHANG_HOME"] = str(tmp_path)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=600, env=env, cwd=SCRIPT.parents[1]
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("JSON "))
    result = json.loads(line[5:])
    assert result["bench"] == "assets"
    rows = result["rows"]
    assert rows == 60
    steps = result["import"]
    assert steps["read"]["rows"] == rows and steps["bulk"]["rows"] == rows
    # The dry run writes nothing; the import creates every row; the same file again
    # changes nothing.
    before = steps["dry-run"]["assets_after"]
    assert f"{rows} new, 0 changed, 0 unchanged" in steps["dry-run"]["summary"]
    assert steps["import"]["assets_after"] == before + rows
    assert f"{rows} new, 0 changed, 0 unchanged" in steps["import"]["summary"]
    assert steps["reimport"]["assets_after"] == before + rows
    assert f"0 new, 0 changed, {rows} unchanged" in steps["reimport"]["summary"]
    for step in steps.values():
        assert step["seconds"] > 0 and step["peak_mb"] >= step["idle_mb"] > 0
    assert steps["import"]["queries"] > steps["bulk"]["queries"] > 0
    seeded = result["seeded"]
    assert seeded["monitors"] == seeded["assets"] >= rows * 0.8
    periods = result["periods"]
    assert [p["period"] for p in periods] == ["month", "quarter", "year"]
    spells = [p["baseline"]["spells"]["count"] for p in periods]
    assert 0 < spells[0] < spells[1] < spells[2] <= seeded["down_spells"]
    for p in periods:
        f = p["figures"]
        # Every seeded asset of the figures' kinds is counted, lines apart.
        assert f["units"] + f["lines"] >= seeded["assets"]
        assert 0 < f["count"] <= p["baseline"]["spells"]["count"] + p["baseline"]["faults"]["count"]
        assert f["outage_hours"] > 0
        for rate in ("intact_time_rate", "line_availability_rate"):
            assert 0.9 < f[rate] < 1
        assert 0 <= f["intact_unit_rate"] < 1
        assert f["excluded_hours"] > 0  # the announced maintenance windows
        assert p["queries"] > 0 and p["baseline_s"] > 0
    assert set(result["met"]) == {"year_figures"}
