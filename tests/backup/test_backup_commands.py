"""backup_site, verify_backup and restore_site on SQLite, in the quick suite.

The backup is taken from the test database (files in the in-memory storages) and restored by a
separate process into a new SQLite file and new media folders, as an operator restores onto a
spare machine. The PostgreSQL round trip of a whole demo county is tests/backup/test_round_trip.py.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from portal.backup import core

# Committed data: SQLite cannot copy a database from inside the open transaction of a test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def sqlite_only():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the quick round trip restores into a SQLite file; PostgreSQL has test_round_trip.py")


@pytest.fixture
def site(cases):
    """A county with two filed applications, whose materials are in the private storage."""
    first = cases.submitted()
    second = cases.submitted(where="a1")
    storages["default"].save("documents/通知.txt", ContentFile("村务公开".encode()))
    return first, second


def _backup(tmp_path: Path) -> Path:
    output = tmp_path / "backup"
    call_command("backup_site", "--output", str(output), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return output


def test_backup_writes_dump_media_and_a_manifest_that_matches_the_site(site, tmp_path):
    output = _backup(tmp_path)
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["database"]["tables"] == core.database_checksums("default")
    assert manifest["database"]["tables"]["approvals_application"]["rows"] == 2
    private = manifest["media"]["storages"]["private"]
    assert len(private) >= 2 and all(len(entry["sha256"]) == 64 for entry in private.values())
    assert core.compare_media(manifest["media"]["storages"], core.media_checksums()) == []
    with tarfile.open(output / "media.tar") as archive:
        names = archive.getnames()
    assert sorted(names) == sorted(
        f"{alias}/{name}" for alias, files in manifest["media"]["storages"].items() for name in files
    )


def test_verify_backup_passes_and_catches_a_changed_byte(site, tmp_path, capsys):
    output = _backup(tmp_path)
    call_command("verify_backup", "--input", str(output), "--live")
    assert "verified" in capsys.readouterr().out
    data = bytearray((output / "db.dump").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (output / "db.dump").write_bytes(bytes(data))
    with pytest.raises(CommandError, match="1 mismatches"):
        call_command("verify_backup", "--input", str(output))
    assert "db.dump sha256 differs" in capsys.readouterr().out


def test_backup_refuses_a_folder_that_is_not_empty(site, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_site", "--output", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_restore_refuses_a_database_that_has_tables(site, tmp_path):
    output = _backup(tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_site", "--input", str(output))


def test_restore_into_a_new_sqlite_file_round_trips_rows_and_files(sqlite_only, site, tmp_path):
    output = _backup(tmp_path)
    target = tmp_path / "restored"
    target.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"sqlite:///{target / 'db.sqlite3'}",
        MEDIA_ROOT=str(target / "media"),
        PRIVATE_MEDIA_ROOT=str(target / "private"),
        SECRET_KEY="restore-test-" + "k" * 40,
        DEBUG="1",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "restore_site", "--input", str(output)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mismatches 0" in done.stdout and "restore_seconds = " in done.stdout

    # Checked again here, independently of the command's own verification.
    manifest = json.loads((output / "manifest.json").read_text())
    restored = sqlite3.connect(target / "db.sqlite3")
    try:
        assert core.table_checksums(restored.cursor(), "sqlite") == manifest["database"]["tables"]
    finally:
        restored.close()
    for alias, root in (("default", target / "media"), ("private", target / "private")):
        on_disk = {
            path.relative_to(root).as_posix(): core.file_sha256(path)
            for path in root.rglob("*")
            if path.is_file()
        }
        expected = {name: entry["sha256"] for name, entry in manifest["media"]["storages"][alias].items()}
        assert on_disk == expected


def test_a_member_outside_the_storages_is_refused_on_restore(tmp_path):
    archive_path = tmp_path / "media.tar"
    with tarfile.open(archive_path, "w") as archive:
        info = tarfile.TarInfo("private/../../etc/cron.d/x")
        info.size = 0
        archive.addfile(info)
    with pytest.raises(RuntimeError, match="unexpected member"):
        core.media_restore(archive_path, lambda line: None)


def test_checksums_see_a_changed_value(world):
    before = core.database_checksums("default")
    world.clerk_a.first_name = "改"
    world.clerk_a.save(update_fields=["first_name"])
    after = core.database_checksums("default")
    changed = core.compare_tables(before, after)
    assert changed == [
        f"table people_user: {before['people_user']['rows']} rows expected, {after['people_user']['rows']} found, checksum differs"
    ]
