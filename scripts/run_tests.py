"""The whole test suite: lint, types, then pytest on SQLite and on PostgreSQL.

Run through `make test`. On a developer's machine PostgreSQL and the browser tests are added
when they are available, and what was skipped is said at the end. With CI=true nothing may
be skipped: a missing PostgreSQL or browser is a failure.
"""

from __future__ import annotations

import contextlib
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
# The SQLite and the PostgreSQL runs share nothing (each its own home, database, ports picked
# by the system), so they run side by side: on two cores the whole command takes about the
# longer of the two instead of their sum. BAOZHANG_TEST_SERIAL=1 runs them one after the other.
SERIAL = os.environ.get("BAOZHANG_TEST_SERIAL", "").lower() in {"1", "true", "yes"}


def say(message: str) -> None:
    print(f"\n=== {message}", flush=True)


def run(name: str, cmd: list[str], env: dict[str, str] | None = None) -> bool:
    say(f"{name}: {' '.join(cmd)}")
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    print(f"--- {name}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
    return code == 0


def run_side_by_side(
    runs: list[tuple[str, list[str], dict[str, str]]], logs: Path
) -> dict[str, bool]:
    """Start every run at once, each writing to its own log; print each log whole as its run
    ends (so the output of one run never interleaves with another's)."""
    started = time.monotonic()
    live: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for name, cmd, env in runs:
        say(f"{name} (side by side, shown when it ends): {' '.join(cmd)}")
        log = logs / f"{len(live)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
            )
        live[name] = (proc, log)
    results: dict[str, bool] = {}
    next_word = started + 300
    try:
        while live:
            if time.monotonic() >= next_word:
                next_word += 300
                going = ", ".join(live)
                print(f"... {time.monotonic() - started:.0f} s: still running: {going}", flush=True)
            for name, (proc, log) in list(live.items()):
                code = proc.poll()
                if code is None:
                    continue
                del live[name]
                say(f"{name}: output")
                sys.stdout.write(log.read_text(errors="replace"))
                print(f"--- {name}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
                results[name] = code == 0
            if live:
                time.sleep(1)
    finally:
        for proc, _ in live.values():
            proc.terminate()
    return results


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

    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *sys.argv[1:]]
    with_browser = browser_available()
    if not with_browser:
        skipped.append(f"browser tests (no chromium at {CHROMIUM} or no playwright)")

    runs: list[tuple[str, list[str], dict[str, str]]] = []
    with contextlib.ExitStack() as stack:
        home = stack.enter_context(tempfile.TemporaryDirectory(prefix="baozhang-test-"))
        env = {
            "BAOZHANG_HOME": home,
            "DATABASE_URL": "",
            "BAOZHANG_TEST_ARTIFACTS": str(ROOT / "test-artifacts"),
        }
        marker = [] if with_browser else ["-m", "not browser"]
        runs.append(("pytest on SQLite", [*pytest, *marker], env))

        if postgres_answers():
            # A fresh database per run: pytest-django creates it and drops it at the end.
            name = f"test_baozhang_{os.getpid()}_{int(time.time())}"
            home = stack.enter_context(tempfile.TemporaryDirectory(prefix="baozhang-test-"))
            env = {
                "BAOZHANG_HOME": home,
                "DATABASE_URL": f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres",
                "TEST_DATABASE_NAME": name,
            }
            runs.append(
                ("pytest on PostgreSQL", [*pytest, "-m", "not browser", "--create-db"], env)
            )
        else:
            skipped.append(f"PostgreSQL run (nothing answers on {PG_HOST}:{PG_PORT})")

        if SERIAL:
            for name, cmd, env in runs:
                results[name] = run(name, cmd, env)
        else:
            results.update(
                run_side_by_side(runs, Path(stack.enter_context(tempfile.TemporaryDirectory())))
            )

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
