"""Delete audit entries older than the retention period (at least 184 days)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.audit.services import MIN_RETENTION_DAYS, audit_prune


class Command(BaseCommand):
    help = "Delete audit entries older than --days (default AUDIT_RETENTION_DAYS, at least 184)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < MIN_RETENTION_DAYS:
            raise CommandError(f"--days {days} is below the minimum retention of {MIN_RETENTION_DAYS} days.")
        count = audit_prune(days=days, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"Audit log: {verb} {count} entries older than {days} days.")
