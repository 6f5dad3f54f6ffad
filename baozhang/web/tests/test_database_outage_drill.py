"""Drill 2, short form (docs/reliability.md): a PostgreSQL server of the drill's own is
stopped for a few seconds under load. The web role answers 503 (never 500), mail-in exits
75, heartbeats are refused, the worker and the probe resume, and nothing acknowledged is
missing. The full form is `bench/drill_db_outage.py --seconds 60`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.postgres_only
def test_a_database_outage_answers_503_and_loses_nothing_acknowledged() -> None:
    # given the roles on a server of the drill's own, when it is down for 8 s under load
    proc = subprocess.run(
        [
            sys.executable,
            "bench/drill_db_outage.py",
            "--seconds",
            "8",
            "--warmup",
            "6",
            "--after",
            "10",
            "--mail-every",
            "1",
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    outage = figures["answers"]["outage"]
    # then the API and the signed-in pages answered 503 only, heartbeats were refused
    for kind in ("api-create", "api-list", "page-signed-in", "heartbeat"):
        assert set(outage[kind]) == {"503"}, (kind, outage[kind])
    # and mail-in asked the MTA to retry
    assert set(outage["mail-in"]) == {"exit 75"}
    # and afterwards everything acknowledged is present
    acked = figures["acknowledged"]
    assert acked["tickets_present"] == acked["tickets_201"] > 0
    assert acked["heartbeats_present"] == acked["heartbeats_200"] > 0
    assert acked["mails_present"] == acked["mails_accepted"]
    # and the worker delivered everything, the probe stored again, no traceback was logged
    assert figures["outbox"]["sent"] == figures["outbox"]["messages"] > 0
    assert figures["probe"]["results_after_restart"] > 0
    assert all(log["tracebacks"] == 0 for log in figures["role_logs"].values())
    assert figures["problems"] == []
