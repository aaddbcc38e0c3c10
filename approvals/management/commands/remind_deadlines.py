"""Run the deadline sweep: deemed acceptance, broken 容缺 promises, due-soon and overdue alerts."""

import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from approvals.reminders import deadlines_recompute, deadlines_sweep
from portal.workdays.selectors import calendar_years_needing_confirmation


class Command(BaseCommand):
    help = "Mark due-soon and overdue applications and notify their clerks and supervisors (once per state)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recompute", action="store_true", help="First recompute open deadlines from the work calendar."
        )

    def handle(self, *args, **options):
        # The same question as the system check workdays.W001: cron mails what this prints.
        for missing in calendar_years_needing_confirmation(on=timezone.localdate()):
            self.stderr.write(
                self.style.WARNING(
                    f"workdays.W001: the {missing.year} work calendar is not confirmed: deadlines "
                    "through it count only the statutory holidays and are shown as provisional; "
                    "deemed acceptance through it waits 3 more working days. Enter and confirm it "
                    "in the back office (Work calendar)."
                )
            )
        if options["recompute"]:
            self.stdout.write(f"deadlines moved: {deadlines_recompute()}")

        def progress(done: int, total: int) -> None:
            if sys.stdout.isatty() or done == total:
                width = 30
                filled = width * done // total
                self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
                if done == total:
                    self.stdout.write("")

        report = deadlines_sweep(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"deemed accepted: {report.deemed_accepted}, terminated: {report.terminated}, "
                f"due soon: {report.due_soon}, overdue: {report.overdue}, "
                f"overdue rectifications: {report.rectifications_overdue}"
            )
        )
