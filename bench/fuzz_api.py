"""Drill 3 from the command line: schemathesis (`st run`) over /api/v1/openapi.json of a
real server (`baozhang up --demo` on a loopback port, a fresh SQLite home), as an operator
administrator and as a customer contact, with a seed and a number of examples of your own.

    .venv/bin/python bench/fuzz_api.py --seed 7 --examples 20
    .venv/bin/python bench/fuzz_api.py --quick          # 2 examples, a smoke run

Before each call the fuzzing person's token, roles and organisation are restored
(bench/fuzz_hooks.py), so that a case that revoked the caller's own token or deactivated
their organisation does not turn the rest of the run into 401s. Checks: no server error,
status code, content type and body as documented. Prints, per person, the requests sent and
the failures schemathesis reported; exit 1 when any. The in-process form with the
cross-customer check runs in the test suite (baozhang/api/tests/test_api_fuzz.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _drill_support import free_port, port_open, wait_for

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
PEOPLE = {"administrator": "admin", "customer contact": "contact1"}


def fuzz(home: str, port: int, user: str, seed: int, examples: int) -> tuple[int, str]:
    """Run `st run` as ``user``; its exit status and its output."""
    env = {
        **os.environ,
        "BAOZHANG_HOME": home,
        "DATABASE_URL": "",
        "FUZZ_USER": user,
        "PYTHONPATH": os.pathsep.join([str(REPO / "bench"), str(REPO)]),
        "SCHEMATHESIS_HOOKS": "fuzz_hooks",
    }
    st = shutil.which("st", path=str(BIN)) or "st"
    command = [
        st,
        "run",
        f"http://127.0.0.1:{port}/api/v1/openapi.json",
        "--seed",
        str(seed),
        "-n",
        str(examples),
        "-w",
        "1",
        "-c",
        CHECKS,
        "--continue-on-failure",
        "--generation-database",
        "none",
        "--no-color",
        "--request-timeout",
        "30",
    ]
    proc = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=3600)
    return proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="2 examples per operation")
    args = parser.parse_args()
    examples = 2 if args.quick else args.examples
    failed = False
    with tempfile.TemporaryDirectory(prefix="baozhang-fuzz-") as home:
        port = free_port()
        env = {**os.environ, "BAOZHANG_HOME": home, "DATABASE_URL": ""}
        server = subprocess.Popen(
            [str(BIN / "baozhang"), "up", "--demo", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if not wait_for(lambda: port_open(port), timeout=120):
                print("the server did not start within 120 s")
                return 1
            for who, user in PEOPLE.items():
                started = time.monotonic()
                code, output = fuzz(home, port, user, args.seed, examples)
                summary = [
                    line
                    for line in output.splitlines()
                    if re.search(r"(API operations|Test cases|passed|failed|errors?)\b", line)
                ]
                print(f"\n=== {who} ({user}), seed {args.seed}, {examples} examples: exit {code}")
                print(f"    {time.monotonic() - started:.0f} s")
                for line in summary[-8:]:
                    print(f"    {line.strip()}")
                if code != 0:
                    failed = True
                    print(output[-6000:])
        finally:
            server.terminate()
            server.wait(timeout=60)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
