"""What the reliability drills share (bench/drill_kill.py, bench/drill_db_outage.py):
scratch databases, a PostgreSQL server of the drill's own, the roles as processes, a
loopback target for the probe, the seed, and small HTTP helpers. Loopback only."""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from baozhang.notify.tests.receivers import free_port  # noqa: E402  (re-exported for the drills)

HOST = "127.0.0.1"
SHARED_PG = os.environ.get("DRILL_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- databases ---------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_postgres(tag: str, base: str = SHARED_PG) -> Iterator[str]:
    """A database of its own on the shared server, uniquely named, dropped afterwards.
    Yields its URL."""
    import psycopg

    name = f"bz_drill_{tag}_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


class OwnPostgres:
    """A PostgreSQL server of the drill's own: initdb into a temporary folder, its own
    loopback port, started and stopped with pg_ctl. (The shared server is never touched.)
    Run as root, the server runs as the `postgres` user (initdb refuses root)."""

    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="bz-drill-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@{HOST}:{self.port}/baozhang"
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [*self._as, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()
        import psycopg

        with psycopg.connect(
            f"postgres://postgres@{HOST}:{self.port}/postgres", autocommit=True
        ) as conn:
            conn.execute('CREATE DATABASE "baozhang"')

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.dir} -c max_connections=200"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: as a crash would (no checkpoint; the restart replays the WAL)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("fast")
        shutil.rmtree(self.dir, ignore_errors=True)


# -- Django in the drill's own process ------------------------------------------------------


def role_env(database_url: str, home: str, **extra: str) -> dict[str, str]:
    """The environment of every role process and of the drill itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
            "DJANGO_SETTINGS_MODULE": "baozhang.settings",
            "DATABASE_URL": database_url,
            "BAOZHANG_HOME": home,
            "SECRET_KEY": "drill-secret-key-not-for-production-0123456789",
            "LOG_LEVEL": "INFO",
            # The receivers are on loopback, which notifications may not reach by default.
            "BAOZHANG_OUTBOUND_ALLOW_HOSTS": HOST,
            # A killed worker's messages are claimed again after seconds, not minutes.
            "NOTIFY_LEASE_SECONDS": "3",
            "NOTIFY_BACKOFF_BASE_SECONDS": "0.5",
            "NOTIFY_BACKOFF_MAX_SECONDS": "5",
            "NOTIFY_MAX_ATTEMPTS": "50",
            "NOTIFY_SEND_TIMEOUT_SECONDS": "5",
            "PROBE_RELOAD_SECONDS": "2",
            **extra,
        }
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    for key in ("DATABASE_URL", "BAOZHANG_HOME", "SECRET_KEY", "BAOZHANG_OUTBOUND_ALLOW_HOSTS"):
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "baozhang.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def seed(smtp_port: int, webhook_url: str, target_base: str, monitors: int) -> dict[str, Any]:
    """(Django set up.) Migrate; one customer with a contact, an API token, a signed-in
    session, an e-mail and a webhook channel; `monitors` HTTP monitors checking
    `target_base`/m/<id> every second; one push (heartbeat) monitor."""
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    call_command("migrate", verbosity=0)
    from baozhang.accounts import services as accounts
    from baozhang.accounts.models import OrganisationKind, Role
    from baozhang.monitoring.models import Monitor
    from baozhang.notify import services as notify

    operator = accounts.operator_organisation()
    admin = accounts.create_user(
        None,
        organisation=operator,
        roles=[Role.ADMINISTRATOR],
        username="drill-admin",
        password="drill-password-7x9",
        is_superuser=True,
    )
    customer = accounts.create_organisation(
        None, name="演练客户 Drill customer", kind=OrganisationKind.CUSTOMER
    )
    contact = accounts.create_user(
        None,
        organisation=customer,
        roles=[Role.CUSTOMER_CONTACT],
        username="drill-contact",
        password="drill-password-7x9",
        email="contact@drill.example",
    )
    _token, secret = accounts.create_token(None, contact, name="drill")
    mail = notify.create_channel(
        admin,
        name="drill mail",
        kind="email",
        organisation=customer,
        config={
            "smtp_host": HOST,
            "smtp_port": smtp_port,
            "smtp_security": "none",
            "from_address": "baozhang@drill.example",
            "to_addresses": "noc@drill.example",
        },
    )
    hook = notify.create_channel(
        admin,
        name="drill hook",
        kind="webhook",
        organisation=customer,
        config={"webhook_url": webhook_url},
    )
    ids = []
    for i in range(monitors):
        m = Monitor.objects.create(
            name=f"drill {i}",
            kind="http",
            target=f"{target_base}/m/0",
            interval_s=1,
            timeout_s=3,
            retries=0,
        )
        m.target = f"{target_base}/m/{m.pk}"
        m.save(update_fields=["target"])
        ids.append(m.pk)
    push = Monitor.objects.create(
        name="drill heartbeat",
        kind="push",
        push_token="drill-heartbeat-token",
        push_period_s=3600,
    )
    client = Client()
    client.force_login(contact, backend="baozhang.accounts.backends.ActiveOrganisationBackend")
    session = client.cookies["sessionid"].value
    connections.close_all()
    return {
        "token": secret,
        "session": session,
        "customer": customer.pk,
        "channels": {"email": mail.pk, "webhook": hook.pk},
        "monitors": ids,
        "push": push.pk,
        "push_token": push.push_token,
        "contact_email": contact.email,
    }


# -- the probe's target ------------------------------------------------------------------------


class Target:
    """An HTTP server on loopback answering 200; records the wall-clock time of every
    request to /m/<monitor id>."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[int, list[float]] = {}
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                at = time.time()
                with contextlib.suppress(ValueError):
                    key = int(self.path.rsplit("/", 1)[-1])
                    with target.lock:
                        target.hits.setdefault(key, []).append(at)
                body = b"ok"
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://{HOST}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Target:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self) -> dict[int, list[float]]:
        with self.lock:
            return {k: list(v) for k, v in self.hits.items()}


# -- the roles as processes ----------------------------------------------------------------


class Role:
    """One `baozhang <role>` process, in a process group of its own (so that kill -9 takes
    its children too, as a crash of the host's service would). Output goes to a log file
    kept across restarts."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts + 1} at {time.time():.3f}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "baozhang", *self.argv],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM and wait; kill -9 what does not stop in time."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""


def wait_for(predicate: Any, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def log_has(role: Role, text: str, since: int) -> bool:
    """`text` in the role's log after byte offset `since`."""
    with role.log.open("rb") as f:
        f.seek(since)
        return text.encode() in f.read()


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, bytes, dict[str, str]]:
    """One request on a fresh connection; raises OSError when the server is not there."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read(), {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def count_tracebacks(text: str) -> int:
    return text.count("Traceback (most recent call last)")
