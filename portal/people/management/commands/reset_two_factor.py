"""Remove a staff member's authenticator app after a lost phone: manage.py reset_two_factor USERNAME"""

from django.core.management.base import BaseCommand, CommandError

from portal.people.models import User
from portal.people.two_factor import two_factor_reset


class Command(BaseCommand):
    help = "Remove every authenticator app (TOTP device) of one staff account; they enrol again at login."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        removed = two_factor_reset(actor=None, user=user)
        self.stdout.write(
            f"{username}: {removed} authenticator app(s) removed; the next login enrols a new one."
        )
