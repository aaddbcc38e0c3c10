"""Restore a backup into an empty database: manage.py restore_site --input DIR [--force]

Loads db.dump and media.tar, then compares every table's row count and checksum and every
file's sha256 with the manifest, prints the result and the restore time, and fails if anything
differs. See docs/backup.md for the restore drill.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import core


class Command(BaseCommand):
    help = "Restore a backup_site folder into an empty database and verify it against its manifest."
    # The target database is empty until the restore: checks that query it would fail.
    requires_system_checks = []

    def add_arguments(self, parser):
        core.add_input_arguments(parser)
        parser.add_argument(
            "--force", action="store_true", help="Restore even though the database already has tables."
        )

    def handle(self, *args, input: Path, database: str, force: bool, **options):
        problems = core.backup_verify_files(input)
        if problems:
            raise CommandError("the backup is damaged:\n" + "\n".join(problems))
        manifest = core.manifest_read(input)
        if not force and not core.database_is_empty(database):
            raise CommandError("the target database is not empty; restore into a new one or pass --force")
        started = time.monotonic()
        try:
            self.stdout.write("database ...")
            core.database_restore(database, input / core.DB_FILE, force=force)
            db_seconds = time.monotonic() - started
            self.stdout.write(f"  {db_seconds:.1f} s")
            self.stdout.write("media ...")
            count = core.media_restore(input / core.MEDIA_FILE, self.stdout.write)
            self.stdout.write(f"  {count} files")
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        self.stdout.write("verifying ...")
        problems = core.compare_live(manifest, database)
        tables = manifest["database"]["tables"]
        self.stdout.write(
            f"tables {len(tables)}, rows {sum(t['rows'] for t in tables.values())}, "
            f"files {sum(len(f) for f in manifest['media']['storages'].values())}, mismatches {len(problems)}"
        )
        self.stdout.write(f"restore_seconds = {seconds:.2f}")
        if problems:
            raise CommandError("restored data differs from the manifest:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS("restore verified"))
