"""Back up the site: manage.py backup_site --output /var/backups/cunban/2026-12-02

Writes db.dump (pg_dump custom format, or an SQLite copy), media.tar (public media and private
documents, read through the storage API) and manifest.json (row counts and a checksum per
table, sha256 per file, versions, time). See docs/backup.md.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.backup import core


class Command(BaseCommand):
    help = "Back up the database, public media and private documents into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="A new or empty folder.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args, output: Path, database: str, **options):
        started = time.monotonic()
        try:
            with core.fresh_directory(output):
                self.stdout.write(f"database -> {output / core.DB_FILE}")
                tables = core.database_dump(database, output)
                self.stdout.write(f"  {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows")
                self.stdout.write(f"media -> {output / core.MEDIA_FILE}")
                files = core.media_archive(output, self.stdout.write)
                for alias, entries in files.items():
                    self.stdout.write(f"  {alias}: {len(entries)} files")
                manifest = {
                    "format": 1,
                    "created_at": timezone.now().isoformat(),
                    "seconds": round(time.monotonic() - started, 3),
                    "versions": {**core.software_versions(), "database": core.database_versions(database)},
                    "database": {
                        "file": core.DB_FILE,
                        "sha256": core.file_sha256(output / core.DB_FILE),
                        "tables": tables,
                    },
                    "media": {
                        "file": core.MEDIA_FILE,
                        "sha256": core.file_sha256(output / core.MEDIA_FILE),
                        "storages": files,
                    },
                }
                core.manifest_write(output, manifest)
        except (FileExistsError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"backup written to {output} in {manifest['seconds']:.1f} s"))
