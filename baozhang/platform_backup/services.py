"""Backup, restore and verification of the whole platform (M2), and the periodic backup.

- :func:`backup` writes every table (one read transaction: REPEATABLE READ, read-only on
  PostgreSQL; one deferred read transaction on SQLite, which in WAL mode sees one
  snapshot and blocks no writer) and the files under MEDIA_ROOT into one archive.
- :func:`restore` loads an archive into the default database: empty, or replaced when
  told. One transaction, foreign-key checks deferred to its commit, ids as they were,
  PostgreSQL sequences moved past them, then the schema brought up to this version.
- :func:`verify` checks each member against the manifest, restores the archive into a
  scratch SQLite database in a child process and compares counts and checksums.
- :func:`run_scheduled_backup` is the worker's periodic backup with retention; each run
  is reported to a push monitor of the platform itself.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import django
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend
from django.utils import timezone

from baozhang.core.backup_manifest import Difference, TableDigest, compare_manifests, row_line
from baozhang.events.announce import announce
from baozhang.platform_backup import archive, tables
from baozhang.platform_backup.topics import BACKUP_DONE

log = logging.getLogger(__name__)

BATCH = 2000
ARCHIVE_PREFIX = "baozhang-backup-"


class BackupError(Exception):
    """Refused or failed, with a message for the operator in both languages."""


class NotEmptyError(BackupError):
    def __init__(self, holding: Sequence[str]) -> None:
        self.tables = list(holding)
        shown = ", ".join(self.tables[:8]) + (" …" if len(self.tables) > 8 else "")
        super().__init__(
            f"目标数据库已有数据（{shown}），未恢复；确需覆盖请加 --replace。\n"
            f"The target database already holds data ({shown}); nothing restored. "
            "Add --replace to overwrite it."
        )


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, table: str, rows: int) -> None: ...
    def finish(self) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass

    def finish(self) -> None:
        pass


# ---------------------------------------------------------------------------- reading


@contextlib.contextmanager
def _snapshot(source: str = "default") -> Iterator[str]:
    """A connection of its own, in one read transaction for all tables; yields its alias."""
    alias = f"platform_backup_read_{threading.get_ident()}"
    config = copy.deepcopy(connections[source].settings_dict)
    if config["ENGINE"].endswith("sqlite3"):
        # BEGIN DEFERRED: a reader takes no write lock (the default's IMMEDIATE would
        # hold every writer off for the whole backup).
        config["OPTIONS"].pop("transaction_mode", None)
    # A connection object of our own, registered for this thread only, so that the ORM
    # finds it by alias (Django's "dynamically created connection"; not in settings).
    conn = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    setattr(connections._connections, alias, conn)
    try:
        conn.ensure_connection()
        with transaction.atomic(using=alias):
            if conn.vendor == "postgresql":
                with conn.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield alias
    finally:
        with contextlib.suppress(Exception):
            conn.close()
        with contextlib.suppress(AttributeError):
            delattr(connections._connections, alias)


def _applied_migrations(alias: str) -> list[list[str]]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [[app, name] for app, name in cursor.fetchall()]


def _check_migrated(alias: str) -> None:
    existing = set(connections[alias].introspection.table_names())
    missing = [t.name for t in tables.all_tables() if t.name not in existing]
    if "django_migrations" not in existing or missing:
        raise BackupError(
            "数据库尚未建表或未迁移完毕：请先运行 baozhang migrate。\n"
            "The database is not migrated: run `baozhang migrate` first."
        )


def _digest_table(
    table: tables.Table, alias: str, progress: Progress, sink: Any = None
) -> TableDigest:
    digest = TableDigest()
    pending = 0
    for row in tables.read_rows(table, alias, BATCH):
        line = row_line(row)
        digest.add(line)
        if sink is not None:
            sink.write_line(line)
        pending += 1
        if pending == BATCH:
            progress.advance(table.name, pending)
            pending = 0
    progress.advance(table.name, pending)
    return digest


def database_manifest(alias: str = "default", progress: Progress | None = None) -> dict[str, Any]:
    """Rows and checksum of every table as the database holds them now, in the
    manifest's form (``{"tables": {name: {"rows", "checksum"}}, "migrations": […]}``)."""
    progress = progress or _Silent()
    with _snapshot(alias) as read:
        out: dict[str, Any] = {"migrations": _applied_migrations(read), "tables": {}}
        for t in tables.all_tables():
            d = _digest_table(t, read, progress)
            out["tables"][t.name] = {"rows": d.rows, "checksum": d.checksum}
    return out


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return [
        ("media/" + p.relative_to(root).as_posix(), p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]


def backup(
    path: Path, *, progress: Progress | None = None, include_files: bool = True
) -> dict[str, Any]:
    """Write the whole platform to ``path`` (written beside it, then renamed, so that a
    half-written archive never takes its name). Returns the manifest.

    Raises BackupError when the database is not migrated."""
    progress = progress or _Silent()
    path = Path(path)
    part = path.with_name(path.name + ".part")
    writer = archive.Writer(part)
    try:
        manifest = _write_snapshot(writer, progress, include_files)
        writer.close(manifest)
    except BaseException:
        writer.abort()
        raise
    os.replace(part, path)
    return manifest


def _write_snapshot(writer: archive.Writer, progress: Progress, files: bool) -> dict[str, Any]:
    all_tables = tables.all_tables()
    with _snapshot() as alias:
        _check_migrated(alias)
        vendor = connections[alias].vendor
        created = timezone.now()
        progress.start(sum(tables.count_rows(t, alias) for t in all_tables))
        manifest: dict[str, Any] = {
            "format": archive.FORMAT,
            "version": archive.VERSION,
            "created_at": created.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "source": {"vendor": vendor, "django": django.get_version()},
            "migrations": _applied_migrations(alias),
            "tables": {},
            "files": {},
        }
        for t in all_tables:
            member, sink = writer.table_member(t.name)
            digest = _digest_table(t, alias, progress, sink)
            manifest["tables"][t.name] = {
                "model": t.label,
                "columns": t.columns,
                "rows": digest.rows,
                "checksum": digest.checksum,
                "member": member,
                "sha256": sink.close(),
            }
    # Files after the snapshot: a file a row names was written before its row committed.
    if files:
        for name, source in _media_files():
            size, sha = writer.add_file(name, source)
            manifest["files"][name] = {"bytes": size, "checksum": sha}
    progress.finish()
    return manifest


# ---------------------------------------------------------------------------- restoring


@dataclass
class RestoreResult:
    tables: int = 0
    rows: int = 0
    files: int = 0
    migrated_after: bool = False
    differences: list[Difference] = field(default_factory=list)


def _targets(reader: archive.Reader, executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """The migration each app stood at when the archive was written (None: not at all).
    Raises BackupError for migrations this version does not know (a newer version wrote
    the archive)."""
    graph = executor.loader.graph
    applied = {(a, n) for a, n in reader.manifest["migrations"]}
    known_apps = {app for app, _ in graph.nodes}
    unknown = sorted(
        f"{a}.{n}" for a, n in applied if a in known_apps and (a, n) not in graph.nodes
    )
    if unknown:
        raise BackupError(
            "备份来自更新的版本（未知的迁移："
            + ", ".join(unknown[:5])
            + "），请先升级保障平台。\nThe archive was written by a newer version (unknown "
            "migrations: " + ", ".join(unknown[:5]) + "); upgrade Baozhang first."
        )
    out: list[tuple[str, str | None]] = []
    for app in sorted(known_apps):
        mine = {key for key in applied if key[0] == app}
        leaves = [
            key for key in mine if not any(child in mine for child in graph.node_map[key].children)
        ]
        if not leaves:
            out.append((app, None))
        for key in sorted(leaves):
            out.append(key)
    return out


def _migrate_to(targets: list[tuple[str, str | None]]) -> bool:
    """Bring the default database to the archive's schema; True if anything ran."""
    connection = connections["default"]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    if not plan:
        return False
    executor.migrate(targets, plan=plan)
    return True


def restore(
    path: Path,
    *,
    replace: bool = False,
    files: bool = True,
    to_current_schema: bool = True,
    progress: Progress | None = None,
) -> RestoreResult:
    """Load the archive at ``path`` into the default database and MEDIA_ROOT.

    The database must be empty (only what `migrate` writes by itself) unless ``replace``;
    it is first brought to the archive's schema version (created if it has no tables),
    and afterwards, with ``to_current_schema``, to this version's. Raises NotEmptyError,
    BackupError, or archive.ArchiveError (nothing is then changed in the database)."""
    progress = progress or _Silent()
    reader = archive.Reader(Path(path))
    try:
        return _restore(reader, replace, files, to_current_schema, progress)
    finally:
        reader.close()


def _restore(
    reader: archive.Reader, replace: bool, files: bool, to_current: bool, progress: Progress
) -> RestoreResult:
    connection = connections["default"]
    known = {t.name: t for t in tables.all_tables()}
    entries: dict[str, Any] = reader.manifest["tables"]
    strange = sorted(set(entries) - set(known))
    if strange:
        raise BackupError(
            "备份中有本版本没有的数据表：" + ", ".join(strange[:8]) + "\n"
            "The archive holds tables this version does not have: " + ", ".join(strange[:8])
        )
    if "django_migrations" in connection.introspection.table_names():
        holding = tables.tables_holding_data()
        if holding and not replace:
            raise NotEmptyError(holding)
    executor = MigrationExecutor(connection)
    targets = _targets(reader, executor)
    _migrate_to(targets)

    result = RestoreResult()
    existing = set(connection.introspection.table_names())
    present = [t for t in known.values() if t.name in existing]
    order = [t for t in tables.all_tables() if t.name in entries]
    progress.start(sum(int(entries[t.name]["rows"]) for t in order))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        tables.wipe(present, connection)
        for t in order:
            writer = tables.RowWriter(t, entries[t.name]["columns"], connection)
            batch: list[list[Any]] = []
            for row in reader.rows(t.name):
                batch.append(row)
                if len(batch) == BATCH:
                    tables.insert_rows(writer, batch)
                    progress.advance(t.name, len(batch))
                    result.rows += len(batch)
                    batch = []
            if batch:
                tables.insert_rows(writer, batch)
                progress.advance(t.name, len(batch))
                result.rows += len(batch)
            result.tables += 1
        tables.reset_sequences(order, connection)
    if files:
        root = Path(settings.MEDIA_ROOT)
        for name in reader.manifest.get("files", {}):
            if name.startswith("media/"):
                reader.extract_file(name, name.removeprefix("media/"), root)
                result.files += 1
    progress.finish()
    if to_current:
        plan = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        if plan:
            call_command("migrate", verbosity=0, interactive=False)
            result.migrated_after = True
    return result


# ---------------------------------------------------------------------------- verifying


def compare_with_database(manifest: dict[str, Any], alias: str = "default") -> list[Difference]:
    """Differences between an archive's manifest and what the database now holds."""
    found = database_manifest(alias)
    return compare_manifests(manifest["tables"], found["tables"])


def check_members(reader: archive.Reader) -> list[Difference]:
    """Each table member's and file's SHA-256 against the manifest."""
    out: list[Difference] = []
    for name, entry in sorted(reader.manifest["tables"].items()):
        try:
            sha = reader.member_sha256(entry["member"])
        except KeyError:
            out.append(Difference(name, "missing", "present", "absent"))
            continue
        if sha != entry["sha256"]:
            out.append(Difference(name, "member", entry["sha256"], sha))
    for name, entry in sorted(reader.manifest.get("files", {}).items()):
        try:
            sha = reader.member_sha256(f"files/{name}")
        except KeyError:
            out.append(Difference(name, "missing", "present", "absent"))
            continue
        if sha != entry["checksum"]:
            out.append(Difference(name, "checksum", entry["checksum"], sha))
    return out


def verify(path: Path, *, timeout: float | None = None) -> list[Difference]:
    """Check the archive at ``path``: its members against the manifest, then a restore
    into a scratch SQLite database (a child process with a home of its own, whatever the
    database that wrote the archive) compared table by table. Returns the differences,
    empty when the archive restores to exactly what it records.

    Raises archive.ArchiveError when the file is not a readable platform backup."""
    reader = archive.Reader(Path(path))
    try:
        differences = check_members(reader)
    finally:
        reader.close()
    if differences:
        return differences  # a damaged member would stop the restore half-way
    with tempfile.TemporaryDirectory(prefix="baozhang-verify-") as home:
        report = Path(home) / "report.json"
        env = {**os.environ, "BAOZHANG_HOME": home, "DATABASE_URL": "", "BAOZHANG_BACKUP_DIR": ""}
        env.pop("DATABASE_URL_FILE", None)
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "baozhang",
                "restore",
                str(Path(path).resolve()),
                "--no-files",
                "--keep-schema",
                "--check-report",
                str(report),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if not report.exists():
            raise BackupError(
                "临时库恢复失败 / The restore into a scratch database failed:\n"
                + (child.stderr or child.stdout)[-4000:]
            )
        rows = json.loads(report.read_text(encoding="utf-8"))
    return [Difference(**r) for r in rows]


# ---------------------------------------------------------------------------- schedule


def archives_in(folder: Path) -> list[Path]:
    """The periodic job's archives in ``folder``, oldest first (by the time in the name)."""
    return sorted(folder.glob(f"{ARCHIVE_PREFIX}*.zip"))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives; returns the deleted paths."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    old = archives_in(folder)[:-keep]
    for p in old:
        p.unlink(missing_ok=True)
    return old


def _archive_time(p: Path) -> dt.datetime | None:
    stamp = p.stem.removeprefix(ARCHIVE_PREFIX)
    try:
        return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def backup_due(folder: Path, every: dt.timedelta, now: dt.datetime) -> bool:
    """True when the newest archive in ``folder`` is at least ``every`` old (a minute's
    leeway, the worker's look-in interval) or there is none."""
    times = [t for t in map(_archive_time, archives_in(folder)) if t is not None]
    return not times or now - max(times) >= every - dt.timedelta(minutes=1)


def _heartbeat(
    ok: bool, message: str, now: dt.datetime, size: int | None = None, checksum: str = ""
) -> None:
    """Announce how the backup went (BACKUP_DONE): monitoring, which subscribes, reports
    it to the push monitor whose token BAOZHANG_BACKUP_HEARTBEAT names. The backup reads
    every table through the app registry and imports no area."""
    announce(BACKUP_DONE, ok=ok, message=message, at=now, size=size, checksum=checksum)


def run_scheduled_backup(now: dt.datetime | None = None, *, force: bool = False) -> Path | None:
    """One look by the periodic job: when a backup is due in BAOZHANG_BACKUP_DIR (or
    ``force``), write one, keep the newest BAOZHANG_BACKUP_KEEP and report to the
    heartbeat monitor. Returns the new archive, or None when none was due or another
    process on this host holds the folder's lock. A failed backup is reported as a
    failing ping, then raised."""
    folder = Path(settings.BAOZHANG_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    now = now or timezone.now()
    every = dt.timedelta(seconds=settings.BAOZHANG_BACKUP_EVERY)
    with (folder / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        if not force and not backup_due(folder, every, now):
            return None
        path = folder / f"{ARCHIVE_PREFIX}{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.zip"
        try:
            manifest = backup(path)
        except Exception as exc:
            _heartbeat(False, f"backup failed: {type(exc).__name__}: {exc}"[:300], now)
            raise
        rows = sum(t["rows"] for t in manifest["tables"].values())
        prune(folder, settings.BAOZHANG_BACKUP_KEEP)
        digest = hashlib.sha256()
        with path.open("rb") as archive:
            for block in iter(lambda: archive.read(1 << 20), b""):
                digest.update(block)
        _heartbeat(
            True,
            f"{path.name}: {rows} rows, {len(manifest['files'])} files",
            now,
            size=path.stat().st_size,
            checksum=f"sha256:{digest.hexdigest()}",
        )
        log.info("platform backup written: %s (%d rows)", path, rows)
        return path
