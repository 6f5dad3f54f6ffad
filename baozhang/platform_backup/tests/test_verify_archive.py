"""`baozhang backup --verify FILE` restores into a scratch database and compares the
manifest: a sound archive passes, a tampered one is caught."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def _rewrite(source: Path, target: Path, table: str, *, fix_member_sha: bool) -> None:
    """Copy the archive with one row of ``table`` changed (its first column, the id, kept)."""
    import hashlib

    with zipfile.ZipFile(source) as z:
        manifest = json.loads(z.read("manifest.json"))
        member = manifest["tables"][table]["member"]
        lines = z.read(member).decode().splitlines()
        row = json.loads(lines[0])
        row[1] = "tampered 篡改"
        lines[0] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        data = ("\n".join(lines) + "\n").encode()
        if fix_member_sha:
            manifest["tables"][table]["sha256"] = hashlib.sha256(data).hexdigest()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                if info.filename == member:
                    out.writestr(member, data)
                elif info.filename == "manifest.json":
                    out.writestr("manifest.json", json.dumps(manifest))
                else:
                    out.writestr(info, z.read(info.filename))


def test_a_sound_archive_verifies(demo_archive, make_home):
    home = make_home("sqlite")
    done = home.run("backup", "--verify", str(demo_archive))
    assert "Verified" in done.stdout
    assert "校验通过" in done.stdout


def test_a_tampered_member_is_caught(demo_archive, make_home, tmp_path):
    # Given the archive with one organisation's name changed inside its member
    tampered = tmp_path / "tampered.zip"
    _rewrite(demo_archive, tampered, "accounts_organisation", fix_member_sha=False)
    # When it is verified
    done = make_home("sqlite").run("backup", "--verify", str(tampered), ok=False)
    # Then verification fails and names the table
    assert done.returncode != 0
    assert "accounts_organisation" in done.stdout
    assert "Verification failed" in done.stderr


def test_a_tampered_row_with_a_matching_member_hash_is_caught_by_the_restore(
    demo_archive, make_home, tmp_path
):
    # Given a tampered row whose member hash was rewritten to match (only the table
    # checksum, computed from the database that wrote it, still tells)
    tampered = tmp_path / "tampered.zip"
    _rewrite(demo_archive, tampered, "accounts_organisation", fix_member_sha=True)
    # When it is verified
    done = make_home("sqlite").run("backup", "--verify", str(tampered), ok=False)
    # Then the restored table's checksum differs from the manifest's
    assert done.returncode != 0
    assert "accounts_organisation: checksum" in done.stdout
