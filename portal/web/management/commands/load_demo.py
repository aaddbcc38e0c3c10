import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo.loader import DEMO_CLIENTS, DEMO_PASSWORD, demo_api_key, load_demo
from portal.web.deferred_tasks import tasks_deferred


class Command(BaseCommand):
    help = "Load the demo county and one login per role (only with CUNBAN_DEMO=1)."

    def handle(self, *args, **options):
        if not settings.CUNBAN_DEMO:
            raise CommandError(
                "Demo data and demo logins are only created in demo mode: set CUNBAN_DEMO=1 "
                "(make demo does). Never on a real deployment."
            )
        started = time.monotonic()
        # The load enqueues some 1,500 index updates; run them here, once each, so that the
        # search and reference indexes are right at once and no worker starts with a backlog
        # (portal/web/deferred_tasks.py).
        with tasks_deferred() as tasks:
            logins = load_demo(progress=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(
            f"  background tasks: {tasks.ran} run here ({tasks.enqueued} enqueued, repeats run once)"
        )
        if tasks.failed:
            raise CommandError(
                f"{len(tasks.failed)} background tasks of the demo load failed:\n  "
                + "\n  ".join(tasks.failed)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.0f} s. Demo logins (password {DEMO_PASSWORD}):"
            )
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<22} {login.role:<18} {login.office}")
        self.stdout.write("API keys of the demo clients (Authorization: Bearer …; docs at /api/v1/docs):")
        for name, scopes in DEMO_CLIENTS.items():
            self.stdout.write(f"  {name} ({', '.join(scopes)}):\n    {demo_api_key(name)}")
