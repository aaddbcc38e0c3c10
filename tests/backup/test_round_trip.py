"""The restore drill of docs/backup.md, on PostgreSQL: a demo county is backed up and restored
into a fresh database and fresh media folders, each by its own `manage.py` process.

Every table's row count and checksum and every file's sha256 are compared twice: by
restore_site itself, and here, reading both databases and both folders directly. The figures
(tables, rows, files, restore time) are printed for the issue note.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from portal.backup import core

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]


def manage(args: list[str], env: dict, timeout: float = 900) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def site_env(db_url: str, root: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=db_url,
        DATABASE_CONN_MAX_AGE="0",
        MEDIA_ROOT=str(root / "media"),
        PRIVATE_MEDIA_ROOT=str(root / "private"),
        SECRET_KEY="round-trip-" + "s" * 40,
        DEBUG="1",
        CUNBAN_DEMO="1",
        STORAGE_BACKEND="local",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def checksums(db_url: str) -> dict:
    with psycopg.connect(db_url) as connection:
        return core.table_checksums(connection.cursor(), "postgresql")


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): core.file_sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_a_demo_county_round_trips_into_a_fresh_database():
    from bench.approvals import throwaway_postgres

    with (
        tempfile.TemporaryDirectory(prefix="cunban-backup-") as tmp,
        throwaway_postgres("backup_source") as source_url,
        throwaway_postgres("backup_target") as target_url,
    ):
        tmp = Path(tmp)
        source, target, backup = tmp / "source", tmp / "target", tmp / "backup"
        source_env, target_env = site_env(source_url, source), site_env(target_url, target)
        manage(["migrate", "--noinput", "-v0"], source_env)
        manage(["load_demo"], source_env)
        manage(["backup_site", "--output", str(backup)], source_env)
        started = time.monotonic()
        out = manage(["restore_site", "--input", str(backup)], target_env)
        wall = time.monotonic() - started
        assert "mismatches 0" in out and "restore verified" in out

        manifest = json.loads((backup / "manifest.json").read_text())
        before, after = checksums(source_url), checksums(target_url)
        assert core.compare_tables(before, after) == []
        assert before == manifest["database"]["tables"]
        rows = sum(table["rows"] for table in before.values())
        assert rows > 1000 and before["approvals_application"]["rows"] > 0
        files = 0
        for folder in ("media", "private"):
            expected = file_hashes(source / folder)
            assert file_hashes(target / folder) == expected
            files += len(expected)
        assert files > 0

        # The restored site works: its migrations are all applied and its checks pass.
        assert "[ ]" not in manage(["showmigrations", "--plan"], target_env)
        restore_seconds = out.split("restore_seconds = ", 1)[1].split()[0]
        print(
            f"\nbackup round trip: {len(before)} tables, {rows} rows, {files} files, "
            f"dump {(backup / core.DB_FILE).stat().st_size / 1e6:.1f} MB, "
            f"media {(backup / core.MEDIA_FILE).stat().st_size / 1e6:.1f} MB, "
            f"restore {restore_seconds} s ({wall:.1f} s with process start), 0 mismatches"
        )
