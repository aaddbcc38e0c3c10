"""The shape of a command that sends whatever is due: one run and exit (for a timer), or
`--loop --interval N` (a long-running sender under a process manager), Ctrl-C saying "Stopped.".

`manage.py send_outbox` and `manage.py deliver_webhooks` are such sweeps; each says only what one
run does (`run_once`) and how it announces its loop, so both check their arguments, loop and stop
the same way. A single run's exit status stays the command's own (`run_alone`): send_outbox fails
on stuck messages so that a cron job's mail says so.

The loop closes the connections the database may have dropped before each run (a process that
lives for weeks outlasts them), and reports only the runs that did something, so an idle sender
does not flood its log; within a run, `show_progress` prints a line every 50 rows.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.translation import gettext as _


class SweepCommand(BaseCommand):
    """A management command that runs `run_once` once, or every `--interval` seconds."""

    default_limit: int
    """`--limit` when not given: at most this many rows per run."""
    limit_help: str
    """`--limit`'s help: what a run sends at most."""
    progress_every = 50

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=self.default_limit, help=self.limit_help)
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, a run every --interval seconds."
        )
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between runs with --loop (default 30)."
        )

    def handle(self, *args, limit: int, loop: bool, interval: float, **options):
        if limit < 1 or interval <= 0:
            raise CommandError(_("--limit and --interval must be positive."))
        if not loop:
            self.run_alone(limit)
            return
        self.stdout.write(self.loop_started(interval))
        try:
            while True:
                # A long-running process must not keep a connection the database has dropped.
                close_old_connections()
                self.run_once(limit, quiet_when_idle=True)
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write(_("Stopped."))

    def show_progress(self, done: int, due: int, heading: str) -> None:
        """Called after each row a run handles: `heading` (how many are due) after the first,
        then `  done/due…` every `progress_every` rows, so a long run shows it is moving without
        a line a row."""
        if done == 1:
            self.stdout.write(heading)
        elif done % self.progress_every == 0:
            self.stdout.write(f"  {done}/{due}…")

    def run_alone(self, limit: int) -> None:
        """The run without --loop; raise CommandError here to exit non-zero."""
        self.run_once(limit, quiet_when_idle=False)

    def run_once(self, limit: int, *, quiet_when_idle: bool) -> object:
        """Send up to `limit` due rows and print the report (nothing when `quiet_when_idle` and
        the run found nothing to do); returns the report."""
        raise NotImplementedError

    def loop_started(self, interval: float) -> str:
        """The line printed when the loop starts: what it sends, how often, how to stop it."""
        raise NotImplementedError
