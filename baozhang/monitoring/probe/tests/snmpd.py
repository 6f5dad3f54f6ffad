"""Debian's real ``snmpd`` on a free loopback port, started and stopped by a test.

Its configuration lives in a temporary folder of its own: a v2c community, a v3 user
with SHA authentication and AES privacy, and a ``pass_persist`` script that answers GETs under
:data:`BASE_OID` from files, so a test changes a value between two checks with
:meth:`SnmpAgent.set`. The system's snmpd service is neither used nor touched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

SNMPD = shutil.which("snmpd") or "/usr/sbin/snmpd"
BASE_OID = "1.3.6.1.4.1.55555.1"
COMMUNITY = "bz-test-community"
V3_USER = "bzmonitor"
V3_AUTH = "auth-pass-123"
V3_PRIV = "priv-pass-456"

# snmpd's pass_persist protocol (snmpd.conf(5)); plain ``pass`` answers are cached by
# snmpd for a while, a persistent script is asked every time.
_PASS_SCRIPT = """#!/bin/sh
DIR="$(dirname "$0")"
while read -r cmd; do
  case "$cmd" in
    PING) echo PONG ;;
    get)
      read -r oid
      N="${{oid#.{base}.}}"
      case "$N" in *[!0-9]*|"") echo NONE; continue ;; esac
      if [ -f "$DIR/value.$N" ]; then echo "$oid"; cat "$DIR/value.$N"; else echo NONE; fi
      ;;
    getnext) read -r oid; echo NONE ;;
    set) read -r oid; read -r value; echo not-writable ;;
    *) exit 0 ;;
  esac
done
"""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(_family(host), socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _bound(port: int, host: str) -> bool:
    with socket.socket(_family(host), socket.SOCK_DGRAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


class SnmpAgent:
    """A running snmpd: ``port``, and ``set(n, value, kind)`` for OID ``BASE_OID.n``."""

    def __init__(
        self, folder: Path, host: str, port: int, process: subprocess.Popen[bytes]
    ) -> None:
        self.folder = folder
        self.host = host
        self.port = port
        self.process = process

    @property
    def target(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def oid(self, n: int) -> str:
        return f"{BASE_OID}.{n}"

    def set(self, n: int, value: object, kind: str = "string") -> None:
        """From the next GET on, OID ``BASE_OID.n`` answers ``value`` of SNMP ``kind``
        (string, integer, gauge, counter, timeticks); written whole, then renamed."""
        tmp = self.folder / f".value.{n}"
        tmp.write_text(f"{kind}\n{value}\n")
        tmp.replace(self.folder / f"value.{n}")

    def unset(self, n: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"value.{n}").unlink()


@contextlib.contextmanager
def snmp_agent(host: str = "127.0.0.1") -> Iterator[SnmpAgent]:
    """Start snmpd on loopback (``127.0.0.1`` or ``::1``, a free port) with its own
    configuration; stop it after."""
    if not os.path.exists(SNMPD):
        pytest.fail("snmpd is not installed: apt-get install snmpd (.ci/run installs it)")
    with tempfile.TemporaryDirectory(prefix="bz-snmpd-") as tmp:
        folder = Path(tmp)
        script = folder / "values.sh"
        script.write_text(_PASS_SCRIPT.format(base=BASE_OID))
        script.chmod(0o755)
        (folder / "state").mkdir()
        conf = folder / "snmpd.conf"
        conf.write_text(
            f"[snmpd] rocommunity {COMMUNITY} 127.0.0.1\n"
            f"[snmpd] rocommunity6 {COMMUNITY} ::1\n"
            f'[snmpd] createUser {V3_USER} SHA "{V3_AUTH}" AES "{V3_PRIV}"\n'
            f"[snmpd] rouser {V3_USER} priv\n"
            f"[snmpd] pass_persist .{BASE_OID} /bin/sh {script}\n"
            f"[snmp] persistentDir {folder / 'state'}\n"
        )
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MIBS": "",  # load no MIB files: snmpd answers by number, and stays quiet
            "MIBDIRS": str(folder),
        }
        for _attempt in range(5):
            port = free_udp_port(host)
            listen = f"udp6:[{host}]:{port}" if ":" in host else f"udp:{host}:{port}"
            process = subprocess.Popen(
                [
                    SNMPD,
                    "-f",
                    "-Lf",
                    str(folder / "log"),
                    "-C",
                    "-c",
                    str(conf),
                    "-p",
                    str(folder / "pid"),
                    listen,
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while process.poll() is None and not _bound(port, host) and time.monotonic() < deadline:
                time.sleep(0.05)
            if process.poll() is None and _bound(port, host):
                break
            process.kill()
            process.wait()
        else:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            pytest.fail(f"snmpd did not start: {log[-500:]}")
        try:
            yield SnmpAgent(folder, host, port, process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def silent_udp_port() -> Iterator[int]:
    """A loopback UDP port that receives and never answers: an agent that hangs."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])
