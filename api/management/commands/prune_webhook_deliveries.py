"""Delete finished webhook deliveries older than the retention period, with their attempts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from api.webhook_services import webhook_deliveries_prune, webhook_old_secrets_forget


class Command(BaseCommand):
    help = (
        "Delete delivered and given-up webhook deliveries (and their attempts) older than --days "
        "(default CUNBAN_WEBHOOK_RETENTION_DAYS); forget rotated secrets past their grace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.CUNBAN_WEBHOOK_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 1:
            raise CommandError(f"--days {days}: keep webhook deliveries at least one day.")

        def progress(deleted: int) -> None:
            self.stdout.write(f"  {deleted} deleted…")

        count = webhook_deliveries_prune(days=days, dry_run=dry_run, progress=progress)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"Webhook deliveries: {verb} {count} finished deliveries older than {days} days.")
        if not dry_run:
            forgotten = webhook_old_secrets_forget()
            self.stdout.write(f"Webhook secrets: forgot {forgotten} replaced secrets past their grace.")
