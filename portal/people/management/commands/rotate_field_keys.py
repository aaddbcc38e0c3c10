"""Re-encrypt every stored ID number under the newest key: manage.py rotate_field_keys

The rotation procedure (docs/deploy.md): put a new Fernet key first in FIELD_ENCRYPTION_KEYS
("NEW,OLD") on every node, run this command once, then remove OLD. Safe to run again: rows
already under the newest key are left alone.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.people.crypto import field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (resident ID numbers) under the first key of "
        "FIELD_ENCRYPTION_KEYS, in batches; rows already under it are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(label: str, done: int, total: int) -> None:
            percent = 100 if total == 0 else min(100, done * 100 // total)
            bar = "#" * (percent // 5) + "." * (20 - percent // 5)
            self.stdout.write(f"{label} [{bar}] {percent:3d}% ({done}/{total})")

        counts = field_keys_rotate(batch_size=batch_size, progress=progress)
        for count in counts:
            self.stdout.write(
                f"{count.label}: {count.rows} rows, {count.reencrypted} re-encrypted, "
                f"{count.already_newest} already under the newest key"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {sum(c.reencrypted for c in counts)} values re-encrypted. Once every node "
                "runs with the new key first, the old keys may be removed from FIELD_ENCRYPTION_KEYS."
            )
        )
