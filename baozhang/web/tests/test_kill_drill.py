"""Drill 1, short form (docs/reliability.md): the worker, the probe engine and the web role
are each killed with SIGKILL at random points under load, three times, and nothing
acknowledged is lost. The full form is `bench/drill_kill.py --rounds 50`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[3]


def _postgres_base() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"


def test_killed_roles_lose_no_ticket_notification_or_check() -> None:
    # given the database this suite runs on (a scratch database of the drill's own on it)
    database = "postgres" if connection.vendor == "postgresql" else "sqlite"
    env = {**os.environ}
    if database == "postgres":
        env["DRILL_POSTGRES_URL"] = _postgres_base()
    # when each role is killed -9 three times at a random point under load
    proc = subprocess.run(
        [
            sys.executable,
            "bench/drill_kill.py",
            "--rounds",
            "3",
            "--max-delay",
            "2",
            "--database",
            database,
            "--json",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    # then every role was killed three times
    assert figures["kills"] == {"worker": 3, "probe": 3, "web": 3}
    # and every ticket answered 201 is present with its acknowledgement in the outbox
    tickets = figures["tickets"]
    assert tickets["answered_201"] > 0
    assert (
        tickets["present"] == tickets["with_acknowledgement_in_outbox"] == tickets["answered_201"]
    )
    # and every notification arrived; repeats, if any, carried a key already seen
    notes = figures["notifications"]
    assert notes["outbox_sent"] == notes["outbox_total"] > 0
    for kind in ("email", "webhook"):
        assert notes[kind]["distinct_keys"] == notes[kind]["messages"]
        assert notes[kind]["arrived"] == notes[kind]["messages"] + notes[kind]["repeats_same_key"]
    # and every check the target saw was stored or checked again after the kill
    probe = figures["probe"]
    assert probe["checks_stored"] > 0
    assert probe["checks_seen_by_target"] == probe["checks_stored"] + probe["checks_lost_at_a_kill"]
    assert probe["lost_and_checked_again"] == probe["checks_lost_at_a_kill"]
    assert figures["problems"] == []
