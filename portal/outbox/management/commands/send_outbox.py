"""Send the outbox's due text messages.

    manage.py send_outbox                       # one run: up to 500 due messages, then exit
    manage.py send_outbox --loop --interval 30  # a long-running sender, for a process manager

Running several at once (or beside `outbox_send_task`) is safe: see
`portal.outbox.services.outbox_send_pending`. A single run exits non-zero when messages are
stuck in `sending`, so a cron job's mail or a monitor notices.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from portal.outbox.services import STUCK_AFTER, SendReport, outbox_send_pending
from portal.web.sweep import SweepCommand


class Command(SweepCommand):
    help = "Send due outbox messages (SMS, or email to staff without a mobile), retrying failures."
    default_limit = 500
    limit_help = "At most this many messages per run."

    def loop_started(self, interval: float) -> str:
        return _("Sending the outbox every %(interval)s s; stop with Ctrl-C.") % {"interval": interval}

    def run_alone(self, limit: int) -> None:
        """A single run exits non-zero on stuck messages, so a cron job's mail or a monitor notices."""
        report = self.run_once(limit, quiet_when_idle=False)
        if report.stuck:
            raise CommandError(
                _("%(count)s message(s) stuck in 'sending' for over %(after)s: not resent.")
                % {"count": report.stuck, "after": STUCK_AFTER}
            )

    def run_once(self, limit: int, *, quiet_when_idle: bool) -> SendReport:
        def progress(report: SendReport) -> None:
            heading = _("Outbox: %(due)s message(s) due…") % {"due": report.due}
            self.show_progress(report.processed, report.due, heading)

        report = outbox_send_pending(limit=limit, progress=progress)
        if quiet_when_idle and not (report.processed or report.stuck):
            return report
        troubled = report.failed or report.abandoned or report.stuck
        self.stdout.write(
            (self.style.WARNING if troubled else self.style.SUCCESS)(
                _("Sent %(sent)s, failed %(failed)s (to retry), abandoned %(abandoned)s, stuck %(stuck)s.")
                % {
                    "sent": report.sent,
                    "failed": report.failed,
                    "abandoned": report.abandoned,
                    "stuck": report.stuck,
                }
            )
        )
        return report
