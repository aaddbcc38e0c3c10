from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo.loader import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo county and one login per role (only with CUNBAN_DEMO=1)."

    def handle(self, *args, **options):
        if not settings.CUNBAN_DEMO:
            raise CommandError(
                "Demo data and demo logins are only created in demo mode: set CUNBAN_DEMO=1 "
                "(make demo does). Never on a real deployment."
            )
        logins = load_demo(progress=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<22} {login.role:<18} {login.office}")
