"""The probe's ingest process: Django on the probe's database, one connection kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

CHILD = """
import datetime as dt, os, sys
from baozhang.monitoring import ingest_child
ingest_child.setup({"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]})
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db.backends.signals import connection_created
from baozhang.monitoring.models import Monitor, ProbeResult
m = Monitor.objects.create(name="web", kind="http", target="http://127.0.0.1:9/",
                           interval_s=60, timeout_s=5)
t = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
opened = []
connection_created.connect(lambda sender, connection, **kw: opened.append(connection), weak=False)
for i in range(3):
    at = t + dt.timedelta(minutes=i)
    assert ingest_child.store([(m.id, "local", at, True, 1.0, "")]) == 1
print(len(opened), ProbeResult.objects.filter(monitor=m).count())
"""


def test_the_ingest_process_keeps_one_database_connection_between_batches(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"BAOZHANG_HOME": str(tmp_path), "PYTHONPATH": str(REPO)})
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "probe.sqlite3")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    connections, stored = out.stdout.split()
    assert (connections, stored) == ("0", "3")  # three batches, no new connection
