"""`baozhang probe --processes N`: N engine processes share the local monitors, each
monitor checked by exactly one of them; SIGTERM stops them all."""

from __future__ import annotations

import http.server
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from baozhang.monitoring.shards import in_shard

ROOT = Path(__file__).resolve().parents[3]


def test_every_monitor_falls_in_exactly_one_shard() -> None:
    for count in (1, 2, 3, 8):
        for monitor_id in range(1, 200):
            owners = [i for i in range(count) if in_shard(monitor_id, (i, count))]
            assert len(owners) == 1


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def target() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in home
    env.update(
        BAOZHANG_HOME=str(home),
        DJANGO_SETTINGS_MODULE="baozhang.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
        PROBE_RELOAD_SECONDS="1",
    )
    return env


def test_two_processes_share_the_monitors_and_stop_on_sigterm(tmp_path: Path, target: str) -> None:
    env = _env(tmp_path)
    run = [sys.executable, "-m", "baozhang"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=300)
    create = (
        "import django; django.setup()\n"
        "from baozhang.monitoring.models import Monitor\n"
        f"for i in range(7): Monitor.objects.create(name=f'm{{i}}', kind='http', "
        f"target={target!r}, interval_s=1, timeout_s=2)\n"
    )
    subprocess.run([sys.executable, "-c", create], env=env, check=True, timeout=120)
    db = sqlite3.connect(tmp_path / "baozhang.sqlite3")
    ids = [row[0] for row in db.execute("SELECT id FROM monitoring_monitor")]
    assert len(ids) == 7
    proc = subprocess.Popen(
        [*run, "probe", "--processes", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        checked: set[int] = set()
        deadline = time.monotonic() + 90
        while checked != set(ids) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            checked = {
                row[0]
                for row in db.execute("SELECT DISTINCT monitor_id FROM monitoring_proberesult")
            }
        assert checked == set(ids)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "2 processes" in out
    mine = sum(1 for m in ids if in_shard(m, (0, 2)))
    assert f"probe shard 1/2: {mine} monitors" in out
    assert f"probe shard 2/2: {len(ids) - mine} monitors" in out
    assert out.rstrip().endswith("stopped / 已停止")
