"""State changes of the work calendar: loading a year as a draft, and confirming it.

A year's days only count in deadline arithmetic once a county administrator has confirmed them
against the State Council's notice; loading never confirms, and never touches a confirmed year.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from portal.errors import DomainError, NotPermitted

from .calendar import CalendarException
from .holiday_package import package_schedule, package_version
from .models import CalendarDay, CalendarYear
from .policies import CONFIRM, calendar_year_policy
from .signals import calendar_confirmed

# The Wagtail log action written when a year is confirmed (registered in wagtail_hooks.py, so
# it shows in the year's history in the back office).
CONFIRM_LOG_ACTION = "workdays.calendar_year.confirm"


@dataclass(frozen=True)
class DayDifference:
    """One date on which the stored calendar and the holidays package disagree."""

    date: datetime.date
    stored: CalendarException | None
    package: CalendarException | None


@dataclass
class CalendarLoadResult:
    calendar_year: CalendarYear
    year_created: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # Filled only for a confirmed year, which is compared and left alone.
    differences: list[DayDifference] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.year_created or self.created or self.updated or self.deleted)


def calendar_year_differences(
    *, stored: dict[datetime.date, CalendarException], package: dict[datetime.date, CalendarException]
) -> list[DayDifference]:
    """Dates whose working/rest status differs between two schedules, by date.

    Names are not compared: the checker may well have corrected a name to the notice's wording.
    """
    differences = []
    for date in sorted(stored.keys() | package.keys()):
        in_stored, in_package = stored.get(date), package.get(date)
        if in_stored is None or in_package is None or in_stored.is_workday != in_package.is_workday:
            differences.append(DayDifference(date=date, stored=in_stored, package=in_package))
    return differences


@transaction.atomic
def calendar_year_load_from_package(*, year: int, notice: str = "") -> CalendarLoadResult:
    """Load `year` from the holidays package as a draft for an administrator to check.

    Safe to repeat. On a draft year the stored days are made equal to the package's (days
    entered by hand in a draft are replaced as well: a draft is not checked yet). On a
    confirmed year nothing changes; the result lists how the package differs from it.
    Raises PackageHasNoSchedule when the package has no notice for the year.

    For operators (the load_work_calendar command), so there is no acting user to check.
    """
    schedule = package_schedule(year=year)
    calendar_year, year_created = CalendarYear.objects.select_for_update().get_or_create(
        year=year,
        defaults={
            "notice": notice,
            "source_note": _("Loaded from the holidays package %(version)s.")
            % {"version": package_version()},
        },
    )
    result = CalendarLoadResult(calendar_year=calendar_year, year_created=year_created)
    # Rows of this year, and any row dated in this year but filed under another one (possible
    # only by bypassing CalendarDay.clean): the date is unique, so the load must own it.
    stored_rows = {
        day.date: day for day in CalendarDay.objects.filter(Q(year=calendar_year) | Q(date__year=year))
    }

    if calendar_year.is_confirmed:
        stored = {
            date: CalendarException(date=date, is_workday=row.is_workday, name=row.name)
            for date, row in stored_rows.items()
        }
        result.differences = calendar_year_differences(stored=stored, package=schedule)
        return result

    if notice and calendar_year.notice != notice:
        calendar_year.notice = notice
        calendar_year.save(update_fields=["notice"])

    stale = [row.pk for date, row in stored_rows.items() if date not in schedule]
    if stale:
        result.deleted, _details = CalendarDay.objects.filter(pk__in=stale).delete()
    to_create, to_update = [], []
    for date, wanted in schedule.items():
        row = stored_rows.get(date)
        if row is None:
            to_create.append(
                CalendarDay(
                    date=date,
                    year=calendar_year,
                    is_workday=wanted.is_workday,
                    name=wanted.name,
                    source=CalendarDay.Source.HOLIDAYS_PACKAGE,
                )
            )
        elif (row.year_id, row.is_workday, row.name, row.source) != (
            calendar_year.pk,
            wanted.is_workday,
            wanted.name,
            CalendarDay.Source.HOLIDAYS_PACKAGE,
        ):
            row.year = calendar_year
            row.is_workday, row.name = wanted.is_workday, wanted.name
            row.source = CalendarDay.Source.HOLIDAYS_PACKAGE
            to_update.append(row)
    CalendarDay.objects.bulk_create(to_create)
    CalendarDay.objects.bulk_update(to_update, ["year", "is_workday", "name", "source"])
    result.created, result.updated = len(to_create), len(to_update)
    return result


@transaction.atomic
def calendar_year_confirm(*, actor, year: CalendarYear) -> CalendarYear:
    """Confirm a year's calendar: from now on its days count in every deadline, and the open
    deadlines counted through it are counted again before this returns (`calendar_confirmed`).

    Only a county administrator (or a superuser) may confirm, because a confirmed calendar
    moves the legal deadlines of every office in the county. The row is locked so two
    administrators confirming at once record one confirmation. Writes a Wagtail log entry
    (who and when) that shows in the year's history.
    """
    if not calendar_year_policy.user_has_permission(actor, CONFIRM):
        raise NotPermitted(_("Only a county administrator may confirm a work calendar."))
    year = CalendarYear.objects.select_for_update().get(pk=year.pk)
    if year.is_confirmed:
        raise DomainError(_("The %(year)s calendar is already confirmed.") % {"year": year.year})
    if not year.days.exists():
        raise DomainError(
            _(
                "The %(year)s calendar has no days yet. Load it with load_work_calendar or add "
                "its holidays before confirming it."
            )
            % {"year": year.year}
        )
    year.status = CalendarYear.Status.CONFIRMED
    year.confirmed_by = actor
    year.confirmed_at = timezone.now()
    year.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    # Receivers return how many deadlines they moved (the stubs type a response as str | None).
    responses: Sequence[tuple[object, object]] = calendar_confirmed.send(
        sender=CalendarYear, calendar_year=year, actor=actor
    )
    moved = sum(count for _receiver, count in responses if isinstance(count, int))
    log(
        instance=year,
        action=CONFIRM_LOG_ACTION,
        user=actor,
        data={"notice": year.notice, "deadlines_moved": moved},
    )
    return year
