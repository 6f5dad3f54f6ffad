"""Shared pieces of the monitoring benchmarks (bench_probe, bench_heartbeat, bench_drift,
bench_storage, bench_availability): the tools they need, nginx and blackbox_exporter on
loopback, throwaway databases, Django set up on one of them, the machine line and the JSON
line. Loopback only; every process started here is stopped by its own id."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"
PG_BASE = os.environ.get("BENCH_POSTGRES_BASE", "postgres://postgres@127.0.0.1:5432")

# The Debian package that brings each tool.
PACKAGES = {
    "nginx": "nginx-light",
    "wrk": "wrk",
    "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
}


def require_tools(*names: str) -> dict[str, str]:
    """Paths of the tools, or a clear message and exit 2 (nothing is installed here)."""
    found = {n: shutil.which(n) or shutil.which(n, path="/usr/sbin:/sbin") for n in names}
    missing = [n for n, p in found.items() if not p]
    if missing:
        pkgs = " ".join(PACKAGES.get(n, n) for n in missing)
        print(f"missing: {', '.join(missing)}; install with:  apt-get install {pkgs}")
        sys.exit(2)
    return {n: str(p) for n, p in found.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes] | None, timeout: float, log: Path) -> None:
    """Until something accepts on HOST:port; RuntimeError if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"process exited with {proc.returncode}: {text}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes] | None, timeout: float = 15) -> None:
    """SIGTERM to the process (and the group it leads, if it leads one), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        return
    group = pgid == proc.pid  # started with start_new_session=True: its own group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM) if group else proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL) if group else proc.kill()
        proc.wait(5)


# -- nginx and blackbox_exporter --------------------------------------------------------------

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; multi_accept on; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_timeout 30;
    server {{
        listen {host}:{port} backlog=4096 reuseport;
        location / {{ default_type text/plain; return 200 "ok\\n"; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(binary: str = "nginx") -> Iterator[str]:
    """nginx on loopback answering ``200 ok`` to everything; yields its base URL."""
    work = Path(tempfile.mkdtemp(prefix="bz-bench-nginx-"))
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=work, host=HOST, port=port))
    log = work / "error.log"
    proc = None
    try:
        with (work / "stdout.log").open("ab") as out:
            proc = subprocess.Popen(
                [binary, "-p", str(work), "-e", str(log), "-c", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_port(port, proc, 15, work / "stdout.log")
        yield f"http://{HOST}:{port}/"
    finally:
        stop(proc)
        shutil.rmtree(work, ignore_errors=True)


BLACKBOX_CONF = """\
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
"""


@contextlib.contextmanager
def blackbox_exporter(binary: str = "prometheus-blackbox-exporter") -> Iterator[str]:
    """Prometheus's blackbox_exporter on loopback with an ``http_2xx`` module; yields its
    base URL."""
    work = Path(tempfile.mkdtemp(prefix="bz-bench-blackbox-"))
    port = free_port()
    conf = work / "blackbox.yml"
    conf.write_text(BLACKBOX_CONF)
    log = work / "blackbox.log"
    proc = None
    try:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [
                    binary,
                    f"--config.file={conf}",
                    f"--web.listen-address={HOST}:{port}",
                    "--log.level=warn",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_port(port, proc, 15, log)
        yield f"http://{HOST}:{port}"
    finally:
        stop(proc)
        shutil.rmtree(work, ignore_errors=True)


def http_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return int(r.status), r.read()


# -- databases --------------------------------------------------------------------------------


def postgres_version() -> str | None:
    """The server's version, or None (with a line saying why) when none answers."""
    try:
        import psycopg
    except ImportError:
        print("PostgreSQL: psycopg is not installed")
        return None
    try:
        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except Exception as exc:
        print(f"PostgreSQL at {PG_BASE} does not answer ({type(exc).__name__}: {exc})")
        return None
    return str(row[0]) if row else "?"


def create_postgres(name: str) -> str:
    """A fresh database ``name`` (dropped first if left over); its URL."""
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with (
        contextlib.suppress(Exception),
        psycopg.connect(f"{PG_BASE}/postgres", autocommit=True, connect_timeout=5) as conn,
    ):
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_env(home: str, database_url: str | None) -> dict[str, str]:
    """The environment of a process working on this throwaway database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "baozhang.settings",
            "BAOZHANG_HOME": home,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def setup_django(home: str, database_url: str | None, *, migrate: bool = True) -> None:
    """Point this process at the throwaway database (SQLite in ``home`` when no URL),
    set Django up and, by default, migrate."""
    os.environ.update(django_env(home, database_url))
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def migrate_in_subprocess(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "baozhang", "migrate", "-v", "0"], env=env, cwd=REPO, check=True
    )


# -- reporting --------------------------------------------------------------------------------


def machine(extra: str = "") -> str:
    cpu = platform.processor() or "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = models[0] if models else cpu
    mem = ""
    if os.path.exists("/proc/meminfo"):
        with open("/proc/meminfo", encoding="utf-8") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    mem = f", {int(ln.split()[1]) / 1024 / 1024:.0f} GB RAM"
    line = f"machine: nproc={os.cpu_count()}, {cpu}{mem}; Python {platform.python_version()}"
    return line + (f"; {extra}" if extra else "")


def json_line(bench: str, data: dict[str, Any]) -> None:
    print("JSON " + json.dumps({"bench": bench, **data}, sort_keys=True, default=str), flush=True)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile, q in 0..100."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(q / 100 * len(s) + 0.5) - 1))]
