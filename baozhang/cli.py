"""The `baozhang` console script: a thin wrapper over Django's management commands.

baozhang up [--demo]        web + worker in one process (the embedded default)
baozhang web / worker       one role each, for many processes on many hosts
baozhang createtoken USER   a new API token, printed once (listtokens, revoketoken PREFIX)
baozhang <any manage.py command>

Every command meets a data folder that was never set up (no `baozhang migrate` yet) with
one line in both languages saying what to run, and a non-zero exit, never a traceback:

- the project's commands that need the platform's tables derive from
  :class:`SchemaCommand`, which checks before the command starts (the long-running roles,
  `web`, `worker` and `probe`, refuse to start rather than serve errors or retry for ever);
- the commands of Django and of the libraries that read their own tables (`changepassword`,
  `axes_reset` …) are checked here by name, before they run;
- anything else that fails is told in one line (`--traceback` shows the traceback), and a
  database failure is first checked against the schema.

On SQLite a missing database file means "not set up" without opening it, and a command
that failed leaves no empty database file behind. `calendar` needs no database for the
built-in calendars (it answers from them).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, SystemCheckError

EX_CONFIG = 78  # sysexits.h: a configuration error (the database not set up)

NOT_SET_UP = (
    "数据库尚未初始化：请先运行 baozhang migrate（或 baozhang up，它会自动完成）。 / "
    "The database is not set up yet: run `baozhang migrate` first (or `baozhang up`, "
    "which does it by itself)."
)
BEHIND = (
    "数据库结构落后于本版本（{n} 个迁移未应用）：请运行 baozhang migrate。 / "
    "The database schema is behind this version ({n} migrations not applied): "
    "run `baozhang migrate`."
)

# Commands of Django and of libraries that read their own tables, checked before they run.
_THEIR_COMMANDS_NEEDING_TABLES = frozenset(
    {
        "changepassword",
        "clearsessions",
        "createsuperuser",
        "dumpdata",
        "flush",
        "loaddata",
        "remove_stale_contenttypes",
    }
)
_HELP_FLAGS = frozenset({"-h", "--help", "--version"})


class SchemaNotReady(SystemCheckError):
    """The database lacks the platform's tables (or some migrations): run migrate.

    A SystemCheckError, which is a CommandError that Django prints as it is (no class
    name in front), then exits with ``returncode``."""


def sqlite_file() -> Path | None:
    """The default database's file when it is SQLite on a file, else None."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = str(db.get("NAME") or "")
    if not db["ENGINE"].endswith("sqlite3") or not name or name.startswith(("file:", ":memory:")):
        return None
    return Path(name)


def schema_problem(*, migrations: bool = True) -> str | None:
    """None when the default database holds the platform's tables, else the bilingual line
    that says what to run.

    With ``migrations`` every migration of this version must be applied too (about 0.2 s
    to load them); without, only the migration table is looked for (the database was
    migrated at least once). On SQLite a missing file is "not set up" without creating it.
    A database that cannot be reached at all raises Django's OperationalError.
    """
    path = sqlite_file()
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return NOT_SET_UP
    from django.db import connections

    connection = connections["default"]
    if "django_migrations" not in connection.introspection.table_names():
        return NOT_SET_UP
    if not migrations:
        return None
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return BEHIND.format(n=len(pending)) if pending else None


def require_schema(command: str, *, migrations: bool = True, returncode: int = EX_CONFIG) -> None:
    """Raise :class:`SchemaNotReady` (a CommandError: one line, exit ``returncode``) unless
    the database is set up (see :func:`schema_problem`)."""
    problem = schema_problem(migrations=migrations)
    if problem is not None:
        raise SchemaNotReady(f"baozhang {command}: {problem}", returncode=returncode)


def wait_for_database(command: str, *, max_wait: float = 10.0) -> None:
    """Return once the default database answers; until then log once that it is away and
    retry with a growing pause (at most ``max_wait`` seconds), as the roles do when the
    database goes away while they run (baozhang/outage.py)."""
    import logging
    import time

    from django.db import connections

    from baozhang.outage import OutageLog, is_database_unavailable

    if connections["default"].vendor == "sqlite":
        return  # a file on this host: nothing to wait for (and opening it would create it)
    outage = OutageLog(logging.getLogger(f"baozhang.{command}"), f"baozhang {command}")
    pause = 0.5
    while True:
        try:
            connections["default"].ensure_connection()
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            outage.failed(exc)
            connections["default"].close()
            time.sleep(pause)
            pause = min(pause * 2, max_wait)
            continue
        outage.succeeded()
        return


# How each long-running role holds its PostgreSQL connections unless the environment says
# otherwise (docs/deploy.md): the web role shares psycopg's pool among the threads of a
# process (ASGI runs each request on a thread of its own); the worker keeps
# one connection per thread (its threads are few and fixed).
ROLE_DEFAULTS = {
    "web": {"DATABASE_POOL_MAX": "8"},
    "worker": {"DATABASE_CONN_MAX_AGE": "600"},
}
# The worker's sender threads hold their connections for good, so a pool would have to be
# larger than its concurrency; it never takes one, whatever the environment says.
ROLE_FORCED = {"worker": {"DATABASE_POOL_MAX": "0"}}


def hold_connections(role: str) -> None:
    """Apply ``role``'s defaults for holding database connections to this process and,
    through the environment, to the processes it starts (settings.hold_connections).
    Nothing for SQLite."""
    from django.conf import settings
    from django.db import connections

    from baozhang import settings as settings_module

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith(("postgresql", "pgpool")):
        return
    for name, value in ROLE_DEFAULTS.get(role, {}).items():
        os.environ.setdefault(name, value)
    os.environ.update(ROLE_FORCED.get(role, {}))
    # Each role's connections are told apart in pg_stat_activity (docs/deploy.md).
    os.environ.setdefault("DATABASE_APPLICATION_NAME", f"baozhang {role}")
    connections["default"].close()
    settings_module.hold_connections(db)


class SchemaCommand(BaseCommand):
    """A command that reads or writes the platform's tables: before it starts, the
    database must be set up and migrated, else one bilingual line and exit 78."""

    #: A long-running role (web, worker, probe) started while the database cannot be
    #: reached waits for it, saying so once, as it does when the database goes away later;
    #: a one-shot command fails at once.
    waits_for_database = False

    def needs_schema(self, options: dict[str, Any]) -> bool:
        """Whether this run needs the database (a probe agent talks to a server instead)."""
        return True

    def execute(self, *args: Any, **options: Any) -> Any:
        if self.needs_schema(options):
            name = self.__module__.rsplit(".", 1)[-1]
            if self.waits_for_database:
                wait_for_database(name)
            require_schema(name)
            from django.db import connections

            # Not kept open, idle, by the main thread of a long-running role (a caller's
            # transaction, as in tests, keeps its connection).
            if not connections["default"].in_atomic_block:
                connections["default"].close()
        return super().execute(*args, **options)


def _has_no_tables(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            (count,) = db.execute("select count(*) from sqlite_master").fetchone()
        return bool(count == 0)
    except sqlite3.Error:
        return False


def _drop_if_empty(path: Path) -> None:
    """Remove a database file this run created and left without a single table (with its
    -wal and -shm files), so that a failed command leaves the data folder as it was."""
    from django.db import connections

    connections.close_all()
    if path.exists() and _has_no_tables(path):
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def _fail(command: str, exc: Exception) -> int:
    """One line on standard error for an exception that escaped a command; the status."""
    from django.db import DatabaseError

    problem = None
    if isinstance(exc, DatabaseError):
        try:
            problem = schema_problem(migrations=False)
        except DatabaseError:
            problem = None
    if problem is not None:
        sys.stderr.write(f"baozhang {command}: {problem}\n")
        return EX_CONFIG
    sys.stderr.write(
        f"baozhang {command}: 出错：{_first_line(exc)}（加 --traceback 可查看详情） / "
        f"failed: {_first_line(exc)} (add --traceback for details)\n"
    )
    return 1


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["baozhang", *argv])
    args[0] = "baozhang"
    if args[1:2] == ["mail-in"]:  # the name an MTA's pipe uses; Django's is mail_in
        args[1] = "mail_in"
    command = args[1] if len(args) > 1 else ""
    if command == "export_openapi_schema" and not any(a.startswith("--api") for a in args):
        # django-ninja looks for an API at /api/; ours is at /api/v1/.
        args += ["--api", "baozhang.api_site.api"]
    database = sqlite_file()
    existed = database is not None and database.exists()
    try:
        if (
            command in _THEIR_COMMANDS_NEEDING_TABLES or command.startswith("axes_")
        ) and not _HELP_FLAGS.intersection(args):
            problem = schema_problem(migrations=False)
            if problem is not None:
                sys.stderr.write(f"baozhang {command}: {problem}\n")
                sys.exit(EX_CONFIG)
        execute_from_command_line(args)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if "--traceback" in args:
            raise
        sys.exit(_fail(command, exc))
    finally:
        if database is not None and not existed:
            _drop_if_empty(database)


# -- a progress bar for long commands ---------------------------------------------------
# On a terminal only (docs/decisions.md: a few lines rather than a new dependency). When the
# stream is not a TTY (a pipe, a file, a test, a periodic job's log) it writes nothing.

PROGRESS_WIDTH = 24


class Progress:
    """``total`` steps; :meth:`step` before each, :meth:`done` at the end. Redraws one line
    with ``\\r``: ``[########----------------] 1/3 统计 / statistics 0.4 s``."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.shown = bool(getattr(stream, "isatty", lambda: False)())
        self.count = 0
        self.started = time.monotonic()

    def _draw(self, label: str) -> None:
        if not self.shown:
            return
        filled = PROGRESS_WIDTH * min(self.count, self.total) // self.total
        elapsed = time.monotonic() - self.started
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.count}/{self.total} {label} {elapsed:.1f} s\033[K")
        self.stream.flush()

    def step(self, label: str) -> None:
        self._draw(label)
        self.count += 1

    def done(self) -> None:
        self.count = self.total
        self._draw("")
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


if __name__ == "__main__":
    main()
