"""Check a backup folder: manage.py verify_backup --input DIR [--live]

Without --live it checks the files alone (the dump's and archive's sha256, every archived
file); with --live it also compares the current database and storages with the manifest, as a
restore drill does after restore_site.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import core


class Command(BaseCommand):
    help = "Verify a backup_site folder against its manifest (and, with --live, the running site)."

    def add_arguments(self, parser):
        core.add_input_arguments(parser)
        parser.add_argument(
            "--live", action="store_true", help="Also compare the current database and media with it."
        )

    def handle(self, *args, input: Path, database: str, live: bool, **options):
        problems = core.backup_verify_files(input)
        manifest = core.manifest_read(input)
        if live:
            problems += core.compare_live(manifest, database)
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} mismatches")
        self.stdout.write(self.style.SUCCESS(f"backup of {manifest['created_at']} verified"))
