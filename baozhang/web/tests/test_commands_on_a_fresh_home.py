"""Every `baozhang` command on a data folder never set up (before `baozhang migrate`):
one line in both languages saying what to run and a non-zero exit where the command needs
the database, never a traceback, no empty database file left behind; `calendar` answers
from the built-in calendars.

Each command runs in its own process (as an operator runs it), with a bounded timeout. On
PostgreSQL the same is done against a new empty database made for the test."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from baozhang.cli import NOT_SET_UP

TIMEOUT = 120  # seconds per command; each answers in a few

# Commands not run here, and why.
NOT_RUN = {
    "migrate": "sets the database up (the remedy itself)",
    "up": "migrates by itself (test_up_command.py)",
    "makemigrations": "writes migration files into the source tree",
    "squashmigrations": "writes migration files into the source tree",
    "optimizemigration": "rewrites a migration file in the source tree",
    "makemessages": "rewrites the translation catalogue in the source tree",
    "compilemessages": "rewrites the compiled catalogue in the source tree",
    "startapp": "creates a source folder",
    "startproject": "creates a source folder",
    "test": "runs the test suite",
    "testserver": "creates a test database and serves until stopped",
    "runserver": "the development server, serves until stopped",
    "shell": "interactive",
    "dbshell": "interactive, needs the database's own client program",
    "collectstatic": "copies every static file (needs no database)",
    "sendtestemail": "sends mail",
}

# Arguments for a run that reaches the database (else the command's usage error).
ARGS: dict[str, list[str]] = {
    "createtoken": ["admin"],
    "revoketoken": ["bz_AbCd"],
    "changepassword": ["admin"],
    "createsuperuser": ["--noinput", "--username", "root", "--email", "root@example.com"],
    "axes_reset_ip": ["127.0.0.1"],
    "axes_reset_ip_username": ["127.0.0.1", "admin"],
    "axes_reset_username": ["admin"],
    "dumpdata": ["accounts"],
    "loaddata": ["nothing.json"],
    "flush": ["--noinput"],
    "sqlmigrate": ["accounts", "0001"],
    "sqlsequencereset": ["accounts"],
    "findstatic": ["baozhang.css"],
    "worker": ["--once"],
    "web": ["--port", "9"],
    "backup": ["-o", "{tmp}/platform.backup"],
    "restore": ["{tmp}/missing.backup"],
}

# The commands that need the platform's tables: each must say to run migrate.
NEEDS_TABLES = {
    "createtoken",
    "revoketoken",
    "listtokens",
    "changepassword",
    "createsuperuser",
    "clearsessions",
    "remove_stale_contenttypes",
    "dumpdata",
    "loaddata",
    "flush",
    "poll_mailboxes",
    "worker",
    "web",
    "probe",
    "axes_list_attempts",
    "axes_reset",
    "axes_reset_failure_logs",
    "axes_reset_ip",
    "axes_reset_ip_username",
    "axes_reset_logs",
    "axes_reset_username",
}

MAIL = b"From: someone@example.com\r\nTo: desk@example.com\r\nSubject: hello\r\n\r\nbody\r\n"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a fresh home: SQLite, or a new empty PostgreSQL database when the
    suite runs on PostgreSQL."""
    home = tmp_path_factory.mktemp("fresh-home")
    env = {**os.environ, "BAOZHANG_HOME": str(home), "DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    settings = connection.settings_dict
    params = {
        "host": settings.get("HOST") or "127.0.0.1",
        "port": int(settings.get("PORT") or 5432),
        "user": settings.get("USER") or "postgres",
    }
    name = f"bz_fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict[str, str], *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "baozhang", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        cwd=env["BAOZHANG_HOME"],
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )


def commands(env: dict[str, str]) -> list[str]:
    listed = run(env, "help", "--commands")
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.split()


def no_database_file(env: dict[str, str]) -> bool:
    return not list(Path(env["BAOZHANG_HOME"]).glob("baozhang.sqlite3*"))


def test_every_command_says_what_to_run_and_never_shows_a_traceback(
    fresh: dict[str, str], tmp_path: Path
) -> None:
    # Given a fresh home and every command the console script offers
    names = commands(fresh)
    assert {"createtoken", "revoketoken", "calendar", "worker", "web", "mail_in"} <= set(names)
    todo = [n for n in names if n not in NOT_RUN]

    def one(name: str) -> subprocess.CompletedProcess[str]:
        home = tmp_path / name  # a fresh home each, as two may run at once
        home.mkdir()
        env = {**fresh, "BAOZHANG_HOME": str(home)}
        return run(env, name, *[a.format(tmp=tmp_path) for a in ARGS.get(name, [])])

    # When each command runs (two at a time: each is mostly the interpreter starting)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(todo, pool.map(one, todo), strict=True))
    # Then no traceback, and where it needs the tables: what to run, in both languages
    failures: list[str] = []
    for name, result in results.items():
        output = result.stdout + result.stderr
        if "Traceback" in output:
            failures.append(f"{name}: traceback\n{output[-2000:]}")
        if name in NEEDS_TABLES and (result.returncode == 0 or NOT_SET_UP not in output):
            failures.append(f"{name}: exit {result.returncode}, said {output[-600:]!r}")
        # and the home is as fresh as before: no empty database file left behind
        if list((tmp_path / name).glob("baozhang.sqlite3*")):
            failures.append(f"{name}: left a database file behind")
    assert not failures, "\n".join(failures)


def test_mail_in_asks_the_mta_to_retry_and_says_to_migrate(fresh: dict[str, str]) -> None:
    # Given a fresh home, when an MTA pipes a message in
    result = run(fresh, "mail-in", stdin=MAIL)
    # Then 75 (the MTA keeps the message and retries), the line says what to run
    assert result.returncode == 75
    assert NOT_SET_UP in result.stderr and "Traceback" not in result.stderr
    assert no_database_file(fresh)


@pytest.mark.parametrize(
    ("argv", "answer"),
    [
        (["add", "cn-5x8", "2026-09-30T16:00:00+08:00", "10wd"], "2026-10-20T18:00:00+08:00\n"),
        (
            ["between", "cn-5x8", "2026-09-30T10:00:00+08:00", "2026-10-09T10:30:00+08:00"],
            "PT16H30M\n",
        ),
        (["show", "cn-5x8", "--from", "2026-10-01", "--to", "2026-10-01"], "国庆节"),
        (["add", "24x7", "2026-10-01T00:00:00+08:00", "P1DT1H"], "2026-10-02T01:00:00+08:00\n"),
    ],
)
def test_calendar_answers_from_the_built_in_calendars(
    fresh: dict[str, str], argv: list[str], answer: str
) -> None:
    # Given a fresh home, when a built-in calendar is asked
    result = run(fresh, "calendar", *argv)
    # Then it answers, without a database
    assert result.returncode == 0, result.stderr
    assert answer in result.stdout
    assert no_database_file(fresh)


def test_calendar_asked_for_an_operator_calendar_says_to_migrate(fresh: dict[str, str]) -> None:
    # Given a fresh home, when a calendar that only the database could hold is asked
    result = run(fresh, "calendar", "add", "gold", "2026-09-30T16:00:00+08:00", "PT1H")
    # Then the usual unknown-calendar error, and what to run
    assert result.returncode == 2
    assert "unknown calendar 'gold'" in result.stderr and NOT_SET_UP in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_behind_this_version_says_to_migrate(
    fresh: dict[str, str], tmp_path: Path
) -> None:
    # Given a home migrated once, then with one app's migrations undone (as after an
    # upgrade of the code without `baozhang migrate`); on SQLite whatever the suite runs on
    # (the check reads the migration table alike on both)
    env = {**fresh, "BAOZHANG_HOME": str(tmp_path), "DATABASE_URL": ""}
    assert run(env, "migrate", "--noinput", "-v0").returncode == 0
    assert run(env, "migrate", "sessions", "zero", "--noinput", "-v0").returncode == 0
    # When the worker is started
    result = run(env, "worker", "--once")
    # Then it refuses in both languages, naming what to run, without a traceback
    assert result.returncode == 78
    assert "数据库结构落后于本版本" in result.stderr and "run `baozhang migrate`" in result.stderr
    assert "Traceback" not in result.stderr
