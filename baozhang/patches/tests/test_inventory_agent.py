"""The inventory agent shipped with the project (scripts/inventory_agent.py) reports a
machine's dpkg list to the server's own API with a token; the server keeps it as the
asset's inventory and matches it at once (issue 19 §5)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from baozhang.accounts import services as accounts
from baozhang.patches import services
from baozhang.patches.models import InstalledSoftware, PatchState

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "inventory_agent.py"
# dpkg-query's lines: package, version, source package, source version.
DPKG = (
    "libssl3:amd64\t3.0.11-1~deb12u2+b1\topenssl\t3.0.11-1~deb12u2\n"
    "libc6:amd64\t2.36-9+deb12u9\tglibc\t2.36-9+deb12u9\n"
    "nginx\t1.22.1-9+deb12u1\tnginx\t1.22.1-9+deb12u1\n"
    "old-removed\t\t\t\n"
)


def _agent():
    spec = importlib.util.spec_from_file_location("inventory_agent", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.django_db(transaction=True)
def test_the_agent_reports_the_dpkg_list_and_the_server_matches_it(
    live_server, personas, servers, tmp_path
):
    services.create_advisory(
        personas.engineer,
        reference="DSA-5764-1",
        title="openssl security update",
        product="openssl",
        fixed_version="3.0.14-1~deb12u1",
        severity="critical",
    )
    _token, secret = accounts.create_token(None, personas.engineer, name="inventory agent")
    token_file = tmp_path / "agent.token"
    token_file.write_text(secret + "\n")
    listing = tmp_path / "dpkg.txt"
    listing.write_text(DPKG)
    done = _run(
        "--server",
        live_server.url,
        "--asset",
        str(servers[0].pk),
        "--token-file",
        str(token_file),
        "--from",
        str(listing),
    )
    assert done.returncode == 0, done.stderr
    assert '"open_patches": 1' in done.stdout
    kept = InstalledSoftware.objects.filter(asset=servers[0]).order_by("name")
    # Each binary package and, under its own name, its source package (the name Debian's
    # advisories use): libssl3 brings openssl at its source version.
    assert [(p.name, p.version, p.source) for p in kept] == [
        ("glibc", "2.36-9+deb12u9", "agent"),
        ("libc6", "2.36-9+deb12u9", "agent"),
        ("libssl3", "3.0.11-1~deb12u2+b1", "agent"),
        ("nginx", "1.22.1-9+deb12u1", "agent"),
        ("openssl", "3.0.11-1~deb12u2", "agent"),
    ]
    assert servers[0].patch_statuses.get().state == PatchState.PENDING


@pytest.mark.django_db(transaction=True)
def test_a_wrong_token_is_refused_and_the_agent_says_so(live_server, servers, tmp_path):
    listing = tmp_path / "dpkg.txt"
    listing.write_text(DPKG)
    token_file = tmp_path / "bad.token"
    token_file.write_text("not-a-token")
    done = _run(
        "--server", live_server.url, "--asset", str(servers[0].pk),
        "--token-file", str(token_file), "--from", str(listing),
    )  # fmt: skip
    assert done.returncode == 1
    # An unknown bearer token is no identity: the API refuses it (401, or 403 when it falls
    # back to a session without its CSRF token).
    assert "the server answered 401" in done.stderr or "the server answered 403" in done.stderr
    assert not InstalledSoftware.objects.exists()


def test_the_agent_calls_only_the_servers_own_http_address():
    agent = _agent()
    assert (
        agent.endpoint("https://bz.example/base/", 7)
        == "https://bz.example/base/api/v1/assets/7/software"
    )
    for bad in ("ftp://bz.example", "https://user:pw@bz.example", "bz.example", "http://x/?a=1"):
        with pytest.raises(ValueError):
            agent.endpoint(bad, 7)
    assert agent.parse_dpkg("bash\t5.2.15-2+b7\n") == [{"name": "bash", "version": "5.2.15-2+b7"}]


def test_this_machines_dpkg_query_reads_as_packages():
    """The agent's own query, run for real where dpkg-query exists (a Debian host)."""
    agent = _agent()
    try:
        text = subprocess.run(agent.DPKG_QUERY, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no dpkg-query on this machine")
    packages = {p["name"]: p["version"] for p in agent.parse_dpkg(text)}
    assert "dpkg" in packages and packages["dpkg"][0].isdigit()


def test_a_dry_run_prints_the_report_and_sends_nothing(tmp_path):
    listing = tmp_path / "dpkg.txt"
    listing.write_text(DPKG)
    done = _run(
        "--server", "http://127.0.0.1:9", "--asset", "3", "--from", str(listing), "--dry-run"
    )
    assert done.returncode == 0, done.stderr
    assert '"url": "http://127.0.0.1:9/api/v1/assets/3/software"' in done.stdout
    assert '"name": "openssl"' in done.stdout
    refused = _run("--server", "file:///etc/passwd", "--asset", "3", "--dry-run")
    assert refused.returncode == 2 and "http(s) URL" in refused.stderr
