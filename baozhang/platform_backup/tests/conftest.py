"""Homes of their own for backup and restore: each `baozhang` command runs in a child
process (bounded in time) against a SQLite file or a PostgreSQL database created for the
test and dropped after it."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 240  # seconds for one command; a migrate on a busy machine takes ~10

SEED = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "baozhang.settings"
django.setup()
from baozhang.demo import load_demo
assert load_demo() is not None
"""


@dataclass
class Home:
    path: Path
    database_url: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
        env.update(
            BAOZHANG_HOME=str(self.path), DATABASE_URL=self.database_url, BAOZHANG_BACKUP_DIR=""
        )
        return env

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "baozhang", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if ok and done.returncode != 0:
            raise AssertionError(f"baozhang {' '.join(args)}: {done.stdout}\n{done.stderr}")
        return done

    def seed_demo(self) -> None:
        self.run("migrate", "-v0")
        subprocess.run([sys.executable, "-c", SEED], env=self.env(), check=True, timeout=TIMEOUT)
        attachment = self.path / "media" / "attachments" / "2026" / "01" / "抄表 report.pdf"
        attachment.parent.mkdir(parents=True)
        attachment.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)


def manifest_of(archive: Path) -> dict[str, Any]:
    with zipfile.ZipFile(archive) as z:
        return json.loads(z.read("manifest.json"))


def figures(manifest: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {name: (t["rows"], t["checksum"]) for name, t in manifest["tables"].items()}


def _postgres_server() -> dict[str, Any] | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    return dict(connection.settings_dict)


@pytest.fixture
def make_home(tmp_path: Path) -> Iterator[Callable[[str], Home]]:
    """make_home("sqlite") or make_home("postgresql"): an empty home of its own."""
    server = _postgres_server()
    created: list[str] = []
    counter = itertools.count(1)

    def make(vendor: str) -> Home:
        n = next(counter)
        folder = tmp_path / f"home{n}"
        folder.mkdir()
        if vendor == "sqlite":
            return Home(folder, "")
        assert server is not None, "PostgreSQL homes need the PostgreSQL run"
        import psycopg

        name = f"test_bz_h5_{os.getpid()}_{n}"
        with psycopg.connect(_admin_dsn(server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        user = server["USER"] or "postgres"
        host, port = server["HOST"] or "127.0.0.1", server["PORT"] or "5432"
        return Home(folder, f"postgres://{user}@{host}:{port}/{name}")

    yield make
    if created and server is not None:
        import psycopg

        with psycopg.connect(_admin_dsn(server), autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_dsn(server: dict[str, Any]) -> str:
    return (
        f"host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432} "
        f"user={server['USER'] or 'postgres'} dbname=postgres"
    )


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data on SQLite with one attachment, backed up once for the module."""
    folder = tmp_path_factory.mktemp("demo-source")
    source = Home(folder, "")
    source.seed_demo()
    archive = folder / "demo.zip"
    source.run("backup", "-o", str(archive))
    return archive
