"""A real IMAP server for the tests: Debian's dovecot on loopback, in a temporary folder."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = os.environ.get("BAOZHANG_DOVECOT", "/usr/sbin/dovecot")


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    home: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accounts() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid): dovecot refuses to run its
    processes as root, so as root we use the accounts Debian's package created."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    nobody = pwd.getpwnam("nobody")
    internal = "dovecot" if _exists("dovecot") else "nobody"
    login = "dovenull" if _exists("dovenull") else "nobody"
    return internal, login, nobody.pw_uid, nobody.pw_gid


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def start(root: Path) -> tuple[Dovecot, subprocess.Popen[bytes]]:
    internal, login, uid, gid = _accounts()
    port = _free_port()
    user, password = "desk", "imap-test-password"
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n", encoding="utf-8")
    log = root / "dovecot.log"
    config = f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {log}
info_log_path = {log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 1
last_valid_uid = 0
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    (root / "dovecot.conf").write_text(config, encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(root / "home", uid, gid)
        os.chmod(root, 0o755)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            logged = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"dovecot exited with {proc.returncode}: {output}\n{logged}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                if s.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{port} within 15 s")
    return Dovecot("127.0.0.1", port, user, password, root / "home", log), proc
