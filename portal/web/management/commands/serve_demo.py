"""`manage.py serve_demo [ADDR:PORT]`: the web server and a task worker together (`make demo`).

Without a worker nothing enqueued ever runs: a catalogue upload stays "queued", a batch of
certificates is never printed (issue 15). This runs `runserver` and `db_worker` side by side
under `portal.web.supervise`: Ctrl-C stops both, and when one of them stops the other is stopped
too, with a message saying which and why. For a developer's machine and the demo only;
docs/deploy.md has the production shape (gunicorn and db_worker under systemd).
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.web.base_url import origin_of, site_base_url
from portal.web.supervise import Child, supervise

# How often the idle worker looks for work, in seconds: an upload starts within this.
WORKER_INTERVAL = 0.5


def demo_children(addrport: str, *, worker_interval: float = WORKER_INTERVAL) -> list[Child]:
    """The two processes, without autoreload: each is then one process that gets the signal
    and whose exit status is its own (runserver's reloader would stand in between)."""
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    return [
        Child(_("the web server"), [*manage, "runserver", addrport, "--noreload"]),
        Child(
            _("the task worker"),
            [
                *manage,
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                f"{worker_interval:g}",
                "--worker-id",
                f"demo-{addrport}"[:63],  # recorded on each task it runs
            ],
        ),
    ]


def served_address(addrport: str) -> str | None:
    """The address runserver will answer at, as a browser would write it; None when it listens
    on every interface (0.0.0.0, ::), where only the operator knows which address people use."""
    host, _sep, port = addrport.rpartition(":") if ":" in addrport.strip("[]") else ("", "", addrport)
    host = host or "127.0.0.1"
    if host.strip("[]") in ("0.0.0.0", "::", "0"):  # noqa: S104 - recognising it, not binding
        return None
    try:
        return str(origin_of(f"http://{host}:{port}"))
    except ValueError:
        return None  # runserver will say what is wrong with it


class Command(BaseCommand):
    help = "Run the web server and a task worker together, as `make demo` does; Ctrl-C stops both."
    # Both children run the system checks themselves.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="as for runserver")
        parser.add_argument(
            "--grace",
            type=float,
            default=30.0,
            help="seconds to let the worker finish its task after Ctrl-C before it is killed",
        )

    def handle(self, *args, addrport: str, grace: float, **options):
        here = served_address(addrport)
        try:
            site = str(origin_of(site_base_url()))
        except ValueError:
            site = site_base_url()
        if here is not None and here != site:
            self.stderr.write(
                _(
                    "SITE_BASE_URL is %(site)s, but this serves %(here)s: printed QR codes and "
                    "text-message links will point to %(site)s. Set SITE_BASE_URL=%(here)s (make "
                    "demo sets both from DEMO_ADDR)."
                )
                % {"site": site, "here": here}
            )
        self.stdout.write(
            _(
                "Starting the web server at %(addrport)s and a task worker beside it (uploads, "
                "printing, messages). Stop both with Ctrl-C."
            )
            % {"addrport": addrport}
        )
        status = supervise(
            demo_children(addrport),
            say=lambda line: self.stderr.write(line),
            grace_seconds=grace,
        )
        if status:
            raise CommandError(
                _("The demo stopped because a process failed; see the messages above."), returncode=status
            )
