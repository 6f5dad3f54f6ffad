#!/usr/bin/env python3
"""Report this machine's installed software to Baozhang (补丁管理的软件清单上报).

Reads ``dpkg-query -W`` (each package's name and version, and its source package's name
and version: Debian's security advisories name source packages, openssl for libssl3),
run here or from a file of the same tab-separated lines given with --from, and sends it
to the Baozhang server's own API:

    POST {server}/api/v1/assets/{asset}/software
    Authorization: Bearer {token}
    {"packages": [{"name": "openssl", "version": "3.0.15-1~deb12u1"}, ...]}

The server replaces the asset's inventory with the report and matches it against the
advisories at once. Python's standard library only, so it runs on any Debian host with
python3 and nothing installed. The agent calls the server and nothing else: the only
address it reaches is the --server URL the operator gives it (http or https).

    python3 inventory_agent.py --server https://baozhang.example --asset 12 \\
        --token-file /etc/baozhang/agent.token
    python3 inventory_agent.py --server ... --asset 12 --from packages.txt --dry-run

Exit status: 0 sent (or printed with --dry-run), 1 refused by the server or unreachable,
2 bad arguments or input. Suitable for a daily cron job or systemd timer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence

DPKG_QUERY = [
    "dpkg-query",
    "-W",
    "-f=${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\n",
]
TIMEOUT = 60


def parse_dpkg(text: str) -> list[dict[str, str]]:
    """``name<TAB>version[<TAB>source<TAB>source version]`` lines as packages: each binary
    package, and its source package where that has another name (the advisories' name).
    A package without a version (removed, its configuration left) is skipped, an
    architecture qualifier (``libc6:amd64``) dropped."""
    seen: dict[str, str] = {}
    sources: dict[str, str] = {}
    for line in text.splitlines():
        fields = [f.strip() for f in line.split("\t")]
        name, version = fields[0].split(":", 1)[0], fields[1] if len(fields) > 1 else ""
        if not name or not version:
            continue
        seen[name] = version
        if len(fields) >= 4 and fields[2]:
            sources.setdefault(fields[2].split(":", 1)[0], fields[3] or version)
    for name, version in sources.items():
        seen.setdefault(name, version)
    return [{"name": n, "version": v} for n, v in sorted(seen.items())]


def read_token(args: argparse.Namespace) -> str:
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get("BAOZHANG_TOKEN", "").strip()


def endpoint(server: str, asset: int) -> str:
    """The server's own inventory address. Raises ValueError for anything but an http(s)
    URL without credentials, query or fragment."""
    parts = urllib.parse.urlsplit(server.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"--server must be an http(s) URL, not {server!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("--server takes no credentials, query or fragment")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/api/v1/assets/{asset}/software"


def send(url: str, token: str, packages: list[dict[str, str]]) -> tuple[int, str]:
    body = json.dumps({"packages": packages}).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "baozhang-inventory-agent/1",
        },
    )
    # No proxy from the environment: the agent talks to the server it was given only.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TIMEOUT) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="the Baozhang server's URL")
    parser.add_argument("--asset", required=True, type=int, help="this machine's asset id")
    parser.add_argument("--token-file", help="a file holding the API token (else $BAOZHANG_TOKEN)")
    parser.add_argument("--from", dest="source", help="read name<TAB>version lines from this file")
    parser.add_argument("--dry-run", action="store_true", help="print the report, send nothing")
    args = parser.parse_args(argv)
    try:
        url = endpoint(args.server, args.asset)
    except ValueError as exc:
        print(f"inventory_agent: {exc}", file=sys.stderr)
        return 2
    if args.source:
        with open(args.source, encoding="utf-8") as handle:
            text = handle.read()
    else:
        try:
            text = subprocess.run(DPKG_QUERY, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"inventory_agent: dpkg-query failed: {exc}", file=sys.stderr)
            return 2
    packages = parse_dpkg(text)
    if not packages:
        print("inventory_agent: no installed package found", file=sys.stderr)
        return 2
    if args.dry_run:
        print(json.dumps({"url": url, "packages": packages}, indent=1))
        return 0
    token = read_token(args)
    if not token:
        print("inventory_agent: no token (--token-file or $BAOZHANG_TOKEN)", file=sys.stderr)
        return 2
    try:
        status, answer = send(url, token, packages)
    except (OSError, urllib.error.URLError) as exc:
        print(f"inventory_agent: {url} unreachable: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"inventory_agent: the server answered {status}: {answer[:2000]}", file=sys.stderr)
        return 1
    print(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
