"""`baozhang up`: migrate, the first administrator printed once, web + worker, clean stop."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from django.core.management import call_command

from baozhang.accounts.models import User


def test_first_run_creates_an_administrator_and_prints_the_password_once(db):
    out = io.StringIO()
    call_command("up", "--no-serve", stdout=out)
    first = out.getvalue()
    admin = User.objects.get(username="admin")
    password = next(
        line.split(":", 1)[1].strip() for line in first.splitlines() if "password" in line
    )
    assert admin.is_superuser
    assert admin.check_password(password)

    again = io.StringIO()
    call_command("up", "--no-serve", stdout=again)
    assert "password" not in again.getvalue()
    assert User.objects.filter(is_superuser=True).count() == 1


def test_demo_data_is_loaded_once(db):
    out = io.StringIO()
    call_command("up", "--no-serve", "--demo", stdout=out)
    assert User.objects.filter(username__in=["agent", "contact1", "contact2"]).count() == 3
    count = User.objects.count()
    call_command("up", "--no-serve", "--demo", stdout=io.StringIO())
    assert User.objects.count() == count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up_serves_and_stops_cleanly_on_sigterm(tmp_path):
    port = _free_port()
    env = {**os.environ, "BAOZHANG_HOME": str(tmp_path), "DATABASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "baozhang", "up", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as r:
                    status = r.status
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        assert "登录" in body
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output, _ = proc.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert proc.returncode == 0, output
    assert "password / 密码" in output
    assert f"http://127.0.0.1:{port}/" in output
    assert "stopped / 已停止" in output


def test_demo_checks_and_links_follow_the_port_served_on(db, monkeypatch):
    from django.conf import settings

    from baozhang.monitoring.models import Monitor

    monkeypatch.delenv("BAOZHANG_BASE_URL", raising=False)
    before = settings.BAOZHANG_BASE_URL
    try:
        call_command("up", "--no-serve", "--demo", "--port", "8123", stdout=io.StringIO())
        assert settings.BAOZHANG_BASE_URL == "http://127.0.0.1:8123"
    finally:
        settings.BAOZHANG_BASE_URL = before
    web = Monitor.objects.get(kind="http")
    assert web.target == "http://127.0.0.1:8123/accounts/login/"
    assert Monitor.objects.get(kind="tcp").target == "127.0.0.1:8123"


def test_an_explicit_base_url_is_kept(db, monkeypatch):
    from django.conf import settings

    monkeypatch.setenv("BAOZHANG_BASE_URL", "https://desk.example.cn")
    before = settings.BAOZHANG_BASE_URL
    try:
        call_command(
            "up", "--no-serve", "--host", "0.0.0.0", "--port", "8123", stdout=io.StringIO()
        )
        kept = settings.BAOZHANG_BASE_URL
    finally:
        settings.BAOZHANG_BASE_URL = before
    assert kept == before


def test_a_wildcard_host_means_loopback_in_links() -> None:
    from baozhang.web.management.commands.up import _base_url

    assert _base_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert _base_url("::1", 9000) == "http://[::1]:9000"
    assert _base_url("10.0.0.5", 80) == "http://10.0.0.5:80"
