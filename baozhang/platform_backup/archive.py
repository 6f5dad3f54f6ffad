"""The archive: one zip file, the same whichever database wrote it.

    manifest.json             format, version, when, source database, schema version
                              (the applied migrations), and per table: model, columns,
                              rows, checksum (baozhang.core.backup_manifest), member,
                              member SHA-256; per file: bytes and SHA-256
    tables/<table>.jsonl      one row a line: a JSON array of canonical values in the
                              manifest's column order
    files/media/<path>        the files under MEDIA_ROOT (attachments, raw mail)

Members are written and read as streams (zip64, deflate level 1): no table is ever held
whole in memory, and a table member is checked against its SHA-256 as it is read.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "baozhang-platform-backup"
VERSION = 1
MANIFEST = "manifest.json"


class ArchiveError(ValueError):
    """The file is not a platform backup this version can read, or it is damaged."""


class Writer:
    """Writes an archive member by member; :meth:`close` writes the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Deflate level 1: speed over size, the archive is written while people work.
        self._zip = zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        )

    def table_member(self, table: str) -> tuple[str, _HashingText]:
        name = f"tables/{table}.jsonl"
        raw = self._zip.open(name, "w", force_zip64=True)
        return name, _HashingText(raw)

    def add_file(self, archive_name: str, source: Path) -> tuple[int, str]:
        """Copy one file in; returns its size and SHA-256."""
        digest = hashlib.sha256()
        size = 0
        with (
            source.open("rb") as src,
            self._zip.open(f"files/{archive_name}", "w", force_zip64=True) as dst,
        ):
            while block := src.read(1 << 20):
                digest.update(block)
                size += len(block)
                dst.write(block)
        return size, digest.hexdigest()

    def close(self, manifest: dict[str, Any]) -> None:
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        self._zip.writestr(MANIFEST, data)
        self._zip.close()

    def abort(self) -> None:
        self._zip.close()
        self.path.unlink(missing_ok=True)


class _HashingText:
    """A text sink that writes UTF-8 lines to a zip member and hashes them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._buffer: list[bytes] = []
        self._size = 0

    def write_line(self, line: str) -> None:
        data = line.encode("utf-8") + b"\n"
        self._buffer.append(data)
        self._size += len(data)
        if self._size >= 1 << 20:
            self._flush()

    def _flush(self) -> None:
        block = b"".join(self._buffer)
        self._hash.update(block)
        self._raw.write(block)
        self._buffer, self._size = [], 0

    def close(self) -> str:
        """Finish the member; returns its SHA-256."""
        self._flush()
        self._raw.close()
        return self._hash.hexdigest()


class Reader:
    """Reads an archive written by :class:`Writer`."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path, "r")
            manifest = json.loads(self._zip.read(MANIFEST))
        except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise ArchiveError(f"{path}: not a platform backup ({exc})") from exc
        if manifest.get("format") != FORMAT:
            raise ArchiveError(f"{path}: not a platform backup (format {manifest.get('format')!r})")
        if manifest.get("version") != VERSION:
            raise ArchiveError(
                f"{path}: archive format version {manifest.get('version')!r}, "
                f"this version reads {VERSION}"
            )
        self.manifest: dict[str, Any] = manifest

    def rows(self, table: str) -> Iterator[list[Any]]:
        """The table's rows, streamed. Raises ArchiveError at the end when the member's
        SHA-256 differs from the manifest's (the rows read so far are then not to be
        trusted: restore runs in one transaction and rolls back)."""
        entry = self.manifest["tables"][table]
        digest = hashlib.sha256()
        try:
            with self._zip.open(entry["member"]) as raw:
                for line in raw:
                    digest.update(line)
                    yield json.loads(line)
        except (KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise ArchiveError(f"{entry['member']}: damaged ({exc})") from exc
        if digest.hexdigest() != entry["sha256"]:
            raise ArchiveError(f"{entry['member']}: its content differs from the manifest")

    def member_sha256(self, name: str) -> str:
        digest = hashlib.sha256()
        with self._zip.open(name) as raw:
            while block := raw.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    def extract_file(self, name: str, relative: str, target_root: Path) -> Path:
        """Write the file ``name`` of ``files/`` to ``target_root/relative``; refuses a
        ``relative`` that would leave ``target_root``."""
        parts = PurePosixPath(relative)
        if parts.is_absolute() or ".." in parts.parts or not parts.parts:
            raise ArchiveError(f"{name}: a file name outside the data folder")
        target = target_root.joinpath(*parts.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._zip.open(f"files/{name}") as src, target.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
        return target

    def close(self) -> None:
        self._zip.close()
