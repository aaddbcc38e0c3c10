"""Send the webhook deliveries that are due: first tries a worker missed, and retries.

    manage.py deliver_webhooks                       # one run: up to 200 due deliveries, then exit
    manage.py deliver_webhooks --loop --interval 30  # a long-running sender, for a process manager

Each delivery is normally tried by its own task when the step that caused it commits, and each
retry is queued for its time where the task backend can defer; this sweep sends whatever is due
anyway (a worker that stopped, a backend that cannot defer), so run it on a timer. Running
several at once, or beside the tasks, is safe: see `api.webhook_services.deliveries_send_due`.
Deliveries held by a paused endpoint are counted, not sent: the county's administrators were
told, and "Resume" in the back office sends them.
"""

from django.utils.translation import gettext as _

from api.webhook_services import DeliveryRun, deliveries_send_due
from portal.web.sweep import SweepCommand


class Command(SweepCommand):
    help = "Send due webhook deliveries (first tries and retries) to partners' endpoints."
    default_limit = 200
    limit_help = "At most this many deliveries per run."

    def loop_started(self, interval: float) -> str:
        return _("Sending due webhooks every %(interval)s s; stop with Ctrl-C.") % {"interval": interval}

    def run_once(self, limit: int, *, quiet_when_idle: bool) -> DeliveryRun:
        def progress(report: DeliveryRun) -> None:
            heading = _("Webhooks: %(due)s delivery(ies) due…") % {"due": report.due}
            self.show_progress(report.tried, report.due, heading)

        report = deliveries_send_due(limit=limit, progress=progress)
        if quiet_when_idle and not report.tried:
            return report
        troubled = report.retrying or report.gave_up or report.held
        self.stdout.write(
            (self.style.WARNING if troubled else self.style.SUCCESS)(
                _(
                    "Delivered %(delivered)s, failed %(retrying)s (to retry), given up %(gave_up)s; "
                    "%(held)s waiting on paused endpoints."
                )
                % {
                    "delivered": report.delivered,
                    "retrying": report.retrying,
                    "gave_up": report.gave_up,
                    "held": report.held,
                }
            )
        )
        return report
