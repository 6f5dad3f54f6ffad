"""The whole test suite: lint, types, then pytest on SQLite and on PostgreSQL.

Run through `make test`. On a developer's machine PostgreSQL and the browser tests are added
when they are available, and what was skipped is said at the end. With CI=true nothing may
be skipped: a missing PostgreSQL or browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_HOST, PG_PORT = os.environ.get("PGHOST", "127.0.0.1"), int(os.environ.get("PGPORT", "5432"))
CHROMIUM = os.environ.get("BAOZHANG_CHROMIUM", "/usr/bin/chromium")


def say(message: str) -> None:
    print(f"\n=== {message}", flush=True)


def run(name: str, cmd: list[str], env: dict[str, str] | None = None) -> bool:
    say(f"{name}: {' '.join(cmd)}")
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    print(f"--- {name}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
    return code == 0


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=3):
            return True
    except OSError:
        return False


def browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def main() -> int:
    results: dict[str, bool] = {}
    skipped: list[str] = []

    results["ruff check"] = run("ruff check", [str(BIN / "ruff"), "check", "."])
    results["ruff format"] = run("ruff format", [str(BIN / "ruff"), "format", "--check", "."])
    results["mypy (core)"] = run("mypy (core)", [str(BIN / "mypy")])
    # The ranking of the apps (docs/architecture.md): one upward import fails the run.
    results["import-linter"] = run("import-linter", [str(BIN / "lint-imports")])

    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    with_browser = browser_available()
    if not with_browser:
        skipped.append(f"browser tests (no chromium at {CHROMIUM} or no playwright)")

    with tempfile.TemporaryDirectory(prefix="baozhang-test-") as home:
        env = {
            "BAOZHANG_HOME": home,
            "DATABASE_URL": "",
            "BAOZHANG_TEST_ARTIFACTS": str(ROOT / "test-artifacts"),
        }
        marker = [] if with_browser else ["-m", "not browser"]
        results["pytest on SQLite"] = run("pytest on SQLite", [*pytest, *marker], env)

    if postgres_answers():
        # A fresh database per run: pytest-django creates it and drops it at the end.
        name = f"test_baozhang_{os.getpid()}_{int(time.time())}"
        with tempfile.TemporaryDirectory(prefix="baozhang-test-") as home:
            env = {
                "BAOZHANG_HOME": home,
                "DATABASE_URL": f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres",
                "TEST_DATABASE_NAME": name,
            }
            results["pytest on PostgreSQL"] = run(
                "pytest on PostgreSQL", [*pytest, "-m", "not browser", "--create-db"], env
            )
    else:
        skipped.append(f"PostgreSQL run (nothing answers on {PG_HOST}:{PG_PORT})")

    say("summary")
    for name, ok in results.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    for item in skipped:
        print(f"skipped: {item}")
    failed = [n for n, ok in results.items() if not ok]
    if CI and skipped:
        print("CI=true: nothing may be skipped, so the skips above are failures.")
        failed.extend(skipped)
    print(
        f"steps: {len(results) - len([n for n in results if not results[n]])} passed, "
        f"{len(failed)} failed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
