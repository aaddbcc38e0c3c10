"""Delete counted tries no limit can count any more (see `attempts_prune`)."""

from django.core.management.base import BaseCommand

from portal.throttle.services import attempts_prune, attempts_retention


class Command(BaseCommand):
    help = (
        "Delete counted tries older than the longest window of the limits (portal/throttle/limits.py), "
        "keeping those a limit without a window still counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        def progress(deleted: int) -> None:
            self.stdout.write(f"  {deleted} deleted…")

        count = attempts_prune(dry_run=dry_run, progress=progress)
        verb = "would delete" if dry_run else "deleted"
        hours = attempts_retention().total_seconds() / 3600
        self.stdout.write(
            f"Counted tries: {verb} {count} older than {hours:g} hours "
            "(the longest window of the limits), keeping those that hold a lock."
        )
