"""Load a year's working-day calendar from the holidays package as a draft.

    manage.py load_work_calendar 2026 --notice 国办发明电〔2025〕7号

An administrator then checks the draft against the notice in the back office (工作日历) and
confirms it; only then does it count in deadlines. Safe to run again: see
`portal.workdays.services.calendar_year_load_from_package`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.workdays.holiday_package import PackageHasNoSchedule, package_version
from portal.workdays.models import FIRST_YEAR, LAST_YEAR
from portal.workdays.services import DayDifference, calendar_year_load_from_package


class Command(BaseCommand):
    help = "Load a year's working-day calendar from the holidays package as a draft to check and confirm."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The calendar year, e.g. 2026.")
        parser.add_argument(
            "--notice",
            default="",
            help="Document number of the State Council's holiday notice, e.g. 国办发明电〔2025〕7号.",
        )

    def handle(self, *args, year: int, notice: str, **options):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                _("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        self.stdout.write(
            _("Reading %(year)s from the holidays package %(version)s…")
            % {"year": year, "version": package_version()}
        )
        try:
            result = calendar_year_load_from_package(year=year, notice=notice.strip())
        except PackageHasNoSchedule as error:
            raise CommandError(
                _(
                    "The holidays package %(version)s has no State Council schedule for %(year)s. "
                    "Upgrade the package once the notice is out, or enter the year's days by hand "
                    "in the back office."
                )
                % {"version": package_version(), "year": year}
            ) from error

        calendar_year = result.calendar_year
        if calendar_year.is_confirmed:
            self._report_confirmed(year, result.differences)
            return

        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(year)s draft: calendar days created %(created)s, updated %(updated)s, deleted %(deleted)s."
                )
                % {
                    "year": year,
                    "created": result.created,
                    "updated": result.updated,
                    "deleted": result.deleted,
                }
            )
        )
        self.stdout.write(
            self.style.WARNING(
                _(
                    "The %(year)s calendar is a draft and does not count in deadlines yet: check it "
                    "against the notice %(notice)s and confirm it in the back office (Work calendar)."
                )
                % {"year": year, "notice": calendar_year.notice or _("(not recorded)")}
            )
        )

    def _report_confirmed(self, year: int, differences: list[DayDifference]) -> None:
        self.stdout.write(
            self.style.WARNING(_("The %(year)s calendar is confirmed; nothing was changed.") % {"year": year})
        )
        if not differences:
            self.stdout.write(
                self.style.SUCCESS(_("The holidays package agrees with the confirmed calendar."))
            )
            return
        self.stdout.write(
            self.style.WARNING(
                _("The holidays package differs from the confirmed calendar on %(count)s days:")
                % {"count": len(differences)}
            )
        )
        for difference in differences:
            self.stdout.write(
                "  "
                + _("%(date)s: confirmed %(stored)s, package %(package)s")
                % {
                    "date": difference.date.isoformat(),
                    "stored": _describe(difference.stored),
                    "package": _describe(difference.package),
                }
            )


def _describe(exception) -> str:
    if exception is None:
        return _("default week")
    if exception.is_workday:
        return _("working day (%(name)s)") % {"name": exception.name}
    return _("rest day (%(name)s)") % {"name": exception.name}
