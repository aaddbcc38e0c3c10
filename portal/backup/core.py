"""The backup's parts: table checksums, the database dump and restore, the media archive.

Why a checksum per table: a restore that "succeeded" can still have lost rows or altered
values (a wrong encoding, a truncated dump). Each table's rows are ordered by primary key and a
canonical text of every column is hashed, on the source when the backup is taken and on the
target after the restore, so the two can be compared table by table. The same function
(`table_checksums`) runs on both sides, on any DB-API cursor.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
import wagtail
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connections

DB_FILE = "db.dump"
MEDIA_FILE = "media.tar"
MANIFEST_FILE = "manifest.json"
# Storage aliases backed up: public media and villagers' documents (application materials,
# ledger records, printed certificate batches).
STORAGE_ALIASES = ("default", "private")
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


# --- table checksums ------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksums(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Row count and md5 of every table (public schema on PostgreSQL), ordered by primary key.

    PostgreSQL hashes in SQL: md5(string_agg(t::text, ',' ORDER BY pk)), so large tables never
    travel to Python. SQLite hashes each row's SQL literals in Python."""
    if vendor == "postgresql":
        return _pg_checksums(cursor)
    if vendor == "sqlite":
        return _sqlite_checksums(cursor)
    raise ValueError(f"unsupported database vendor {vendor!r}")


def _pg_checksums(cursor: Any) -> dict[str, dict[str, Any]]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
            [_quote(table)],
        )
        pk = [row[0] for row in cursor.fetchall()]
        # Without a primary key the row's own text is the only stable order.
        order = ", ".join(f"t.{_quote(column)}" for column in pk) if pk else "t::text"
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY {order}), '')) "  # noqa: S608
            f"FROM public.{_quote(table)} t"
        )
        rows, checksum = cursor.fetchone()
        result[table] = {"rows": rows, "checksum": checksum}
    return result


def _sqlite_checksums(cursor: Any) -> dict[str, dict[str, Any]]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f"PRAGMA table_info({_quote(table)})")
        columns = cursor.fetchall()  # cid, name, type, notnull, default, pk
        pk = [column[1] for column in sorted(columns, key=lambda c: c[5]) if column[5]]
        order = ", ".join(_quote(column) for column in pk) if pk else "rowid"
        # quote() gives each value's SQL literal as text, the same through Django's connection
        # (which converts dates and booleans by declared type) and a bare sqlite3 one.
        values = ", ".join(f"quote({_quote(column[1])})" for column in columns)
        cursor.execute(f"SELECT {values} FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
        digest, rows = hashlib.md5(usedforsecurity=False), 0
        for row in cursor.fetchall():
            if rows:
                digest.update(b",")
            digest.update(repr(tuple(row)).encode())
            rows += 1
        result[table] = {"rows": rows, "checksum": digest.hexdigest()}
    return result


def compare_tables(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Lines naming every table whose presence, row count or checksum differs."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            problems.append(f"table {table}: not in the backup")
        elif got is None:
            problems.append(f"table {table}: missing")
        elif want != got:
            problems.append(
                f"table {table}: {want['rows']} rows expected, {got['rows']} found, checksum differs"
            )
    return problems


# --- the database ---------------------------------------------------------------------------


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's environment for pg_dump/pg_restore, from the Django settings of `alias`."""
    db = connections[alias].settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGDATABASE", db.get("NAME")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGHOST", db.get("HOST")),
        ("PGPORT", str(db.get("PORT") or "")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = value  # noqa: PERF403
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def tool_version(tool: str) -> str:
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip()


def database_dump(alias: str, output: Path) -> dict[str, dict[str, Any]]:
    """Write the database to output/db.dump and return its table checksums, both of one instant.

    On PostgreSQL the checksums are taken in a REPEATABLE READ transaction whose snapshot is
    handed to pg_dump (--snapshot), so the dump and the manifest describe the same data even
    while the site keeps taking writes. On SQLite the backup API copies a consistent image and
    the checksums are read from that copy."""
    connection = connections[alias]
    connection.ensure_connection()
    target = output / DB_FILE
    if connection.vendor == "postgresql":
        import psycopg

        env = _pg_env(alias)
        with psycopg.connect(
            dbname=env.get("PGDATABASE"),
            user=env.get("PGUSER"),
            password=env.get("PGPASSWORD"),
            host=env.get("PGHOST"),
            port=env.get("PGPORT"),
        ) as raw:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = raw.execute("SELECT pg_export_snapshot()").fetchone()[0]
            tables = table_checksums(raw.cursor(), "postgresql")
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], env)
            raw.rollback()
        return tables
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            return table_checksums(copy.cursor(), "sqlite")
        finally:
            copy.close()
    raise RuntimeError(f"unsupported database vendor {connection.vendor!r}")


def database_checksums(alias: str) -> dict[str, dict[str, Any]]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return table_checksums(cursor, connection.vendor)


def database_is_empty(alias: str) -> bool:
    return not connections[alias].introspection.table_names(include_views=True)


def database_restore(alias: str, source: Path, *, force: bool) -> None:
    """Load db.dump into the database of `alias`: pg_restore in one transaction, or the SQLite
    backup API, which replaces the target's whole content."""
    connection = connections[alias]
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore works on its own connection
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if force:
            command += ["--clean", "--if-exists"]
        env = _pg_env(alias)
        _run([*command, f"--dbname={env.get('PGDATABASE', '')}", str(source)], env)
        return
    if connection.vendor == "sqlite":
        dump = sqlite3.connect(source)
        try:
            dump.backup(connection.connection)
        finally:
            dump.close()
        return
    raise RuntimeError(f"unsupported database vendor {connection.vendor!r}")


def database_versions(alias: str) -> dict[str, str]:
    connection = connections[alias]
    connection.ensure_connection()
    versions = {"vendor": connection.vendor}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            versions["server"] = cursor.fetchone()[0]
        versions["pg_dump"] = tool_version("pg_dump")
    else:
        versions["server"] = sqlite3.sqlite_version
    return versions


# --- media ----------------------------------------------------------------------------------


def storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file's name in a storage, through the storage API (local disk, S3, memory)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(directories):
        yield from storage_files(storage, f"{directory}/{sub}" if directory else sub)


def _sha256(handle: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        if isinstance(chunk, str):
            chunk = chunk.encode()
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256(handle)[0]


def media_checksums() -> dict[str, dict[str, dict[str, Any]]]:
    """sha256 and size of every file of every backed-up storage, as they are now."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for alias in STORAGE_ALIASES:
        storage = storages[alias]
        result[alias] = {}
        for name in storage_files(storage):
            with storage.open(name, "rb") as handle:
                sha, size = _sha256(handle)
            result[alias][name] = {"sha256": sha, "size": size}
    return result


class _HashingReader:
    """A file wrapper that hashes what tarfile reads through it."""

    def __init__(self, handle: Any):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        if isinstance(chunk, str):
            chunk = chunk.encode()
        self.digest.update(chunk)
        return chunk


def media_archive(output: Path, progress: Progress) -> dict[str, dict[str, dict[str, Any]]]:
    """Write every stored file into output/media.tar as `<storage alias>/<name>`."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    count = 0
    with tarfile.open(output / MEDIA_FILE, "w") as archive:
        for alias in STORAGE_ALIASES:
            storage = storages[alias]
            result[alias] = {}
            for name in storage_files(storage):
                info = tarfile.TarInfo(f"{alias}/{name}")
                info.size = storage.size(name)
                # Streamed in chunks and hashed on the way: a scan never sits whole in memory.
                with storage.open(name, "rb") as handle:
                    reader = _HashingReader(handle)
                    archive.addfile(info, reader)
                result[alias][name] = {"sha256": reader.digest.hexdigest(), "size": info.size}
                count += 1
                if count % 100 == 0:
                    progress(f"  {count} files")
    return result


def media_restore(source: Path, progress: Progress) -> int:
    """Put every archived file back under its own name; an existing file of that name is
    replaced (storages rename on collision, which would break the database's references)."""
    count = 0
    with tarfile.open(source, "r") as archive:
        for member in archive:
            if not member.isfile():
                continue
            alias, _, name = member.name.partition("/")
            if alias not in STORAGE_ALIASES or not name or ".." in name.split("/"):
                raise RuntimeError(f"unexpected member {member.name!r} in {source}")
            storage = storages[alias]
            data = archive.extractfile(member).read()
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(data))
            if saved != name:
                raise RuntimeError(f"{alias}: {name} was stored as {saved}")
            count += 1
            if count % 100 == 0:
                progress(f"  {count} files")
    return count


def compare_media(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Lines naming every backed-up file that is missing or differs (extra files are allowed)."""
    problems = []
    for alias, files in expected.items():
        present = actual.get(alias, {})
        for name, want in files.items():
            got = present.get(name)
            if got is None:
                problems.append(f"{alias}: {name} missing")
            elif got["sha256"] != want["sha256"]:
                problems.append(f"{alias}: {name} sha256 differs")
    return problems


# --- the manifest ---------------------------------------------------------------------------


def software_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
    }


def manifest_write(output: Path, manifest: dict) -> None:
    (output / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))


def manifest_read(directory: Path) -> dict:
    return json.loads((directory / MANIFEST_FILE).read_text())


def add_input_arguments(parser) -> None:
    """--input and --database, as restore_site and verify_backup both read them."""
    parser.add_argument("--input", required=True, type=Path, help="A folder written by backup_site.")
    parser.add_argument("--database", default="default", help="Database alias (default: default).")


def compare_live(manifest: dict, alias: str) -> list[str]:
    """Every difference between the manifest and the site as it is now (database and storages)."""
    problems = compare_tables(manifest["database"]["tables"], database_checksums(alias))
    return problems + compare_media(manifest["media"]["storages"], media_checksums())


def backup_verify_files(directory: Path) -> list[str]:
    """Check a backup folder on its own: the dump's and archive's sha256 and every archived
    file against the manifest. Needs no database."""
    manifest = manifest_read(directory)
    problems = []
    for part in ("database", "media"):
        entry = manifest[part]
        path = directory / entry["file"]
        if not path.exists():
            problems.append(f"{entry['file']} missing")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"{entry['file']} sha256 differs from the manifest")
    media_path = directory / manifest["media"]["file"]
    if media_path.exists():
        archived: dict[str, dict[str, dict]] = {}
        with tarfile.open(media_path, "r") as archive:
            for member in archive:
                if member.isfile():
                    alias, _, name = member.name.partition("/")
                    sha, size = _sha256(archive.extractfile(member))
                    archived.setdefault(alias, {})[name] = {"sha256": sha, "size": size}
        problems += compare_media(manifest["media"]["storages"], archived)
    return problems


@contextmanager
def fresh_directory(path: Path) -> Iterator[Path]:
    """The output folder, created; a partial backup is removed if writing it fails."""
    existed = path.exists()
    if existed and any(path.iterdir()):
        raise FileExistsError(f"{path} is not empty")
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    except BaseException:
        if not existed:
            shutil.rmtree(path, ignore_errors=True)
        raise
